package pgstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
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

// A watch fails one call when PostgreSQL has been silent for the answer
// budget, by cancelling its context; it also bounds the call by the call
// budget.
type watch struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc
	start  int64       // when the call began, on s's monotonic clock
	fired  atomic.Bool // check cancelled the call

	mu    sync.Mutex // the timer may fire before watch has stored it
	timer *time.Timer
	due   int64 // when timer fires
}

// watch returns ctx bounded by the call budget, and the watch that cancels
// it once PostgreSQL has been silent for the answer budget.
func (s *Store) watch(ctx context.Context) (context.Context, *watch) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	w := &watch{s: s, ctx: ctx, cancel: cancel, start: s.clock()}
	w.mu.Lock()
	w.due = w.start + int64(s.queryTimeout)
	w.timer = time.AfterFunc(s.queryTimeout, w.check)
	w.mu.Unlock()
	return ctx, w
}

// check runs when the timer fires: it cancels the call if PostgreSQL has
// answered nothing since the later of its start and the last answer, and
// otherwise sets the timer to the end of the budget that answer began.
//
// A process that did not run for a while (the machine was busy with other
// processes, or the process was stopped) finds its timer late, with
// answers that arrived meanwhile still unread by the goroutines waiting
// for them: the call is then given a sixteenth of the budget more, for
// them to be read, before it is judged.
func (w *watch) check() {
	if w.ctx.Err() != nil {
		return // the call is over
	}
	s := w.s
	w.mu.Lock()
	defer w.mu.Unlock()
	now := s.clock()
	budget := int64(s.queryTimeout)
	wait := max(w.start, s.lastAnswer.Load()) + budget - now
	if now-w.due > budget/16 {
		wait = max(wait, budget/16)
	}
	if wait > 0 {
		w.due = now + wait
		w.timer.Reset(time.Duration(wait))
		return
	}
	w.fired.Store(true)
	w.cancel()
}

// stop ends the watch when its call returns, and reports whether it
// cancelled the call.
func (w *watch) stop() bool {
	w.timer.Stop()
	w.cancel()
	return w.fired.Load()
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
