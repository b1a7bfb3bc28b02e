package pgstore_test

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// hungFailFast is how soon a call must fail once PostgreSQL hangs: a
// requirement (a session page answers 503 within it), not a test timeout.
const hungFailFast = 1500 * time.Millisecond

// TestHung stops PostgreSQL (SIGSTOP, every process of it) under a run of
// concurrent callers: it still accepts connections, but answers nothing.
// Every call fails within hungFailFast, on open connections, new ones and
// those the pool pings alike, with an error that names the server and is
// not core.ErrNotFound; once PostgreSQL runs again (SIGCONT) every caller
// succeeds within recovery, on the same store.
func TestHung(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pgtest pauses a server on Linux only")
	}
	srv := pgtest.StartLocal(t)
	if err := pgstore.Migrate(ctx, srv.Pool(t), nil); err != nil {
		t.Fatal(err)
	}
	stalls := startStallMeter(t)
	base := runtime.NumGoroutine()
	s, err := pgstore.NewFromURL(srv.URL(), &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := startLoad(t, s)

	srv.Pause(t)
	down := time.Now()
	// Long enough for the pool's connections to sit idle past the second
	// after which pgxpool pings them, and for the breaker to let several
	// probes through.
	poll(t, "calls to fail for a while", func() bool { return l.failures.Load() >= 50 && time.Since(down) > 4*time.Second })
	srv.Resume(t)
	up := time.Now()
	poll(t, "every caller to succeed again", func() bool { return l.succeededAfter(up) })
	l.halt()

	o := l.outage(down, up)
	stalled := stalls.max()
	t.Logf("hung %v: %d calls failed, %d of them refused by the breaker, the slowest in %v (the machine stalled the process for %v at most); after SIGCONT every caller succeeded within %v",
		up.Sub(down).Round(time.Millisecond), o.failed, o.refused, o.slowest.Round(time.Millisecond), stalled.Round(time.Millisecond), o.recovered.Round(time.Millisecond))
	if o.slowest >= hungFailFast+stalled {
		t.Errorf("a call failed %v after PostgreSQL hung; want within %v (and %v the machine stalled the process)", o.slowest, hungFailFast, stalled)
	}
	if o.recovered >= recovery {
		t.Errorf("a caller's calls succeeded again %v after PostgreSQL was resumed; want within %v", o.recovered, recovery)
	}
	wantNoLeaks(t, s, srv, base)
}

// TestHungIdle stops PostgreSQL while the store's connections are idle,
// for longer than the second after which pgxpool pings a connection before
// handing it out, and calls it once at a time: each call fails within
// hungFailFast, though the ping of each idle connection, then the
// connection attempt that follows, would each take longer.
func TestHungIdle(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pgtest pauses a server on Linux only")
	}
	srv := pgtest.StartLocal(t)
	if err := pgstore.Migrate(ctx, srv.Pool(t), nil); err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.NewFromURL(srv.URL(), &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok := create(t, s, record("n=0"))
	// Four connections, all idle.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _, _, _ = s.Load(ctx, tok) })
	}
	wg.Wait()
	stalls := startStallMeter(t)

	srv.Pause(t)
	for i := range 5 {
		time.Sleep(1100 * time.Millisecond) // the connections idle past pgxpool's second: the scenario, not synchronisation
		start := time.Now()
		_, _, err := s.Load(ctx, tok)
		took := time.Since(start)
		t.Logf("call %d while hung: after %v: %v", i, took.Round(time.Millisecond), err)
		if err == nil || errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "PostgreSQL at 127.0.0.1:") {
			t.Fatalf("call %d while hung = %v; want a failure that names PostgreSQL's address", i, err)
		}
		if stalled := stalls.max(); took >= hungFailFast+stalled {
			t.Errorf("call %d while hung failed after %v; want within %v (and %v the machine stalled the process)", i, took, hungFailFast, stalled)
		}
	}
	srv.Resume(t)
	up := time.Now()
	poll(t, "a call to succeed", func() bool { _, _, err := s.Load(ctx, tok); return err == nil })
	if d := time.Since(up); d >= recovery {
		t.Errorf("calls succeeded again %v after PostgreSQL was resumed; want within %v", d, recovery)
	}
}

// A stallMeter measures how long the machine stops the test's process at
// worst: a goroutine that sleeps 5ms at a time records the longest it
// overslept. Every call in flight waits as long, whatever the store does.
type stallMeter struct{ worst atomic.Int64 }

// startStallMeter starts a stallMeter, stopped by t.Cleanup.
func startStallMeter(t *testing.T) *stallMeter {
	m := &stallMeter{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		const tick = 5 * time.Millisecond
		for {
			start := time.Now()
			select {
			case <-stop:
				return
			case <-time.After(tick):
			}
			if over := int64(time.Since(start) - tick); over > m.worst.Load() {
				m.worst.Store(over)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return m
}

// max returns the longest stall so far.
func (m *stallMeter) max() time.Duration { return time.Duration(m.worst.Load()) }
