package sessionecho_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core"
)

// benchEcho returns an Echo with the benchmarks' routes: one that never
// touches the session, one that reads it, one that changes it, and the
// login that makes the session they read. With a nil Manager it has no
// session middleware, and only the first route works.
func benchEcho(m *core.Manager) *echo.Echo {
	e := echo.New()
	if m != nil {
		e.Use(sessionecho.Middleware(m))
	}
	e.GET("/untouched", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.POST("/login", func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		_ = s.Set("user_id", 42)
		_ = s.Set("username", "alice")
		return c.String(http.StatusOK, "ok")
	})
	read := func(c echo.Context) (*core.Session, error) {
		s, err := sessionecho.Session(c)
		if err != nil {
			return nil, err
		}
		id, _ := core.Get[int64](s, "user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			return nil, echo.ErrInternalServerError
		}
		return s, nil
	}
	e.GET("/read", func(c echo.Context) error {
		if _, err := read(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, "ok")
	})
	e.POST("/write", func(c echo.Context) error {
		s, err := read(c)
		if err != nil {
			return err
		}
		s.Flash("Article saved successfully!", "")
		return c.String(http.StatusOK, "ok")
	})
	return e
}

// BenchmarkEcho measures the middleware with a cookie store against the
// BenchmarkEcho measures the middleware with a cookie store against the same
// routes without it ("bare"): see adaptertest.BenchShapes.
func BenchmarkEcho(b *testing.B) {
	adaptertest.BenchShapes(b, benchEcho(nil), benchEcho(adaptertest.BenchManager(b)))
}
