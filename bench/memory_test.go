package bench_test

import (
	"context"
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
func login(b *testing.B, m *core.Manager) {
	s := new(core.Session)
	ctx := m.Begin(s, context.Background(), core.CookiesFrom(http.Header{}))
	sess, err := core.FromContext(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ourLogin(sess)
	h := http.Header{}
	if err := m.Commit(ctx, s, http.StatusOK, h); err != nil {
		b.Fatal(err)
	}
	if err := m.Finish(ctx, s); err != nil {
		b.Fatal(err)
	}
	if h.Get("Set-Cookie") == "" {
		b.Fatal("a new session set no cookie")
	}
}

// heapInUse returns the bytes of live heap objects after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
