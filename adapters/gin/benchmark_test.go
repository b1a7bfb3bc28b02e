package sessiongin_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// benchEngine returns an engine with the benchmarks' routes: one that never
// touches the session, one that reads it, one that changes it, and the
// login that makes the session they read. With a nil Manager it has no
// session middleware, and only the first route works.
func benchEngine(m *core.Manager) *gin.Engine {
	r := gin.New()
	if m != nil {
		r.Use(sessiongin.Middleware(m, nil))
	}
	r.GET("/untouched", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.POST("/login", func(c *gin.Context) {
		if s, err := sessiongin.Get(c); err == nil {
			_ = s.Set("user_id", 42)
			_ = s.Set("username", "alice")
			c.String(http.StatusOK, "ok")
		}
	})
	read := func(c *gin.Context) *core.Session {
		s, err := sessiongin.Get(c)
		if err != nil {
			return nil
		}
		id, _ := core.Get[int64](s, "user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			c.AbortWithStatus(http.StatusInternalServerError)
			return nil
		}
		return s
	}
	r.GET("/read", func(c *gin.Context) {
		if read(c) != nil {
			c.String(http.StatusOK, "ok")
		}
	})
	r.POST("/write", func(c *gin.Context) {
		if s := read(c); s != nil {
			s.Flash("Article saved successfully!", "")
			c.String(http.StatusOK, "ok")
		}
	})
	return r
}

// BenchmarkGin measures the middleware with a cookie store against the
// same engine without it ("bare"), in process.
func BenchmarkGin(b *testing.B) {
	store, err := cookiestore.New(cookiestore.Options{Secrets: []string{strings.Repeat("k", 32)}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	bare, h := benchEngine(nil), benchEngine(m)
	run := func(b *testing.B, h http.Handler, method, path string, wantCookie bool) {
		rec := httptest.NewRecorder()
		benchEngine(m).ServeHTTP(rec, httptest.NewRequest("POST", "/login", nil))
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
