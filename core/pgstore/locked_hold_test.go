package pgstore_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// TestUpdateLockedHungHolder has a holder stop while it holds a record, as
// an app server that hangs would, and another writer wait for its turn:
// PostgreSQL ends the hold within its bound (half the answer budget), the
// writer writes, and what the holder sends once it runs again is refused;
// it takes a new turn, with the record as the writer left it, and writes.
func TestUpdateLockedHungHolder(t *testing.T) {
	_, pool := migrated(t, nil)
	const budget = 2 * time.Second // a bound on the hold of 1s
	s := newStore(t, pool, &pgstore.Options{QueryTimeout: budget})
	tok := create(t, s, record("v"))
	h := hold(s, tok, false, ",h")

	start := time.Now()
	if _, err := s.UpdateLocked(ctx, tok, false, func(current []byte) (core.Record, error) {
		return record(string(current) + ",w"), nil
	}); err != nil {
		t.Fatalf("UpdateLocked behind a hung holder = %v", err)
	}
	waited := time.Since(start)
	t.Logf("the writer behind the hung holder had its turn after %v", waited.Round(time.Millisecond))
	if waited < budget/2-100*time.Millisecond {
		t.Errorf("the writer had its turn after %v, before the hold's bound of %v", waited, budget/2)
	}
	close(h.release)
	if err := <-h.done; err != nil {
		t.Fatalf("the hung holder's UpdateLocked, once it runs again = %v; want it written on a new turn", err)
	}
	if want := []string{"v", "v,w"}; !slices.Equal(h.calls, want) {
		t.Errorf("the hung holder's change was called with %q; want %q: once for its lost hold, once for its new turn", h.calls, want)
	}
	if p, _, err := s.Load(ctx, tok); err != nil || string(p) != "v,w,h" {
		t.Errorf("Load = %q, %v; want v,w,h: the holder's first write refused", p, err)
	}
}

// TestUpdateLockedContention has 32 writers each write a key of its own
// in one record 50 times, all under UpdateLocked at once: every write
// succeeds, and every key ends at its writer's last value.
func TestUpdateLockedContention(t *testing.T) {
	_, pool := migrated(t, nil)
	s := newStore(t, pool, nil) // the defaults: a pool of 4 connections, a budget of 1s
	tok := create(t, s, record(`{}`))
	const writers, writes = 32, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	took := make([][]time.Duration, writers)
	for w := range writers {
		wg.Go(func() {
			for i := 1; i <= writes; i++ {
				start := time.Now()
				_, err := s.UpdateLocked(ctx, tok, false, func(current []byte) (core.Record, error) {
					var m map[string]int
					if err := json.Unmarshal(current, &m); err != nil {
						return core.Record{}, err
					}
					m[fmt.Sprint(w)] = i
					b, err := json.Marshal(m)
					return record(string(b)), err
				})
				took[w] = append(took[w], time.Since(start))
				if err != nil {
					errs <- fmt.Errorf("writer %d, write %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	p, _, err := s.Load(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]int
	if err := json.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		if m[fmt.Sprint(w)] != writes {
			t.Errorf("key %d = %d; want %d", w, m[fmt.Sprint(w)], writes)
		}
	}
	all := slices.Concat(took...)
	slices.Sort(all)
	if len(all) > 0 {
		t.Logf("%d writes by %d writers: latency p50 %v, p99 %v, max %v", len(all), writers,
			all[len(all)/2].Round(time.Microsecond), all[len(all)*99/100].Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond))
	}
}
