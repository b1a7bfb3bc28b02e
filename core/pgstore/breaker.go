package pgstore

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The breaker's settings: see the Failures section of the package
// documentation.
const (
	// breakerThreshold is how many calls in a row must fail to connect,
	// with no statement answered in between, before the breaker opens.
	breakerThreshold = 3

	// breakerCooldown is how long the breaker stays open before it lets
	// one call through to try again.
	breakerCooldown = 500 * time.Millisecond
)

// A breaker is the store's circuit breaker. It opens only when calls fail
// to connect (a *pgconn.ConnectError that is not PostgreSQL's answer:
// refused, unreachable, no such host, or no answer within the connect
// budget), never because an answer is slow: a healthy PostgreSQL on an
// overloaded machine answers late, and must not be cut off. While it is
// open, calls fail at once, without waiting for a connection. Its zero
// value, with now set, is closed; it is safe for concurrent use.
//
//   - closed: calls go through. breakerThreshold calls in a row that fail
//     to connect, with none answered in between, open it.
//   - open: calls fail at once with the last connection error, for
//     breakerCooldown; then it is half-open.
//   - half-open: one call at a time goes through, as a probe; the others
//     fail at once. A call that PostgreSQL answers (even with an error)
//     closes the breaker; a probe that fails to connect opens it again for
//     breakerCooldown; a probe that ends otherwise (a timeout, a canceled
//     request) lets the next call probe.
type breaker struct {
	now func() time.Time

	mu       sync.Mutex
	state    breakerState
	failures int       // calls in a row that failed to connect (closed)
	until    time.Time // when an open breaker becomes half-open
	probing  bool      // a probe is in flight (half-open)
	last     error     // the last connection error
}

type breakerState int

const (
	closed breakerState = iota
	open
	halfOpen
)

// allow reports whether a call may go through now, and whether it is the
// probe of a half-open breaker; if it may not, it returns the error the
// call fails with.
func (b *breaker) allow() (probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case closed:
		return false, nil
	case open:
		if b.now().Before(b.until) {
			return false, &openError{b.last}
		}
		b.state = halfOpen
	}
	if b.probing {
		return false, &openError{b.last}
	}
	b.probing = true
	return true, nil
}

// done records how a call that allow let through ended.
func (b *breaker) done(probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case answered(err):
		b.state, b.failures, b.probing, b.last = closed, 0, false, nil
	case connectFailed(err):
		b.last = err
		switch b.state {
		case closed:
			if b.failures++; b.failures < breakerThreshold {
				return
			}
		case open:
			return // a call that started before the breaker opened
		}
		b.state, b.until, b.probing = open, b.now().Add(breakerCooldown), false
	case probe:
		b.probing = false
	}
}

// answered reports whether err, a call's result, shows that PostgreSQL
// answered: no error, or an error it sent (a *pgconn.PgError, such as a
// constraint violation, a missing table, or "too many clients" at
// connection time).
func answered(err error) bool {
	var pgErr *pgconn.PgError
	return err == nil || errors.As(err, &pgErr)
}

// connectFailed reports whether err shows that no connection to PostgreSQL
// could be made.
func connectFailed(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) && !answered(err)
}

// openError is the error of a call that the open breaker did not let
// through. It wraps the connection error that opened the breaker.
type openError struct{ last error }

func (e *openError) Error() string {
	return fmt.Sprintf("pgstore: not calling PostgreSQL for now: the last connections to it failed: %v", e.last)
}

func (e *openError) Unwrap() error { return e.last }
