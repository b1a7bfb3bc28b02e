// The race detector makes sync.Pool drop items at random, and Gin, Echo and
// Fiber pool their contexts: allocations are only counted without it.

//go:build !race

package sessionecho_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// discard is a ResponseWriter that keeps nothing, so that only Echo and
// the middleware allocate.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// TestUntouchedAllocs guards what the middleware costs a request whose
// handler never touches the session, with a session cookie: two
// allocations, the copy of the request that carries the session and the
// closure Echo makes for every middleware on every request, measured
// against the same Echo without the middleware. bench/ measures the time
// (BenchmarkEcho).
func TestUntouchedAllocs(t *testing.T) {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	app := func(middleware ...echo.MiddlewareFunc) *echo.Echo {
		e := echo.New()
		e.Use(middleware...)
		e.GET("/", func(echo.Context) error { return nil })
		return e
	}
	bare, wrapped := app(), app(sessionecho.Middleware(m))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA; theme=dark")
	w := discard{h: http.Header{}}
	without := testing.AllocsPerRun(1000, func() { bare.ServeHTTP(w, req) })
	with := testing.AllocsPerRun(1000, func() { wrapped.ServeHTTP(w, req) })
	if with-without != 2 {
		t.Errorf("an untouched request makes %v allocations through the middleware and %v without; want 2 more", with, without)
	}
}
