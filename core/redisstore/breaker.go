package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// The breaker's settings: see the Failures section of the package
// documentation.
const (
	// breakerThreshold is how many calls in a row must fail to connect,
	// with no call answered in between, before the breaker opens.
	breakerThreshold = 3

	// breakerCooldown is how long the breaker stays open before it lets
	// one call through to try again.
	breakerCooldown = 500 * time.Millisecond
)

// A breaker is the circuit breaker NewFromURL installs on its client as a
// go-redis hook. It opens only when calls fail to connect (a dial error:
// refused, unreachable, no such host, or no answer to the connection
// attempt within the connect budget), never because an answer is slow:
// a healthy Redis on an overloaded machine answers late, and must not be
// cut off. While it is open, calls fail at once, without waiting for a
// connection or dialing, and without go-redis logging a failed dial for
// each of them. It is safe for concurrent use.
//
//   - closed: calls go through. breakerThreshold calls in a row that fail
//     to connect, with none answered in between, open it.
//   - open: calls fail at once with the last connection error, for
//     breakerCooldown; then it is half-open.
//   - half-open: one call at a time goes through, as a probe; the others
//     fail at once. A call that Redis answers (even with an error reply),
//     or any new connection made, closes the breaker; a probe that fails
//     to connect opens it again for breakerCooldown; a probe that ends
//     otherwise (a timeout, a canceled request) lets the next call probe.
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

var _ redis.Hook = (*breaker)(nil)

func newBreaker() *breaker { return &breaker{now: time.Now} }

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
	switch {
	case answered(err):
		b.succeed()
	case connectFailed(err):
		b.fail(err)
	case probe:
		b.mu.Lock()
		b.probing = false
		b.mu.Unlock()
	}
}

// succeed closes the breaker: Redis answered, or accepted a connection.
func (b *breaker) succeed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state, b.failures, b.probing, b.last = closed, 0, false, nil
}

// fail records a call that failed to connect.
func (b *breaker) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
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
}

// answered reports whether err, a call's result, shows that Redis
// answered: no error, a nil reply or an error reply.
func answered(err error) bool {
	var reply redis.Error
	return err == nil || errors.As(err, &reply)
}

// connectFailed reports whether err shows that no connection to Redis
// could be made. go-redis returns the dialer's error (a *net.OpError of
// Op "dial") both for a dial it tried and, once dials have failed as many
// times as the pool has connections, for the dials it then skips.
func connectFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// handshake reports whether cmd is one that go-redis sends on a new
// connection before the call that needed it (HELLO, AUTH, SELECT, CLIENT
// SETNAME and the like): the breaker neither stops nor counts those.
func handshake(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "select", "client", "readonly":
		return true
	}
	return false
}

func (b *breaker) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err == nil {
			b.succeed()
		}
		// A failure is counted once, by the call that needed the
		// connection, whatever go-redis retried on the way.
		return conn, err
	}
}

func (b *breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if handshake(cmd) {
			return next(ctx, cmd)
		}
		probe, err := b.allow()
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		err = next(ctx, cmd)
		b.done(probe, err)
		return err
	}
}

func (b *breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && handshake(cmds[0]) {
			return next(ctx, cmds)
		}
		probe, err := b.allow()
		if err != nil {
			for _, cmd := range cmds {
				cmd.SetErr(err)
			}
			return err
		}
		err = next(ctx, cmds)
		b.done(probe, err)
		return err
	}
}

// openError is the error of a call that the open breaker did not let
// through. It wraps the connection error that opened the breaker.
type openError struct{ last error }

func (e *openError) Error() string {
	return fmt.Sprintf("redisstore: not calling Redis for now: the last connections to it failed: %v", e.last)
}

func (e *openError) Unwrap() error { return e.last }
