package sessionhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// benchMux holds the benchmarks' routes: one that never touches the
// session, one that reads it, one that changes it, and the login that
// makes the session they read.
func benchMux() *http.ServeMux {
	mux := http.NewServeMux()
	// ok answers as Gin's and Echo's c.String do: with a Content-Type and
	// an explicit status, so that the recorder sniffs nothing.
	plain := []string{"text/plain; charset=utf-8"}
	ok := func(w http.ResponseWriter) {
		w.Header()["Content-Type"] = plain
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("ok"))
	}
	mux.HandleFunc("GET /untouched", func(w http.ResponseWriter, r *http.Request) { ok(w) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Get(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return
		}
		_ = s.Set("user_id", 42)
		_ = s.Set("username", "alice")
		ok(w)
	})
	read := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Get(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return nil
		}
		id, _ := core.Get[int64](s, "user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			http.Error(w, "wrong session", http.StatusInternalServerError)
			return nil
		}
		return s
	}
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) != nil {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		if s := read(w, r); s != nil {
			s.Flash("Article saved successfully!", "")
			ok(w)
		}
	})
	return mux
}

// BenchmarkNetHTTP measures the middleware with a cookie store against the
// same mux without it ("bare"), in process.
func BenchmarkNetHTTP(b *testing.B) {
	store, err := cookiestore.New(cookiestore.Options{Secrets: []string{strings.Repeat("k", 32)}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	bare := benchMux()
	h := sessionhttp.Middleware(m, nil)(benchMux())
	run := func(b *testing.B, h http.Handler, method, path string, wantCookie bool) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/login", nil))
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Cookie", rec.Header().Get("Set-Cookie"))
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
