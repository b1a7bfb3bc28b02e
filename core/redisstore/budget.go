package redisstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A budget gives each call of a Store its call budget (Options.Timeout)
// as its context's deadline, which go-redis sets on each connection
// attempt, command and answer of the call, and which ends its waits (for
// a pooled connection, between retries) and UpdateLocked's.
//
// context.WithTimeout would cost each call five allocations and a timer
// of its own, started and stopped under a lock of the runtime. A call
// whose context cannot be canceled and has no deadline (every commit's,
// which the core detaches from the request; a request's that its server
// never cancels) shares instead the deadline of the calls that began
// within the same sixteenth of the budget: one channel, which one timer
// closes, for all of them, so that its context costs one small
// allocation, and its budget is rounded up by a sixteenth at most. A call
// whose context ends sooner than the budget keeps that context; any other
// gets context.WithTimeout.
type budget struct {
	d     time.Duration // Options.Timeout
	slack time.Duration // how much a shared deadline may round d up

	mu  sync.Mutex // held while a new shared deadline is made
	cur atomic.Pointer[sharedDeadline]
}

func newBudget(d time.Duration) *budget {
	return &budget{d: d, slack: d / 16}
}

// A sharedDeadline is a deadline that calls share: done is closed at end.
type sharedDeadline struct {
	end  time.Time
	done chan struct{}
}

// bound returns ctx with the call budget, counted from now, as its
// deadline, and the function that releases it, which the call must call
// when it ends.
func (b *budget) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	now := time.Now()
	switch d, ok := ctx.Deadline(); {
	case ok && !d.After(now.Add(b.d)):
		return ctx, noCancel
	case ok || ctx.Done() != nil:
		return context.WithTimeout(ctx, b.d)
	}
	return &budgeted{ctx, b.shared(now)}, noCancel
}

func noCancel() {}

// shared returns a deadline that gives a call that begins at now its
// budget, and a sixteenth of it more at most.
func (b *budget) shared(now time.Time) *sharedDeadline {
	want := now.Add(b.d)
	if s := b.cur.Load(); s != nil && !s.end.Before(want) {
		return s
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.cur.Load(); s != nil && !s.end.Before(want) {
		return s
	}
	s := &sharedDeadline{end: want.Add(b.slack), done: make(chan struct{})}
	time.AfterFunc(s.end.Sub(now), func() { close(s.done) })
	b.cur.Store(s)
	return s
}

// budgeted is the context of a call whose own context cannot be canceled:
// that context's values, and a shared deadline.
type budgeted struct {
	context.Context
	s *sharedDeadline
}

func (c *budgeted) Deadline() (time.Time, bool) { return c.s.end, true }
func (c *budgeted) Done() <-chan struct{}       { return c.s.done }

func (c *budgeted) Err() error {
	select {
	case <-c.s.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
