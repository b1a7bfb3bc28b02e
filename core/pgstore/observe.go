package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
)

// name is the store's name in what it tells its core.Observer.
const name = "pgstore"

// observed is what the store tells its Observer (Options.Observer): nil
// when there is nobody to tell, so that a store without an Observer pays
// a nil check. Each of the store's calls to PostgreSQL (call, in call.go)
// is one call for the Observer, named after the method that makes it.
type observed struct {
	storeCall func(ctx context.Context, store, op string) (context.Context, func(string))
	breakerFn func(store, from, to string)
}

func newObserved(o *core.Observer) observed {
	if o == nil {
		return observed{}
	}
	return observed{storeCall: o.StoreCall, breakerFn: o.Breaker}
}

// observeBreaker has b tell the Observer of its states, from the closed
// one it starts in.
func (o observed) observeBreaker(b *breaker.Breaker) {
	if f := o.breakerFn; f != nil {
		b.Changed = func(from, to string) { f(name, from, to) }
		f(name, "", "closed")
	}
}

// failure returns how a call that ended with err failed, as
// core.Observer.StoreCall's function takes it: "" for none (a record not
// found, or changed meanwhile, is an answer), and FailureOther for an
// error PostgreSQL sent, such as a missing table.
func failure(err error) string {
	var (
		open *breaker.OpenError
		ce   *pgconn.ConnectError
		na   *noAnswerError
	)
	switch {
	case err == nil || errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrConflict):
		return ""
	case errors.As(err, &open):
		return core.FailureBreakerOpen
	case errors.As(err, &ce):
		return core.FailureRefused
	case errors.As(err, &na) || timedOut(err):
		return core.FailureTimeout
	}
	return core.FailureOther
}
