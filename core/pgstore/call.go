package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// This file runs every statement of the store within its budgets: see the
// Failures section of the package documentation.

// attempts bounds the runs of a statement that PostgreSQL rolled back as a
// serialization failure or a deadlock, which only a database whose default
// isolation is stricter than READ COMMITTED reports for these statements,
// or that found its session ended by an idle timeout before it arrived.
const attempts = 3

// call runs f, which sends its statements on c and reads all their rows
// before it returns, on a pooled connection: the whole call within the call
// budget (Options.Timeout), and failing once PostgreSQL has answered
// nothing for the answer budget (Options.QueryTimeout; see watch). The
// breaker may refuse the call at once. f is run again, once, when its
// connection was lost before anything was sent (as when PostgreSQL
// restarted since the connection was last used), and up to attempts times
// when PostgreSQL rolled the statement back and asks for a retry. The
// error names PostgreSQL's address (see describe). op names the call for
// the store's Observer (see observe).
func (s *Store) call(ctx context.Context, op string, f func(ctx context.Context, c *pgx.Conn) error) error {
	return s.do(ctx, op, false, f)
}

// callIdempotent is call for a statement that may run twice with the same
// outcome (a read, or the cleanup's deletion of expired rows): it is also
// run again, once, when its connection was lost after it was sent.
func (s *Store) callIdempotent(ctx context.Context, op string, f func(ctx context.Context, c *pgx.Conn) error) error {
	return s.do(ctx, op, true, f)
}

func (s *Store) do(ctx context.Context, op string, idempotent bool, f func(ctx context.Context, c *pgx.Conn) error) (err error) {
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, op)
		defer func() { done(failure(err)) }()
	}
	probe, err := s.breaker.Allow()
	if err != nil {
		return err
	}
	ctx, w := s.watch(ctx)
	resent := false
	for attempt := 1; ; attempt++ {
		var lost, again bool
		lost, again, err = s.run(ctx, w, f)
		if attempt < attempts && (again || retryable(err)) {
			continue
		}
		if lost && !resent && !timedOut(err) && (idempotent || pgconn.SafeToRetry(err)) {
			resent = true
			continue
		}
		break
	}
	switch why := s.unwatch(w); {
	case err == nil:
	case why == noAnswer:
		err = &noAnswerError{budget: s.queryTimeout, err: err}
	case why == callBudget:
		err = &callBudgetError{budget: s.timeout, err: err}
	case why == deadline && !errors.Is(err, context.DeadlineExceeded):
		err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	}
	err = s.describe(err)
	s.breaker.Done(probe, err)
	return err
}

// run runs f once on a connection from the pool, within the watch w of
// its call, and reports whether the connection was lost, and whether f
// may run again at once: it failed on a statement of the store's that was
// stale (see prepare.go), which run has since deallocated.
func (s *Store) run(ctx context.Context, w *watch, f func(ctx context.Context, c *pgx.Conn) error) (lost, again bool, err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, false, err
	}
	var quiet context.Context
	if quiet, err = s.attach(ctx, w, c.Conn().PgConn()); err == nil {
		err = f(quiet, c.Conn())
		if err != nil && s.named && stale(err) && !c.Conn().IsClosed() {
			again = s.unprepare(quiet, c.Conn()) == nil
		}
		s.detach(w)
	}
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
	return lost, again, err
}

// checkHealth notes PostgreSQL's answers for the answer budget (see
// watch), and resets the pool on the first connection lost after a
// statement was answered: the pool's other idle connections are most
// likely dead too (PostgreSQL restarted, or failed over), and each would
// otherwise fail a call of its own before the pool let go of it. A
// connection closed by a budget is no such sign: PostgreSQL is slow or
// hung, and the other connections are as they were; nor is one whose
// session alone PostgreSQL ended (sessionEnded).
func (s *Store) checkHealth(err error, lost bool) {
	switch {
	case lost && !timedOut(err) && !sessionEnded(err):
		if s.healthy.CompareAndSwap(true, false) {
			s.pool.Reset()
		}
	case answered(err):
		s.noteAnswer()
		s.healthy.Store(true)
	}
}

// retryable reports whether err is PostgreSQL's report of a statement it
// rolled back, or never ran, and that may be run again as it is.
func retryable(err error) bool {
	pgErr := pgError(err)
	return pgErr != nil && (pgErr.Code == "40001" || pgErr.Code == "40P01") || sessionEnded(err)
}

// sessionEnded reports whether err is PostgreSQL's report that it ended
// the connection's session because it sat idle too long: inside a
// transaction (idle_in_transaction_session_timeout, which bounds a hold of
// UpdateLocked) or outside one (idle_session_timeout). Nothing sent after
// that ran.
func sessionEnded(err error) bool {
	pgErr := pgError(err)
	return pgErr != nil && (pgErr.Code == "25P03" || pgErr.Code == "57P05")
}

// timedOut reports whether err comes from a deadline or a cancellation.
func timedOut(err error) bool {
	return pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation:
// a new row's key was taken.
func isUniqueViolation(err error) bool {
	pgErr := pgError(err)
	return pgErr != nil && pgErr.Code == "23505"
}
