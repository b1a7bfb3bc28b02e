package pgstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The answer budget (Options.QueryTimeout) is how long a call waits while
// PostgreSQL answers nothing. A deadline on each statement would say the
// same of a hung server, but not of the steps of a call that pgxpool takes
// before the statement: the ping of a connection idle for more than a
// second, another ping when that one fails, then a new connection, each
// with a budget of its own, which add up to seconds. And it would cut off
// a statement that waits its turn for a row that a burst of writers takes
// one after the other, while PostgreSQL answers every one of them. So the
// store keeps the time of PostgreSQL's last answer to any of its calls,
// and a call fails once PostgreSQL has answered nothing, to it or to any
// other call, for the answer budget, counted from the call's start or the
// last answer, whichever is later. A healthy database that answers late
// because it is busy keeps answering some call, and is given the call
// budget; a hung one is given the answer budget, wherever the call is.
//
// An answer counts once the goroutine that waited for it has read it. An
// application that keeps every CPU busy with goroutines of its own (a
// burst of requests that each hash a password) delays that reading, and
// with it the answers; it should bound such work, as the example blog
// admits one bcrypt computation per CPU at a time.

// The store keeps the calls in flight in a ring, and one timer for them
// all: it fires when the first of them is due, fails those that are, and
// is set again for the next; so while calls are in flight it fires about
// once an answer budget, and while none is, not at all. A call costs no
// timer of its own: a timer for the answer budget and a context with
// another for the call budget, set and stopped for each call, took about
// 4,000 instructions a call (bench's BenchmarkNetHTTPPostgres, under
// callgrind), a tenth of what a read-only request costs the client.

// A call's statements do not watch its context: pgx would, for each
// statement, make a channel and register a function with the context,
// which cost about six allocations a statement. The watchdog interrupts a
// statement as pgx would on a cancellation: it sets a deadline in the past
// on the statement's connection, whose read or write then fails, and pgx
// closes it. It cancels the call's context too, for the steps before a
// statement: the wait for a pooled connection, pgxpool's ping, a new
// connection. So the caller's deadline ends a statement (the watchdog
// keeps it with the call's), and a cancellation of the caller's context
// without a deadline (a client that went away) ends those steps but lets
// a statement under way finish, within the budgets, rather than close its
// connection.

// A watchdog fails the store's calls that PostgreSQL has left unanswered
// for the answer budget, or that have run out of the call budget or past
// their caller's deadline. Its zero value is ready.
type watchdog struct {
	mu    sync.Mutex
	calls watch       // the calls in flight: a ring whose head is calls
	timer *time.Timer // fires at due
	due   int64       // when timer fires, on the store's clock; 0: it is not set
}

// A watch is one call in flight, in its watchdog's ring.
type watch struct {
	prev, next *watch
	cancel     context.CancelFunc
	start      int64 // when the call began, on the store's clock
	end        int64 // when the call budget runs out, or the caller's deadline passes
	endBy      ended // which of them end is: callBudget or deadline
	ended      ended // why the watchdog ended the call, if it did

	// conn is the connection the call's statements run on, while they
	// do; interrupted, that the watchdog set its deadline.
	conn        *pgconn.PgConn
	interrupted bool

	statements quietContext // the context of the call's statements
}

// ended is why the watchdog ended a call.
type ended uint8

const (
	running    ended = iota // the watchdog did not end it
	noAnswer                // PostgreSQL answered nothing for the answer budget
	callBudget              // the call ran out of the call budget
	deadline                // the caller's deadline passed
)

// A quietContext is the context of a call's statements: the call's
// values, without its cancellation.
type quietContext struct{ context.Context }

func (*quietContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (*quietContext) Done() <-chan struct{}       { return nil }
func (*quietContext) Err() error                  { return nil }

// watch returns ctx, which the store's watchdog cancels once PostgreSQL
// has been silent for the answer budget, or the call has run out of the
// call budget or past ctx's deadline, and the call's watch, which unwatch
// ends.
func (s *Store) watch(ctx context.Context) (context.Context, *watch) {
	w := &watch{start: s.clock()}
	w.end, w.endBy = w.start+int64(s.timeout), callBudget
	if t, ok := ctx.Deadline(); ok {
		if end := w.start + int64(time.Until(t)); end < w.end {
			w.end, w.endBy = end, deadline
		}
	}
	ctx, w.cancel = context.WithCancel(ctx)
	w.statements.Context = ctx
	due := min(w.start+int64(s.queryTimeout), w.end)
	d := &s.dog
	d.mu.Lock()
	head := &d.calls
	if head.next == nil {
		head.prev, head.next = head, head
	}
	w.prev, w.next = head.prev, head
	head.prev.next, head.prev = w, w
	// The timer, when set, is due no later than the first call due: it
	// was set for that call, or by checkCalls for the first one due then,
	// and a call that came after is due the answer budget after it began,
	// or sooner by the caller's deadline.
	if d.due == 0 || due < d.due {
		d.due = due
		wait := time.Duration(due - w.start)
		if d.timer == nil {
			d.timer = time.AfterFunc(wait, s.checkCalls)
		} else {
			d.timer.Reset(wait)
		}
	}
	d.mu.Unlock()
	return ctx, w
}

// checkCalls runs when the watchdog's timer fires: it ends each call
// that PostgreSQL has answered nothing since the later of its start and
// the last answer, for the answer budget, and each call that has run out
// of the call budget or past its caller's deadline, and sets the timer
// for the first of the others.
//
// A process that did not run for a while (the machine was busy with other
// processes, or the process was stopped) finds its timer late, with
// answers that arrived meanwhile still unread by the goroutines waiting
// for them: the calls are then given a sixteenth of the answer budget
// more, for them to be read, before they are judged.
func (s *Store) checkCalls() {
	d := &s.dog
	d.mu.Lock()
	defer d.mu.Unlock()
	now := s.clock()
	budget := int64(s.queryTimeout)
	late := d.due != 0 && now-d.due > budget/16
	last := s.lastAnswer.Load()
	next := int64(0)
	head := &d.calls
	for w := head.next; w != head; {
		following := w.next
		due, why := max(w.start, last)+budget, noAnswer
		if late {
			due = max(due, now+budget/16)
		}
		if w.end <= due {
			due, why = w.end, w.endBy
		}
		switch {
		case due <= now:
			w.ended = why
			w.unlink()
			w.cancel()
			if w.conn != nil {
				_ = w.conn.Conn().SetDeadline(time.Unix(1, 0))
				w.interrupted = true
			}
		case next == 0 || due < next:
			next = due
		}
		w = following
	}
	d.due = next
	if next != 0 {
		d.timer.Reset(time.Duration(next - now))
	}
}

// attach notes that the call of w, whose context is ctx, runs its
// statements on c from now on, and returns the context to run them with.
// It returns ctx's error instead for a call that the watchdog or the
// caller has ended.
func (s *Store) attach(ctx context.Context, w *watch, c *pgconn.PgConn) (context.Context, error) {
	s.dog.mu.Lock()
	defer s.dog.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.conn = c
	return &w.statements, nil
}

// detach notes that the call of w no longer runs statements on its
// connection, which may go back to the pool: once detach returns, the
// watchdog leaves it alone. It clears the deadline that the watchdog set
// on a connection still open, whose statements had all finished first.
func (s *Store) detach(w *watch) {
	s.dog.mu.Lock()
	c, interrupted := w.conn, w.interrupted
	w.conn, w.interrupted = nil, false
	s.dog.mu.Unlock()
	if interrupted && !c.IsClosed() {
		_ = c.Conn().SetDeadline(time.Time{})
	}
}

// unwatch ends the watch of a call that returned, and reports whether
// the watchdog ended the call, and why.
func (s *Store) unwatch(w *watch) ended {
	d := &s.dog
	d.mu.Lock()
	if w.ended == running {
		w.unlink()
	}
	why := w.ended
	d.mu.Unlock()
	w.cancel()
	return why
}

// unlink takes w out of its ring.
func (w *watch) unlink() {
	w.prev.next, w.next.prev = w.next, w.prev
	w.prev, w.next = nil, nil
}

// noteAnswer records that PostgreSQL answered a call just now.
func (s *Store) noteAnswer() {
	s.lastAnswer.Store(s.clock())
}

// clock returns the time on a monotonic clock of the store's own, in
// nanoseconds.
func (s *Store) clock() int64 { return int64(time.Since(s.epoch)) }

// A noAnswerError is the error of a call that PostgreSQL did not answer,
// nor any other, within the answer budget.
type noAnswerError struct {
	budget time.Duration
	err    error // what the cancelled call returned
}

func (e *noAnswerError) Error() string {
	return fmt.Sprintf("no answer within %v (Options.QueryTimeout, the answer budget): PostgreSQL is hung or overloaded, or the network to it drops packets", e.budget)
}

func (e *noAnswerError) Unwrap() error { return e.err }

// A callBudgetError is the error of a call that ran out of the call
// budget. It matches context.DeadlineExceeded.
type callBudgetError struct {
	budget time.Duration
	err    error // what the cancelled call returned
}

func (e *callBudgetError) Error() string {
	return fmt.Sprintf("no result within %v (Options.Timeout, the call budget), though PostgreSQL answered other calls: it or the pool is overloaded, or another transaction held the row", e.budget)
}

func (e *callBudgetError) Unwrap() []error { return []error{context.DeadlineExceeded, e.err} }
