package pgstore_test

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// expire inserts n rows that expire at the clock's now + ttl, as many
// sessions would, in one statement.
func expire(t *testing.T, pool *pgxpool.Pool, c *clock, n int, ttl time.Duration) {
	t.Helper()
	now := c.Now()
	_, err := pool.Exec(ctx, `INSERT INTO sessions (key, payload, expires, owner, written)
		SELECT sha256(convert_to(gen_random_uuid()::text, 'UTF8')), '{}', $1, CASE WHEN i % 2 = 0 THEN 'u' || i END, $2
		FROM generate_series(1, $3) AS i`, now.Add(ttl), now, n)
	if err != nil {
		t.Fatalf("inserting %d rows: %v", n, err)
	}
}

// TestCleanup deletes expired rows, by the store's clock, in batches.
func TestCleanup(t *testing.T) {
	db, _ := migrated(t, nil)
	rt := &counter{}
	pool := newPool(t, db, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = rt })
	c := newClock()
	s := newStore(t, pool, &pgstore.Options{Clock: c.Now, CleanupBatch: 100})

	expire(t, pool, c, 449, time.Minute)
	var live []string
	for i := range 5 {
		live = append(live, create(t, s, owned(`{}`, string(rune('a'+i)))))
	}
	ended := create(t, s, record(`{}`))
	if err := s.Delete(ctx, ended); err != nil { // its marker expires after core.GoneTTL
		t.Fatal(err)
	}
	if n := countRows(t, pool); n != 455 {
		t.Fatalf("%d rows; want 455", n)
	}

	// Nothing has expired yet by the store's clock, although the
	// database's clock is years ahead.
	if n, err := s.Cleanup(ctx); err != nil || n != 0 {
		t.Fatalf("Cleanup before expiry = %d, %v; want 0", n, err)
	}
	c.Advance(2 * time.Minute)
	before := rt.queries.Load()
	n, err := s.Cleanup(ctx)
	if err != nil || n != 450 {
		t.Fatalf("Cleanup = %d, %v; want 450 (449 expired rows and one marker)", n, err)
	}
	if got := rt.queries.Load() - before; got != 5 {
		t.Errorf("Cleanup of 450 rows in batches of 100 ran %d statements; want 5", got)
	}
	if got := countRows(t, pool); got != len(live) {
		t.Fatalf("%d rows after Cleanup; want the %d live ones", got, len(live))
	}
	for _, tok := range live {
		if _, _, err := s.Load(ctx, tok); err != nil {
			t.Fatalf("Load of a live record after Cleanup = %v", err)
		}
	}
	if n, err := s.Cleanup(ctx); err != nil || n != 0 {
		t.Fatalf("Cleanup again = %d, %v; want 0", n, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Cleanup(ctx); err == nil {
		t.Fatal("Cleanup with a canceled context = nil; want an error")
	}
}

// TestCleanupLoop lets the store clean up by itself, then checks that
// Close stops its goroutine.
func TestCleanupLoop(t *testing.T) {
	_, pool := migrated(t, nil)
	if err := pool.Ping(ctx); err != nil { // the pool's goroutines are running
		t.Fatal(err)
	}
	c := newClock()
	expire(t, pool, c, 250, time.Minute)
	logs := &recorder{}
	base := runtime.NumGoroutine()
	s, err := pgstore.New(pool, &pgstore.Options{
		Clock:           c.Now,
		CleanupInterval: 10 * time.Millisecond,
		CleanupBatch:    100,
		Logger:          slog.New(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	live := create(t, s, record(`{}`))
	c.Advance(2 * time.Minute)
	poll(t, "the store to delete the expired rows", func() bool { return countRows(t, pool) == 1 })
	if _, _, err := s.Load(ctx, live); err != nil {
		t.Fatalf("Load of the live record = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitGoroutines(t, base)
	if logs.n() != 0 {
		t.Fatalf("the cleanup logged %d records; want none", logs.n())
	}
}

// TestCleanupLogs checks that the cleanup the store runs itself reports
// its failures through Options.Logger.
func TestCleanupLogs(t *testing.T) {
	_, pool := migrated(t, nil)
	logs := &recorder{}
	s := newStore(t, pool, &pgstore.Options{Table: "missing", CleanupInterval: 10 * time.Millisecond, Logger: slog.New(logs)})
	poll(t, "a failed cleanup to be logged", func() bool { return logs.n() > 0 })
	if _, err := s.Cleanup(ctx); err == nil || errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Cleanup of a missing table = %v; want PostgreSQL's error", err)
	}
}

// recorder is a slog.Handler that counts the records it gets.
type recorder struct {
	mu    sync.Mutex
	count int
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(context.Context, slog.Record) error {
	r.mu.Lock()
	r.count++
	r.mu.Unlock()
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }
func (r *recorder) n() int                             { r.mu.Lock(); defer r.mu.Unlock(); return r.count }
