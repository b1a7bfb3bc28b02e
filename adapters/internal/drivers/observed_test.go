package drivers_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/extra/redisotel/v9"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestObserved runs the shared suite on each store with an Observer that
// records into OpenTelemetry's in-memory reader and span recorder (the
// Managers' and the store's), and checks that each scenario moved its
// instruments: a login, a logout, a conflict, a session ended by its
// user, a rejected cookie; then an eviction and a store outage, on
// stores of their own. Last, it scans every attribute recorded, the
// spans of pgx and go-redis included, for a session's identifiers.
func TestObserved(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		tm := newTelemetry(t)
		store, err := memstore.New(&memstore.Options{Observer: tm.obs})
		if err != nil {
			t.Fatal(err)
		}
		suite(t, tm, store, true)
		evictions(t, tm)
		t.Logf("scanned %d attributes", tm.scan(t))
	})
	t.Run("cookiestore", func(t *testing.T) {
		tm := newTelemetry(t)
		store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"an example secret of at least 32 bytes"}})
		if err != nil {
			t.Fatal(err)
		}
		suite(t, tm, store, false)
		t.Logf("scanned %d attributes", tm.scan(t))
	})
	t.Run("postgres", func(t *testing.T) {
		tm := newTelemetry(t)
		db := pgtest.Start(t)
		cfg, err := pgstore.PoolConfig(db.URL(), &pgstore.Options{TracerProvider: tm.tp})
		if err != nil {
			t.Fatal(err)
		}
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		if err := pgstore.Migrate(context.Background(), pool, nil); err != nil {
			t.Fatal(err)
		}
		store, err := pgstore.New(pool, &pgstore.Options{Observer: tm.obs})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		suite(t, tm, store, true)
		tm.wantMoved(t, moved{"a store call", "transient.store.operation.duration", []string{"transient.store=pgstore", "transient.store.operation=update_locked"}})

		down, err := pgstore.NewFromURL(pgtest.UnreachableURL(t), &pgstore.Options{Observer: tm.obs, TracerProvider: tm.tp, CleanupInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = down.Close() })
		outage(t, tm, down, "pgstore")
		wantScopes(t, tm, otelsessionScope, "github.com/exaring/otelpgx")
		t.Logf("scanned %d attributes", tm.scan(t))
	})
	t.Run("redis", func(t *testing.T) {
		tm := newTelemetry(t)
		srv := redistest.Start(t)
		store, err := redisstore.NewFromURL(srv.URL(), &redisstore.Options{
			Prefix: "observed-" + core.NewID()[:8] + ":", Observer: tm.obs, TracerProvider: tm.tp,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		suite(t, tm, store, true)
		tm.wantMoved(t, moved{"a store call", "transient.store.operation.duration", []string{"transient.store=redisstore", "transient.store.operation=update_locked"}})

		down, err := redisstore.NewFromURL(redistest.UnreachableURL(t), &redisstore.Options{Observer: tm.obs, TracerProvider: tm.tp})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = down.Close() })
		outage(t, tm, down, "redisstore")
		wantScopes(t, tm, otelsessionScope, redisotelScope)
		t.Logf("scanned %d attributes", tm.scan(t))
	})
	t.Run("redis cluster", func(t *testing.T) {
		tm := newTelemetry(t)
		client := redistest.StartCluster(t).Client(t)
		// A client the application builds: it instruments it, without
		// the commands' arguments.
		if err := redisotel.InstrumentTracing(client, redisotel.WithTracerProvider(tm.tp), redisotel.WithDBStatement(false)); err != nil {
			t.Fatal(err)
		}
		store, err := redisstore.New(client, &redisstore.Options{Observer: tm.obs})
		if err != nil {
			t.Fatal(err)
		}
		suite(t, tm, store, true)
		wantScopes(t, tm, otelsessionScope, redisotelScope)
		t.Logf("scanned %d attributes", tm.scan(t))
	})
}

const redisotelScope = "github.com/redis/go-redis/extra/redisotel"

const otelsessionScope = "github.com/transient-go/transient/core/otelsession"

// suite runs the shared suite on store with tm's Observer, and checks what
// it recorded.
func suite(t *testing.T, tm *telemetry, store core.Store, serverSide bool) {
	t.Helper()
	t.Run("suite", func(t *testing.T) { adaptertest.RunStoreObserved(t, adaptertest.NetHTTP{}, store, tm.obs) })
	tm.wantMoved(t,
		moved{"a login", "transient.session.renewed", nil},
		moved{"a new session", "transient.session.created", nil},
		moved{"a login", "transient.commits", []string{"transient.commit.outcome=written"}},
		moved{"a logout", "transient.session.invalidated", nil},
		moved{"a request that changed nothing", "transient.commits", []string{"transient.commit.outcome=unchanged"}},
		moved{"a tampered cookie", "transient.cookie.rejected", []string{"transient.cookie.reason=tampered"}},
		moved{"an oversized cookie", "transient.cookie.rejected", []string{"transient.cookie.reason=oversized"}},
		moved{"cookie tossing", "transient.cookie.rejected", []string{"transient.cookie.reason=duplicated"}},
		moved{"an expired session", "transient.cookie.rejected", []string{"transient.cookie.reason=expired"}},
	)
	if !serverSide {
		return
	}
	tm.wantMoved(t,
		moved{"a conflict", "transient.commits", []string{"transient.commit.outcome=conflict_retried"}},
		moved{"a conflict", "transient.commit.conflicts", nil},
		moved{"a session ended meanwhile", "transient.commits", []string{"transient.commit.outcome=ended"}},
		moved{"a session ended by its user", "transient.session.ended", nil},
		moved{"a replayed cookie", "transient.cookie.rejected", []string{"transient.cookie.reason=unknown"}},
		moved{"a late request", "transient.cookie.rejected", []string{"transient.cookie.reason=ended"}},
		moved{"a bound session's cookie copied elsewhere", "transient.cookie.rejected", []string{"transient.cookie.reason=unbound"}},
		moved{"a store call", "transient.store.operation.duration", []string{"transient.store.operation=load"}},
	)
}

// evictions logs four users in to a memory store of two sessions, which
// evicts users' sessions: there is nothing else.
func evictions(t *testing.T, tm *telemetry) {
	t.Helper()
	small, err := memstore.New(&memstore.Options{MaxSessions: 2, Observer: tm.obs, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := testkit.NewManager(t, small, func(o *core.Options) { o.Observer = tm.obs })
	base := app(t, m)
	for _, user := range []string{"alice-1", "alice-2", "alice-3", "bob-1"} {
		loginAs(t, base, user)
	}
	tm.wantMoved(t, moved{"an eviction", "transient.store.evictions", []string{"transient.store=memstore", "transient.record.kind=user"}})
	if n := tm.sum(t, "transient.store.record.count"); n <= 0 {
		t.Errorf("transient.store.record.count = %d; want the records the memory stores hold", n)
	}
}

// outage sends requests to an application of down, a store whose server
// does not listen: they fail with 503, and the store's errors say why.
func outage(t *testing.T, tm *telemetry, down core.Store, name string) {
	t.Helper()
	m, _ := testkit.NewManager(t, down, func(o *core.Options) { o.Observer = tm.obs })
	base := app(t, m)
	for range 4 {
		if code, _ := visit(t, base, "GET", "/", core.NewID()); code != http.StatusServiceUnavailable {
			t.Fatalf("a request while %s is down = %d; want 503", name, code)
		}
	}
	tm.wantMoved(t,
		moved{"a store outage", "transient.store.errors", []string{"transient.store=" + name, "error.type=refused"}},
		moved{"a store outage", "transient.store.errors", []string{"transient.store=" + name, "error.type=breaker_open"}},
		moved{"a store outage", "transient.store.breaker.state", []string{"transient.store=" + name, "transient.breaker.state=open"}},
	)
}

// wantScopes checks that spans of each of scopes were recorded.
func wantScopes(t *testing.T, tm *telemetry, scopes ...string) {
	t.Helper()
	got := tm.scopes()
	for _, s := range scopes {
		if !got[s] {
			t.Errorf("no span of %s was recorded; spans of %v were", s, got)
		}
	}
}
