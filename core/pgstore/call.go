package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// This file runs every statement of the store within its budgets: see the
// Failures section of the package documentation.

// attempts bounds the runs of a statement that PostgreSQL rolled back as a
// serialization failure or a deadlock, which only a database whose default
// isolation is stricter than READ COMMITTED reports for these statements.
const attempts = 3

// call runs f, which sends one statement on c and reads all its rows
// before it returns, on a pooled connection: the whole call within the call
// budget (Options.Timeout), each run of f within the answer budget
// (Options.QueryTimeout) from when it has its connection. The breaker may
// refuse the call at once. f is run again, once, when its connection was
// lost before the statement was sent (as when PostgreSQL restarted since
// the connection was last used), and up to attempts times when PostgreSQL
// rolled the statement back and asks for a retry.
func (s *Store) call(ctx context.Context, f func(ctx context.Context, c *pgx.Conn) error) error {
	return s.do(ctx, false, f)
}

// callIdempotent is call for a statement that may run twice with the same
// outcome (a read, or the cleanup's deletion of expired rows): it is also
// run again, once, when its connection was lost after it was sent.
func (s *Store) callIdempotent(ctx context.Context, f func(ctx context.Context, c *pgx.Conn) error) error {
	return s.do(ctx, true, f)
}

func (s *Store) do(ctx context.Context, idempotent bool, f func(ctx context.Context, c *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	probe, err := s.breaker.Allow()
	if err != nil {
		return err
	}
	resent := false
	for attempt := 1; ; attempt++ {
		var lost bool
		lost, err = s.run(ctx, f)
		if attempt < attempts && retryable(err) {
			continue
		}
		if lost && !resent && !timedOut(err) && (idempotent || pgconn.SafeToRetry(err)) {
			resent = true
			continue
		}
		break
	}
	s.breaker.Done(probe, err)
	return err
}

// run runs f once on a connection from the pool, and reports whether the
// connection was lost.
func (s *Store) run(ctx context.Context, f func(ctx context.Context, c *pgx.Conn) error) (lost bool, err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	qctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	err = f(qctx, c.Conn())
	cancel()
	lost = err != nil && c.Conn().IsClosed()
	if lost {
		// Released, a closed connection would keep its place in the pool
		// until pgx has finished closing it: a cancel request and a
		// goodbye, for up to 15 seconds against a stalled server. Taken
		// out of the pool, it frees its place at once, and pgx finishes
		// closing it in the background.
		c.Hijack()
	} else {
		c.Release()
	}
	s.checkHealth(err, lost)
	return lost, err
}

// checkHealth resets the pool on the first connection lost after a
// statement was answered: the pool's other idle connections are most
// likely dead too (PostgreSQL restarted, or failed over), and each would
// otherwise fail a call of its own before the pool let go of it. A
// connection closed by the answer budget is no such sign: PostgreSQL is
// slow, and the other connections are fine.
func (s *Store) checkHealth(err error, lost bool) {
	switch {
	case lost && !timedOut(err):
		if s.healthy.CompareAndSwap(true, false) {
			s.pool.Reset()
		}
	case answered(err):
		s.healthy.Store(true)
	}
}

// retryable reports whether err is PostgreSQL's report of a statement it
// rolled back and that may be run again as it is.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// timedOut reports whether err comes from a deadline or a cancellation.
func timedOut(err error) bool {
	return pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation:
// a new row's key was taken.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
