package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// BenchManager returns the Manager of the adapters' benchmarks: a cookie
// store, default options.
func BenchManager(b *testing.B) *core.Manager {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"an example secret of at least 32 bytes"}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchShapes measures h in process for the three request shapes, against
// bare, the same routes without the session middleware. Both answer
// "GET /untouched" without touching the session; h also answers
// "POST /login", which stores user_id 42 and username "alice", "GET /read",
// which reads them, and "POST /write", which reads them and adds a flash.
// Every request carries the session that /login made, so "write" starts from
// the same session each time. A shape's cost is its time minus bare's.
func BenchShapes(b *testing.B, bare, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/login", nil))
	cookie := rec.Header().Get("Set-Cookie")
	run := func(b *testing.B, h http.Handler, method, path string, wantCookie bool) {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Cookie", cookie)
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || (rec.Header().Get("Set-Cookie") != "") != wantCookie {
				b.Fatalf("%s %s = %d %q, Set-Cookie %q", method, path, rec.Code, rec.Body, rec.Header().Get("Set-Cookie"))
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare, "GET", "/untouched", false) })
	b.Run("untouched", func(b *testing.B) { run(b, h, "GET", "/untouched", false) })
	b.Run("read", func(b *testing.B) { run(b, h, "GET", "/read", false) })
	b.Run("write", func(b *testing.B) { run(b, h, "POST", "/write", true) })
}
