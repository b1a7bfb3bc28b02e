package memstore_test

import (
	"context"
	"sync"
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
	storetest.Run(t, mustMemstore(&memstore.Options{Clock: c.Now}), &storetest.Options{Advance: c.Advance})
}

func TestSweep(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s := mustMemstore(&memstore.Options{Clock: c.Now, SweepInterval: 64 * time.Second})
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

// mustMemstore returns a memory store for opts, which may be left out.
func mustMemstore(opts ...*memstore.Options) *memstore.Store {
	var o *memstore.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := memstore.New(o)
	if err != nil {
		panic(err)
	}
	return s
}
