package memstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// tally is a core.Observer that counts what memstore tells it.
type tally struct {
	mu      sync.Mutex
	calls   map[string]int // by op
	ended   int            // calls that ended
	records int            // the sum of Records' deltas
	evicted map[string]int // by kind
}

func (c *tally) observer() *core.Observer {
	c.calls, c.evicted = map[string]int{}, map[string]int{}
	return &core.Observer{
		StoreCall: func(ctx context.Context, store, op string) (context.Context, func(string)) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if store != "memstore" {
				panic("store " + store)
			}
			c.calls[op]++
			return ctx, func(failure string) {
				c.mu.Lock()
				defer c.mu.Unlock()
				if failure != "" {
					panic("a memstore call failed: " + failure)
				}
				c.ended++
			}
		},
		Records: func(store string, delta int) {
			c.mu.Lock()
			c.records += delta
			c.mu.Unlock()
		},
		Evicted: func(store, kind string) {
			c.mu.Lock()
			c.evicted[kind]++
			c.mu.Unlock()
		},
	}
}

// TestObserver checks that the store tells its Observer of every call, of
// the records it holds, as Len counts them, and of each record it evicts,
// by kind.
func TestObserver(t *testing.T) {
	var c tally
	clock := time.Unix(1_800_000_000, 0)
	s, err := memstore.New(&memstore.Options{MaxSessions: 4, Observer: c.observer(), Logger: quiet, Clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := core.Record{Payload: []byte("p"), TTL: time.Hour}
	user := core.Record{Payload: []byte("u"), TTL: time.Hour, Owner: "alice"}
	tok, _ := s.Create(ctx, user)
	_, _, _ = s.Load(ctx, tok)
	_, _ = s.Update(ctx, tok, nil, user)
	tok, _ = s.Renew(ctx, tok, nil, user) // leaves a marker
	_, _ = s.UpdateLocked(ctx, tok, false, func([]byte) (core.Record, error) { return user, nil })
	listed, _ := s.List(ctx, "alice")
	other, _ := s.Create(ctx, r)
	_ = s.Delete(ctx, other) // a second marker
	for range 3 {            // 4 records, then 5 and 6: the two anonymous sessions before the last are evicted
		_, _ = s.Create(ctx, r)
	}
	_ = s.End(ctx, "alice", listed[0].Handle)

	want := map[string]int{"create": 5, "load": 1, "update": 1, "renew": 1, "update_locked": 1, "list": 1, "delete": 1, "end": 1}
	if !maps.Equal(c.calls, want) {
		t.Errorf("calls %v; want %v", c.calls, want)
	}
	if c.ended != 12 {
		t.Errorf("%d calls ended; want 12", c.ended)
	}
	if c.records != s.Len() {
		t.Errorf("Records added up to %d; Len = %d", c.records, s.Len())
	}
	if got := fmt.Sprint(c.evicted); got != "map[anonymous:2]" {
		t.Errorf("evicted %s; want map[anonymous:2]", got)
	}

	// Users' sessions only, and a marker: the marker goes first.
	c = tally{}
	s, err = memstore.New(&memstore.Options{MaxSessions: 2, Observer: c.observer(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ = s.Create(ctx, user)
	_ = s.Delete(ctx, tok)
	for range 3 {
		_, _ = s.Create(ctx, user)
	}
	if got := fmt.Sprint(c.evicted); got != "map[ended:1 user:1]" {
		t.Errorf("evicted %s; want map[ended:1 user:1]", got)
	}
}

var quiet = slog.New(slog.DiscardHandler)

// TestObserverUnderLoad checks that the records the Observer is told of
// add up to Len while many goroutines write and evict at once.
func TestObserverUnderLoad(t *testing.T) {
	var c tally
	s, err := memstore.New(&memstore.Options{MaxSessions: 100, Observer: c.observer(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			for j := range 200 {
				r := core.Record{Payload: []byte("p"), TTL: time.Hour}
				if j%3 == 0 {
					r.Owner = fmt.Sprint("user", i)
				}
				tok, _ := s.Create(ctx, r)
				if j%2 == 0 {
					_ = s.Delete(ctx, tok)
				}
			}
		})
	}
	wg.Wait()
	if c.records != s.Len() {
		t.Errorf("Records added up to %d; Len = %d", c.records, s.Len())
	}
	var evicted int
	for _, n := range c.evicted {
		evicted += n
	}
	if evicted == 0 || !slices.Contains(slices.Collect(maps.Keys(c.evicted)), "anonymous") {
		t.Errorf("evicted %v; want anonymous sessions among them", c.evicted)
	}
}
