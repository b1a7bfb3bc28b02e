package memstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/storetest"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestConformance(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	storetest.Run(t, newStore(t, &memstore.Options{Clock: c.Now}), &storetest.Options{Advance: c.Advance, MaxPerOwner: memstore.DefaultMaxPerOwner})
}

func TestSweep(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s := newStore(t, &memstore.Options{Clock: c.Now, SweepInterval: 64 * time.Second})
	ctx := context.Background()
	for range 1000 {
		if _, err := s.Create(ctx, core.Record{Payload: []byte(`{}`), TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Len(); got != 1000 {
		t.Fatalf("Len() = %d; want 1000", got)
	}
	c.Advance(2 * time.Minute)
	// One shard is swept per second of clock time: after 64 creates a second
	// apart, every shard has been swept once.
	for range 64 {
		c.Advance(time.Second)
		if _, err := s.Create(ctx, core.Record{Payload: []byte(`{}`), TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Len(); got != 64 {
		t.Fatalf("Len() after expiry and a full sweep = %d; want 64 (only the live records)", got)
	}
}

// newStore returns a memory store for opts, or fails t.
func newStore(t testing.TB, opts *memstore.Options) *memstore.Store {
	t.Helper()
	s, err := memstore.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// logCounter is a slog.Handler that counts the records it gets.
type logCounter struct{ n atomic.Int64 }

func (l *logCounter) Enabled(context.Context, slog.Level) bool  { return true }
func (l *logCounter) Handle(context.Context, slog.Record) error { l.n.Add(1); return nil }
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler        { return l }
func (l *logCounter) WithGroup(string) slog.Handler             { return l }

// TestBound floods the store with anonymous sessions, as cookieless
// requests to a login form do: it keeps within MaxSessions, the logged-in
// users' sessions stay, and the evictions are reported.
func TestBound(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	log := new(logCounter)
	s := newStore(t, &memstore.Options{Clock: c.Now, MaxSessions: 1000, Logger: slog.New(log)})
	ctx := context.Background()
	var users []string
	for i := range 100 {
		tok, err := s.Create(ctx, core.Record{Payload: []byte(`{}`), TTL: time.Hour, Owner: fmt.Sprint("user", i)})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, tok)
	}
	for range 20_000 {
		c.Advance(time.Millisecond)
		if _, err := s.Create(ctx, core.Record{Payload: []byte(`{"t":"csrf"}`), TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if n := s.Len(); n > 1000 {
			t.Fatalf("Len() = %d; want at most MaxSessions, 1000", n)
		}
	}
	for i, tok := range users {
		if _, _, err := s.Load(ctx, tok); err != nil {
			t.Fatalf("user%d's session after the flood: %v; want it kept (anonymous ones go first)", i, err)
		}
	}
	if log.n.Load() == 0 {
		t.Fatalf("nothing logged; want the evictions reported")
	}
	if log.n.Load() > 2 {
		t.Fatalf("%d reports in 20 seconds of clock time; want at most one a minute", log.n.Load())
	}
}

// TestIndexFlood logs one user in a thousand times: the store lists and
// keeps MaxPerOwner of her sessions and ends the others.
func TestIndexFlood(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s := newStore(t, &memstore.Options{Clock: c.Now})
	ctx := context.Background()
	for range 1000 {
		c.Advance(time.Second)
		if _, err := s.Create(ctx, core.Record{Payload: []byte(`{}`), TTL: time.Hour, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	listed, err := s.List(ctx, "alice")
	if err != nil || len(listed) != memstore.DefaultMaxPerOwner {
		t.Fatalf("List(alice) = %d sessions, %v; want %d", len(listed), err, memstore.DefaultMaxPerOwner)
	}
	if n := s.Len(); n != memstore.DefaultMaxPerOwner {
		t.Fatalf("Len() = %d; want %d: the others are ended", n, memstore.DefaultMaxPerOwner)
	}
}
