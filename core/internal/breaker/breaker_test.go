package breaker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Errors a call through the breaker can end with: each store's own
// classifiers say which of its errors are which.
var (
	refused = os.NewSyscallError("connect", syscall.ECONNREFUSED) // no connection
	slow    = os.ErrDeadlineExceeded                              // no answer in time
	reply   = answer("ERR wrong number of arguments")             // an answer
)

// answer is an error that the test server sent.
type answer string

func (e answer) Error() string { return string(e) }

// fakeClock is the breaker's clock in the tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

// newTestBreaker returns a closed breaker on a fake clock, for a server
// whose answers are nil and answer errors, whose failed connections are
// refused ones, and whose unanswered calls end with a deadline on the
// connection.
func newTestBreaker() (*Breaker, *fakeClock) {
	c := &fakeClock{time.Unix(1e9, 0)}
	return &Breaker{
		Server: "the test server",
		Prefix: "teststore",
		Answered: func(err error) bool {
			var a answer
			return err == nil || errors.As(err, &a)
		},
		ConnectFailed: func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) },
		Unanswered:    func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) },
		Now:           c.now,
	}, c
}

// openBreaker returns a breaker that Threshold refused calls opened, and
// its clock.
func openBreaker() (*Breaker, *fakeClock) {
	b, clock := newTestBreaker()
	for range Threshold {
		call(b, refused)
	}
	return b, clock
}

// call runs one call through b that ends with err, and returns what the
// breaker made of it: nil if the call went through, the breaker's error
// if it was stopped.
func call(b *Breaker, err error) error {
	probe, stop := b.Allow()
	if stop != nil {
		return stop
	}
	b.Done(probe, err)
	return nil
}

// wantOpen fails t unless b stops the next call with an error that wraps
// the connection error.
func wantOpen(t *testing.T, b *Breaker, when string) {
	t.Helper()
	err := call(b, nil)
	var open *OpenError
	if !errors.As(err, &open) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("%s: call = %v; want it stopped with an error wrapping ECONNREFUSED", when, err)
	}
}

// wantClosed fails t unless b lets calls through.
func wantClosed(t *testing.T, b *Breaker, when string) {
	t.Helper()
	for range 2 * Threshold {
		if err := call(b, reply); err != nil {
			t.Fatalf("%s: call = %v; want it let through", when, err)
		}
	}
}

func TestOpensOnConnectionFailures(t *testing.T) {
	b, clock := newTestBreaker()
	for i := range Threshold - 1 {
		if err := call(b, refused); err != nil {
			t.Fatalf("failure %d: call = %v; want it let through", i+1, err)
		}
	}
	if err := call(b, reply); err != nil { // an answer in between: not in a row
		t.Fatal(err)
	}
	for range Threshold - 1 {
		call(b, refused)
	}
	if err := call(b, nil); err != nil {
		t.Fatalf("after %d failures, an answer, %d failures: call = %v; want it let through", Threshold-1, Threshold-1, err)
	}
	for range Threshold {
		call(b, refused)
	}
	wantOpen(t, b, fmt.Sprintf("after %d failures in a row", Threshold))
	clock.add(Cooldown - time.Millisecond)
	wantOpen(t, b, "just before the cooldown ends")
}

func TestHalfOpen(t *testing.T) {
	afterCooldown := func() (*Breaker, *fakeClock) {
		b, clock := openBreaker()
		clock.add(Cooldown)
		return b, clock
	}
	t.Run("the probe fails to connect", func(t *testing.T) {
		b, clock := afterCooldown()
		probe, err := b.Allow()
		if !probe || err != nil {
			t.Fatalf("Allow after the cooldown = %v, %v; want the probe", probe, err)
		}
		wantOpen(t, b, "while the probe is in flight")
		b.Done(probe, refused)
		wantOpen(t, b, "after the probe failed")
		clock.add(Cooldown)
		if probe, err := b.Allow(); !probe || err != nil {
			t.Fatalf("Allow a cooldown after the failed probe = %v, %v; want another probe", probe, err)
		}
	})
	t.Run("the probe is answered", func(t *testing.T) {
		b, _ := afterCooldown()
		probe, _ := b.Allow()
		b.Done(probe, reply)
		wantClosed(t, b, "after an answered probe")
	})
	t.Run("the probe is not answered", func(t *testing.T) {
		b, clock := afterCooldown()
		probe, _ := b.Allow()
		b.Done(probe, slow)
		if err := call(b, nil); !errors.Is(err, slow) {
			t.Fatalf("after a probe that was not answered: call = %v; want it stopped with an error wrapping %v", err, slow)
		}
		clock.add(Cooldown)
		if probe, err := b.Allow(); !probe || err != nil {
			t.Fatalf("Allow a cooldown after the unanswered probe = %v, %v; want another probe", probe, err)
		}
	})
	t.Run("the probe is canceled", func(t *testing.T) {
		b, _ := afterCooldown()
		probe, _ := b.Allow()
		b.Done(probe, context.Canceled)
		if probe, err := b.Allow(); !probe || err != nil {
			t.Fatalf("Allow after a probe that was canceled = %v, %v; want the next probe", probe, err)
		}
	})
}

// A call that started before the breaker opened, and then fails to
// connect, does not push the end of the cooldown back.
func TestLateFailureKeepsCooldown(t *testing.T) {
	b, clock := newTestBreaker()
	probe, err := b.Allow()
	if err != nil {
		t.Fatal(err)
	}
	for range Threshold {
		call(b, refused)
	}
	clock.add(Cooldown - time.Millisecond)
	b.Done(probe, refused)
	clock.add(time.Millisecond)
	if probe, err := b.Allow(); !probe || err != nil {
		t.Fatalf("Allow a cooldown after the breaker opened, a late failure in between = %v, %v; want the probe", probe, err)
	}
}

// A server that takes calls and answers none opens the breaker as a
// refused connection does, and the error says so.
func TestOpensOnUnansweredCalls(t *testing.T) {
	b, _ := newTestBreaker()
	for range Threshold {
		call(b, slow)
	}
	err := call(b, nil)
	var open *OpenError
	if !errors.As(err, &open) || !errors.Is(err, slow) || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("after %d unanswered calls: call = %v; want it stopped with an error that says the server did not answer", Threshold, err)
	}
}

// Waits that are not the server's never open the breaker: a call that
// waited for a connection of its pool, or for a CPU, until its own
// deadline, or that its caller canceled. A healthy server on an
// overloaded machine answers late, and must not be cut off. Nor do
// unanswered calls, for a store that does not tell them apart.
func TestIgnoresSlowCalls(t *testing.T) {
	for _, tt := range []struct {
		name       string
		unanswered bool
		errs       []error
	}{
		{"waits", true, []error{context.DeadlineExceeded, context.Canceled}},
		{"no Unanswered", false, []error{slow, context.DeadlineExceeded, context.Canceled}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := newTestBreaker()
			if !tt.unanswered {
				b.Unanswered = nil
			}
			for _, err := range tt.errs {
				for range 10 * Threshold {
					if stop := call(b, err); stop != nil {
						t.Fatalf("after calls that ended with %v: call = %v; want it let through", err, stop)
					}
				}
			}
		})
	}
}

// Of the calls that reach a half-open breaker at the same time, one is
// the probe and the others are stopped.
func TestOneProbeAtATime(t *testing.T) {
	b, clock := openBreaker()
	clock.add(Cooldown)
	const callers = 8
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		probes, stops int
		start         = make(chan struct{})
	)
	for range callers {
		wg.Go(func() {
			<-start
			probe, err := b.Allow() // the probe never ends: no Done
			mu.Lock()
			defer mu.Unlock()
			if probe {
				probes++
			}
			if err != nil {
				stops++
			}
		})
	}
	close(start)
	wg.Wait()
	if probes != 1 || stops != callers-1 {
		t.Errorf("%d calls at once on a half-open breaker: %d probes, %d stopped; want 1 probe, %d stopped", callers, probes, stops, callers-1)
	}
}

func TestOpenError(t *testing.T) {
	b, _ := openBreaker()
	_, err := b.Allow()
	const want = "teststore: not calling the test server for now: the last connections to it failed: connect: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("Allow on an open breaker = %v; want %q", err, want)
	}
	if !errors.Is(err, refused) {
		t.Errorf("Allow on an open breaker = %v; want it to wrap %v", err, refused)
	}
}
