package bench_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// liveSessions is how many sessions BenchmarkLiveSessions keeps.
const liveSessions = 100_000

// BenchmarkLiveSessions puts liveSessions sessions, each holding the
// benchmarks' data, in a memstore through the Manager, as logins through
// the middleware would, and reports the heap they take once the garbage of
// making them is collected: B/session and MB/100k. Run it with
// -benchtime=1x: an iteration makes all of them.
func BenchmarkLiveSessions(b *testing.B) {
	var grown uint64
	iterations := 0
	for b.Loop() {
		store, err := memstore.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		m := newManager(b, store)
		before := heapInUse()
		for range liveSessions {
			login(b, m)
		}
		after := heapInUse()
		if n := store.Len(); n != liveSessions {
			b.Fatalf("store holds %d sessions; want %d", n, liveSessions)
		}
		runtime.KeepAlive(store)
		grown += after - before
		iterations++
	}
	perSession := float64(grown) / float64(iterations) / liveSessions
	b.ReportMetric(perSession, "B/session")
	b.ReportMetric(perSession*liveSessions/1e6, "MB/100k") // benchstat shows it as B/100k
}

// login makes one session through m, as a login request does: Begin, the
// first use (no cookie: a new session), two Sets, Commit and Finish.
func login(b *testing.B, m *core.Manager) { visit(b, m, ourLogin) }

// heapInUse returns the bytes of live heap objects after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// floodVisitors is how many cookieless visitors BenchmarkMemstoreFlood
// sends, five times memstore's default MaxSessions.
const floodVisitors = 5 * memstore.DefaultMaxSessions

// BenchmarkMemstoreFlood sends floodVisitors cookieless requests to a
// login form, each of which makes a session for its CSRF token, to a
// memstore with the default bound (DefaultMaxSessions), after 1,000 users
// have logged in. It reports the heap the store takes at the end
// (MB/flood) and per record held (B/record): the store evicts anonymous
// sessions to stay within the bound, so the heap stops growing there, and
// the users' sessions stay (the benchmark fails if one is evicted). Run it
// with -benchtime=1x.
func BenchmarkMemstoreFlood(b *testing.B) {
	var grown uint64
	iterations := 0
	for b.Loop() {
		store, err := memstore.New(&memstore.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		m := newManager(b, store)
		before := heapInUse()
		var users []string
		for i := range 1000 {
			owner := fmt.Sprint("user", i)
			users = append(users, visit(b, m, func(s *core.Session) { s.SetOwner(owner, core.Device{}) }))
		}
		for range floodVisitors {
			visit(b, m, func(s *core.Session) { s.CSRFToken() })
		}
		after := heapInUse()
		if n := store.Len(); n > memstore.DefaultMaxSessions {
			b.Fatalf("the store holds %d sessions after the flood; want at most %d", n, memstore.DefaultMaxSessions)
		}
		for _, tok := range users {
			if _, _, err := store.Load(context.Background(), tok); err != nil {
				b.Fatalf("a user's session after the flood: %v; want it kept", err)
			}
		}
		runtime.KeepAlive(store)
		grown += after - before
		iterations++
	}
	heap := float64(grown) / float64(iterations)
	b.ReportMetric(heap/1e6, "MB/flood")
	b.ReportMetric(heap/memstore.DefaultMaxSessions, "B/record")
}

// visit makes one session through m with use, as a request without a
// cookie does, and returns its ID.
func visit(b *testing.B, m *core.Manager, use func(*core.Session)) string {
	s := new(core.Session)
	ctx := m.Begin(s, context.Background(), core.CookiesFrom(http.Header{}))
	sess, err := core.FromContext(ctx)
	if err != nil {
		b.Fatal(err)
	}
	use(sess)
	h := http.Header{}
	if err := m.Commit(ctx, s, http.StatusOK, h); err != nil {
		b.Fatal(err)
	}
	if err := m.Finish(ctx, s); err != nil {
		b.Fatal(err)
	}
	c := (&http.Response{Header: h}).Cookies()
	if len(c) != 1 {
		b.Fatal("a new session set no cookie")
	}
	return c[0].Value
}
