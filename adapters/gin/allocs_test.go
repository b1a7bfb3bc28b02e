// The race detector makes sync.Pool drop items at random, and Gin, Echo and
// Fiber pool their contexts: allocations are only counted without it.

//go:build !race

package sessiongin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// discard is a ResponseWriter that keeps nothing, so that only Gin and the
// middleware allocate.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// TestUntouchedAllocs guards what the middleware costs a request whose
// handler never touches the session, with a session cookie: one
// allocation, the copy of the request that carries the session, measured
// against the same engine without the middleware. bench/ measures the
// time (BenchmarkGin).
func TestUntouchedAllocs(t *testing.T) {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	engine := func(middleware ...gin.HandlerFunc) *gin.Engine {
		r := gin.New()
		r.Use(middleware...)
		r.GET("/", func(*gin.Context) {})
		return r
	}
	bare, wrapped := engine(), engine(sessiongin.Middleware(m, nil))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA; theme=dark")
	w := discard{h: http.Header{}}
	without := testing.AllocsPerRun(1000, func() { bare.ServeHTTP(w, req) })
	with := testing.AllocsPerRun(1000, func() { wrapped.ServeHTTP(w, req) })
	if with-without != 1 {
		t.Errorf("an untouched request makes %v allocations through the middleware and %v without; want 1 more", with, without)
	}
}
