package pgstore_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

var ctx = context.Background()

// clock is a settable clock for tests, at a time long past, so that a
// store that asked the database for the time would find every row expired.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_700_000_000, 0)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// counter is a pgx tracer that counts round trips to PostgreSQL: each
// statement or batch of statements sent, and each statement prepared (pgx
// prepares a statement on its first use on a connection, in a round trip
// of its own). It also counts connections made.
type counter struct {
	queries, prepares, connects atomic.Int64
}

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.queries.Add(1)
	return ctx
}

func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *counter) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return ctx
}

func (c *counter) TracePrepareEnd(_ context.Context, _ *pgx.Conn, d pgx.TracePrepareEndData) {
	if !d.AlreadyPrepared {
		c.prepares.Add(1)
	}
}

// A batch is one round trip: its statements are sent together.
func (c *counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.queries.Add(1)
	return ctx
}

func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (c *counter) TraceConnectStart(ctx context.Context, _ pgx.TraceConnectStartData) context.Context {
	c.connects.Add(1)
	return ctx
}

func (c *counter) TraceConnectEnd(context.Context, pgx.TraceConnectEndData) {}

// roundTrips returns the round trips counted so far.
func (c *counter) roundTrips() int64 { return c.queries.Load() + c.prepares.Load() }

// newPool returns a pool of connections to db's database, closed by
// t.Cleanup, with a 5-second ConnectTimeout and what configure sets.
func newPool(t testing.TB, db *pgtest.Server, configure func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if configure != nil {
		configure(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// migrated returns a new database with the table of opts, and a pool of
// connections to it.
func migrated(t testing.TB, opts *pgstore.Options) (*pgtest.Server, *pgxpool.Pool) {
	t.Helper()
	db := pgtest.Start(t)
	pool := db.Pool(t)
	if err := pgstore.Migrate(ctx, pool, opts); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	return db, pool
}

// newStore returns a Store over pool, closed by t.Cleanup. Its cleanup
// goroutine is off unless opts turn it on.
func newStore(t testing.TB, pool *pgxpool.Pool, opts *pgstore.Options) *pgstore.Store {
	t.Helper()
	var o pgstore.Options
	if opts != nil {
		o = *opts
	}
	if o.CleanupInterval == 0 {
		o.CleanupInterval = -1
	}
	s, err := pgstore.New(pool, &o)
	if err != nil {
		t.Fatalf("pgstore.New = %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// countRows returns the number of rows in the table "sessions".
func countRows(t testing.TB, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatalf("counting rows: %v", err)
	}
	return n
}

// record is a Record of payload p that lives an hour.
func record(p string) core.Record { return core.Record{Payload: []byte(p), TTL: time.Hour} }

// owned is a Record of payload p that lives an hour, of owner.
func owned(p, owner string) core.Record {
	return core.Record{Payload: []byte(p), TTL: time.Hour, Owner: owner}
}

// create stores r, failing t on error.
func create(t testing.TB, s core.Store, r core.Record) string {
	t.Helper()
	tok, err := s.Create(ctx, r)
	if err != nil {
		t.Fatalf("Create = %v", err)
	}
	return tok
}

// wantNotFound fails t unless store has no record for token.
func wantNotFound(t testing.TB, store core.Store, token string) {
	t.Helper()
	if got, _, err := store.Load(ctx, token); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Load(%.10s...) = %q, %v; want core.ErrNotFound", token, got, err)
	}
}

// waitGoroutines fails t unless the number of goroutines falls back to
// base within a generous deadline.
func waitGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			var buf bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
			t.Fatalf("%d goroutines; want %d at most. Goroutines:\n%s", runtime.NumGoroutine(), base, buf.String())
		}
		time.Sleep(20 * time.Millisecond) // polling
	}
}

// poll calls cond until it returns true, and fails t if it has not
// within a generous deadline.
func poll(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling
	}
}
