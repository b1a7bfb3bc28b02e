package pgstore

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/transient-go/transient/core/internal/breaker"
)

// newBreaker returns the store's circuit breaker (see the Failures section
// of the package documentation). It opens only when calls find PostgreSQL
// unreachable or silent: a *pgconn.ConnectError that is not PostgreSQL's
// answer (refused, unreachable, no such host, or no answer within the
// connect budget), or a call that PostgreSQL let go without any answer for
// the answer budget (see watch), as a hung server does.
func newBreaker() *breaker.Breaker {
	return &breaker.Breaker{
		Server:        "PostgreSQL",
		Prefix:        "pgstore",
		Answered:      answered,
		ConnectFailed: connectFailed,
	}
}

// answered reports whether err, a call's result, shows that PostgreSQL
// answered: no error, or an error it sent (a *pgconn.PgError, such as a
// constraint violation, a missing table, or "too many clients" at
// connection time).
func answered(err error) bool { return err == nil || pgError(err) != nil }

// pgError returns the *pgconn.PgError in err's chain, or nil. It
// allocates nothing for a nil err, the usual case: a variable whose
// address errors.As takes is on the heap from its declaration on.
func pgError(err error) *pgconn.PgError {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr
	}
	return nil
}

// connectFailed reports whether err shows that no connection to PostgreSQL
// could be made, or that PostgreSQL answered nothing at all for the answer
// budget: the breaker treats a server that is hung as one that is down.
func connectFailed(err error) bool {
	if err == nil {
		return false
	}
	var (
		ce *pgconn.ConnectError
		na *noAnswerError
	)
	return (errors.As(err, &ce) || errors.As(err, &na)) && !answered(err)
}
