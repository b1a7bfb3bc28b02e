package sessionhttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// discard is a ResponseWriter that keeps nothing, so that only the
// middleware allocates.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// TestUntouchedAllocs guards what the middleware costs a request whose
// handler never touches the session, with a session cookie: one
// allocation, the copy of the request that carries the session (the commit
// writer and the unloaded session share it). bench/ measures the time
// (BenchmarkUntouched, BenchmarkNetHTTP).
func TestUntouchedAllocs(t *testing.T) {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	wrapped := sessionhttp.Middleware(m, nil)(h)
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA; theme=dark")
	w := discard{h: http.Header{}}
	bare := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, req) })
	got := testing.AllocsPerRun(1000, func() { wrapped.ServeHTTP(w, req) })
	if got-bare != 1 {
		t.Errorf("an untouched request makes %v allocations through the middleware and %v without; want 1 more", got, bare)
	}
}
