package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// evictionLog is a slog.Handler that adds up the evictions the store
// reports.
type evictionLog struct {
	mu      sync.Mutex
	reports int
	counts  map[string]int64 // "anonymous", "ended", "users"
}

func (l *evictionLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *evictionLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports++
	if l.counts == nil {
		l.counts = map[string]int64{}
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Value.Kind() == slog.KindInt64 {
			l.counts[a.Key] += a.Value.Int64()
		}
		return true
	})
	return nil
}
func (l *evictionLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *evictionLog) WithGroup(string) slog.Handler      { return l }

func (l *evictionLog) count(key string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[key]
}

// state is what Load says of a token: "live", "gone" (a marker) or
// "unknown".
func state(t *testing.T, s *memstore.Store, token string) string {
	t.Helper()
	_, _, err := s.Load(context.Background(), token)
	switch {
	case err == nil:
		return "live"
	case errors.Is(err, core.ErrGone):
		return "gone"
	case errors.Is(err, core.ErrNotFound):
		return "unknown"
	}
	t.Fatalf("Load: %v", err)
	return ""
}

// TestEvictionOrder fills a store to its bound with records of every kind,
// spread over its shards, and then adds users' sessions one at a time: each
// evicts exactly the record that the order says, across the whole store:
// the expired ones, then the anonymous sessions least recently written
// first, then the markers of ended sessions in the order they were ended,
// then the users' sessions least recently written first. The evictions of
// live records are reported through the Logger, by kind.
func TestEvictionOrder(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	log := new(evictionLog)
	const bound = 200
	s := newStore(t, &memstore.Options{Clock: c.Now, MaxSessions: bound, MaxPerOwner: bound, SweepInterval: 1000 * time.Hour, Logger: slog.New(log)})
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 2))
	users := 0
	create := func(owner bool, ttl time.Duration) string {
		t.Helper()
		c.Advance(time.Millisecond)
		r := core.Record{Payload: []byte(`{}`), TTL: ttl}
		if owner {
			r.Owner = fmt.Sprint("user", users)
			users++
		}
		tok, err := s.Create(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	touch := func(tok string) {
		t.Helper()
		c.Advance(time.Millisecond)
		if _, err := s.Update(ctx, tok, nil, core.Record{Payload: []byte(`{"n":1}`), TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}

	// 20 sessions that expire, anonymous and users', written first.
	for i := range 20 {
		create(i%2 == 1, time.Minute)
	}
	var anon, owned, toEnd []string
	for range 60 {
		anon = append(anon, create(false, time.Hour))
		owned = append(owned, create(true, time.Hour))
		toEnd = append(toEnd, create(false, time.Hour))
	}
	c.Advance(2 * time.Minute) // the first 20 expire
	// Markers, ended in an order of their own; then half of the
	// sessions written again, in an order of their own.
	rnd.Shuffle(len(toEnd), func(i, j int) { toEnd[i], toEnd[j] = toEnd[j], toEnd[i] })
	for _, tok := range toEnd {
		c.Advance(time.Millisecond)
		if err := s.Delete(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	reorder := func(toks []string) []string {
		i := rnd.Perm(len(toks))[:len(toks)/2]
		var stay, again []string
		touched := map[int]bool{}
		for _, j := range i {
			touched[j] = true
			again = append(again, toks[j])
		}
		for j, tok := range toks {
			if !touched[j] {
				stay = append(stay, tok)
			}
		}
		for _, tok := range again {
			touch(tok)
		}
		return append(stay, again...)
	}
	anon, owned = reorder(anon), reorder(owned)
	if n := s.Len(); n != bound {
		t.Fatalf("Len() = %d; want %d", n, bound)
	}

	// Each new user's session evicts one record.
	want := map[string]string{}
	for _, tok := range anon {
		want[tok] = "live"
	}
	for _, tok := range owned {
		want[tok] = "live"
	}
	for _, tok := range toEnd {
		want[tok] = "gone"
	}
	check := func(step string) {
		t.Helper()
		for tok, w := range want {
			if got := state(t, s, tok); got != w {
				t.Fatalf("%s: a record is %s; want %s", step, got, w)
			}
		}
		if n := s.Len(); n != bound {
			t.Fatalf("%s: Len() = %d; want %d", step, n, bound)
		}
	}
	for i := range 20 {
		create(true, time.Hour)
		check(fmt.Sprintf("the expired ones first: insert %d", i))
	}
	for i, tok := range anon {
		create(true, time.Hour)
		want[tok] = "unknown"
		check(fmt.Sprintf("anonymous sessions, least recently written first: insert %d", i))
	}
	for i, tok := range toEnd {
		create(true, time.Hour)
		want[tok] = "unknown"
		check(fmt.Sprintf("markers, in the order the sessions ended: insert %d", i))
	}
	for i, tok := range owned {
		create(true, time.Hour)
		want[tok] = "unknown"
		check(fmt.Sprintf("users' sessions, least recently written first: insert %d", i))
	}

	c.Advance(2 * time.Minute)
	create(true, time.Hour) // a report is due
	if got := log.count("anonymous"); got != 60 {
		t.Errorf("anonymous sessions reported evicted: %d; want 60", got)
	}
	if got := log.count("ended"); got != 60 {
		t.Errorf("markers reported evicted: %d; want 60", got)
	}
	if got := log.count("users"); got != 61 {
		t.Errorf("users' sessions reported evicted: %d; want 61 (the expired ones are not evictions)", got)
	}
	if log.reports != 2 {
		t.Errorf("%d reports; want 2 (one a minute)", log.reports)
	}
}
