package pgstore

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
)

// name is the store's name in what it tells its core.Observer.
const name = "pgstore"

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
