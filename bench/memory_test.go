package bench_test

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"testing"
	"time"

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
// sends, five times memstore's default MaxSessions; floodUsers is how many
// users are logged in when they come, four in five of the records the
// store may hold.
const (
	floodVisitors = 5 * memstore.DefaultMaxSessions
	floodUsers    = memstore.DefaultMaxSessions * 4 / 5
)

// BenchmarkMemstoreFlood logs floodUsers users in, each with a session as
// the example blog makes it, into a memstore with the default bound
// (DefaultMaxSessions), then sends floodVisitors cookieless requests to a
// login form, each of which makes a session for its CSRF token: the store
// must evict to stay within the bound. It reports what a flood request
// costs (ns/request, allocs/request, B/request: Begin, the CSRF token,
// Commit and Finish through the Manager, the store's eviction included),
// the heap the store takes at the end (MB/flood) and per record held
// (B/record), and how many of the users lost their session to the flood
// (users-lost: the store evicts anonymous sessions first, so none). Run it
// with -benchtime=1x.
func BenchmarkMemstoreFlood(b *testing.B) {
	var grown, mallocs, bytes uint64
	var took time.Duration
	lost, iterations := 0, 0
	for b.Loop() {
		store, err := memstore.New(&memstore.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		m := newManager(b, store)
		before := heapInUse()
		users := make([]string, floodUsers)
		for i := range users {
			users[i] = blogSession(b, m, i, "user")
		}
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		start := time.Now()
		for range floodVisitors {
			visit(b, m, func(s *core.Session) { s.CSRFToken() })
		}
		took += time.Since(start)
		runtime.ReadMemStats(&ms1)
		mallocs += ms1.Mallocs - ms0.Mallocs
		bytes += ms1.TotalAlloc - ms0.TotalAlloc
		after := heapInUse()
		if n := store.Len(); n > memstore.DefaultMaxSessions {
			b.Fatalf("the store holds %d sessions after the flood; want at most %d", n, memstore.DefaultMaxSessions)
		}
		for _, tok := range users {
			if _, _, err := store.Load(context.Background(), tok); err != nil {
				lost++
			}
		}
		runtime.KeepAlive(store)
		grown += after - before
		iterations++
	}
	requests := float64(iterations * floodVisitors)
	heap := float64(grown) / float64(iterations)
	b.ReportMetric(float64(took.Nanoseconds())/requests, "ns/request")
	b.ReportMetric(float64(mallocs)/requests, "allocs/request")
	b.ReportMetric(float64(bytes)/requests, "B/request")
	b.ReportMetric(heap/1e6, "MB/flood")
	b.ReportMetric(heap/memstore.DefaultMaxSessions, "B/record")
	b.ReportMetric(float64(lost)/float64(iterations), "users-lost")
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
