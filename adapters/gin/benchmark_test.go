package sessiongin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core"
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
		if s, err := sessiongin.Session(c); err == nil {
			_ = s.Set("user_id", 42)
			_ = s.Set("username", "alice")
			c.String(http.StatusOK, "ok")
		}
	})
	read := func(c *gin.Context) *core.Session {
		s, err := sessiongin.Session(c)
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
// BenchmarkGin measures the middleware with a cookie store against the same
// routes without it ("bare"): see adaptertest.BenchShapes.
func BenchmarkGin(b *testing.B) {
	adaptertest.BenchShapes(b, benchEngine(nil), benchEngine(adaptertest.BenchManager(b)))
}
