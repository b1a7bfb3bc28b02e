// Package breaker is the circuit breaker that core/pgstore and
// core/redisstore put in front of their server. It opens when calls fail
// to connect (refused, unreachable, no such host, or no connection within
// the connect budget), and, for a store that says what that looks like,
// when the server took calls and did not answer them within the answer
// budget, as a server does that accepts connections but is stopped or
// hung. It never opens because a call waited for a connection of its own
// pool, or for a CPU: a healthy server on an overloaded machine answers
// late, and must not be cut off. While it is open, calls fail at once,
// without waiting for a connection.
//
//   - closed: calls go through. Threshold calls in a row that fail to
//     connect or go unanswered, with none answered in between, open it.
//   - open: calls fail at once, with an [*OpenError] that wraps the last
//     such failure, for Cooldown; then it is half-open.
//   - half-open: one call at a time goes through, as a probe; the others
//     fail at once. A call that the server answers (even with an error)
//     closes the breaker (a connection made does not: a hung server's
//     kernel still accepts them); a probe that fails to connect or goes unanswered opens it again for
//     Cooldown; a probe that ends otherwise (a canceled request) lets the
//     next call probe.
//
// Each store says what its server's answer, a failed connection and an
// unanswered call look like (Breaker.Answered, Breaker.ConnectFailed and
// Breaker.Unanswered); the states are the same for all.
package breaker

import (
	"fmt"
	"sync"
	"time"
)

const (
	// Threshold is how many calls in a row must fail to connect or go
	// unanswered, with no call answered in between, before a Breaker
	// opens.
	Threshold = 3

	// Cooldown is how long a Breaker stays open before it lets one call
	// through to try again.
	Cooldown = 500 * time.Millisecond
)

// A Breaker is a store's circuit breaker: see the package documentation.
// Set its fields before its first use and leave them after; it is then
// safe for concurrent use. Answered and ConnectFailed must be set; with
// them, the zero value is closed. A Breaker must not be copied after its
// first use.
type Breaker struct {
	// Server names the server in the error of a stopped call: "PostgreSQL".
	Server string

	// Prefix begins that error: the store's package name, "pgstore".
	Prefix string

	// Answered reports whether err, a call's result, shows that the server
	// answered: no error, or an error the server sent.
	Answered func(err error) bool

	// ConnectFailed reports whether err, a call's result that Answered
	// rejected, shows that no connection to the server could be made.
	ConnectFailed func(err error) bool

	// Unanswered, if set, reports whether err, a call's result that
	// Answered and ConnectFailed rejected, shows that the server took the
	// call and did not answer it within the answer budget: a deadline on
	// the connection, not a wait for a connection of the pool or for the
	// call's own deadline. nil means none does.
	Unanswered func(err error) bool

	// Now is the clock of the cooldown; nil means time.Now.
	Now func() time.Time

	// Changed, if set, is called each time the breaker goes from one
	// state to another, with their names: "closed", "open" or
	// "half_open" (a store tells its core.Observer). It is called with
	// the breaker's lock held: it must not block, nor call the breaker.
	Changed func(from, to string)

	mu       sync.Mutex
	state    state
	failures int       // calls in a row that failed to connect (closed)
	until    time.Time // when an open breaker becomes half-open
	probing  bool      // a probe is in flight (half-open)
	last     error     // the last failure that counts
	silent   bool      // last is a call that went unanswered
}

type state int

const (
	closed state = iota
	open
	halfOpen
)

// String returns s as Breaker.Changed names it.
func (s state) String() string {
	switch s {
	case open:
		return "open"
	case halfOpen:
		return "half_open"
	}
	return "closed"
}

// set puts b in state s, and tells Changed if that is a change. b.mu is
// held.
func (b *Breaker) set(s state) {
	if s == b.state {
		return
	}
	from := b.state
	b.state = s
	if b.Changed != nil {
		b.Changed(from.String(), s.String())
	}
}

// Allow reports whether a call may go through now, and whether it is the
// probe of a half-open breaker; if it may not, it returns the
// [*OpenError] the call fails with. A call that Allow lets through must
// report how it ended to Done.
func (b *Breaker) Allow() (probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case closed:
		return false, nil
	case open:
		if b.now().Before(b.until) {
			return false, b.openError()
		}
		b.set(halfOpen)
	}
	if b.probing {
		return false, b.openError()
	}
	b.probing = true
	return true, nil
}

// Done records how a call that Allow let through ended: probe is what
// Allow returned, err is the call's result.
func (b *Breaker) Done(probe bool, err error) {
	answered := b.Answered(err)
	refused := !answered && b.ConnectFailed(err)
	silent := !answered && !refused && b.Unanswered != nil && b.Unanswered(err)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case answered:
		b.reset()
	case refused || silent:
		b.last, b.silent = err, silent
		switch b.state {
		case closed:
			if b.failures++; b.failures < Threshold {
				return
			}
		case open:
			return // a call that started before the breaker opened
		}
		b.set(open)
		b.until, b.probing = b.now().Add(Cooldown), false
	case probe:
		b.probing = false
	}
}

// reset closes b. b.mu is held.
func (b *Breaker) reset() {
	b.set(closed)
	b.failures, b.probing, b.last = 0, false, nil
}

func (b *Breaker) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

// openError returns the error of a call that b stops. b.mu is held.
func (b *Breaker) openError() error {
	return &OpenError{prefix: b.Prefix, server: b.Server, last: b.last, silent: b.silent}
}

// An OpenError is the error of a call that an open Breaker stopped. It
// wraps the failure that opened the breaker.
type OpenError struct {
	prefix, server string
	last           error
	silent         bool
}

func (e *OpenError) Error() string {
	why := "the last connections to it failed"
	if e.silent {
		why = "it did not answer the last calls"
	}
	return fmt.Sprintf("%s: not calling %s for now: %s: %v", e.prefix, e.server, why, e.last)
}

func (e *OpenError) Unwrap() error { return e.last }
