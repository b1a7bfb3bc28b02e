package bench_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v5"

	sessionecho "github.com/transient-go/transient/adapters/echo/v5"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkEcho5 measures the Echo v5 rows that need no Redis. Its peer is
// gorilla/sessions' CookieStore called in the handlers, as
// echo-contrib/session calls it on Echo v4 (its middleware puts the store
// in the context, and session.Get is the store's Get): echo-contrib's Echo
// v5 release is another module, github.com/labstack/echo-contrib/v5, which
// the module proxy did not serve when these rows were written.
func BenchmarkEcho5(b *testing.B) {
	rows := []row{
		{name: "bare", h: echo5App(), bare: true},
		{name: "withcontext", h: echo5App(func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c *echo.Context) error {
				c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), ctxKey{}, c)))
				return next(c)
			}
		}), bare: true},
	}
	for _, st := range ourStores(b) {
		rows = append(rows, row{name: st.name, h: ourEcho5(newManager(b, st.store))})
	}
	rows = append(rows, row{name: "gorilla-hash", h: gorillaEcho5(sessions.NewCookieStore([]byte(secret)))})
	run(b, rows)
}

// BenchmarkEcho5Redis measures our Echo v5 row with sessions in Redis.
func BenchmarkEcho5Redis(b *testing.B) {
	store, rt := ourRedis(b, redistest.StartLocal(b))
	run(b, []row{{name: "transient-redis", h: ourEcho5(newManager(b, store)), rt: rt}})
}

// echo5App returns an Echo v5 with the middleware and the untouched route.
func echo5App(middleware ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.Use(middleware...)
	e.GET("/untouched", func(c *echo.Context) error { return c.String(http.StatusOK, "ok") })
	return e
}

// echo5Answer answers "ok", or 500 with msg.
func echo5Answer(c *echo.Context, msg string) error {
	if msg != "" {
		return c.String(http.StatusInternalServerError, msg)
	}
	return c.String(http.StatusOK, "ok")
}

// ourEcho5 is a transient row on Echo v5.
func ourEcho5(m *core.Manager) http.Handler {
	e := echo5App(sessionecho.Middleware(m, nil))
	e.POST("/login", func(c *echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		ourLogin(s)
		return echo5Answer(c, "")
	})
	e.GET("/read", func(c *echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		return echo5Answer(c, ourCheck(s))
	})
	e.POST("/write", func(c *echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		return echo5Answer(c, ourCheck(s)+ourWrite(s))
	})
	return e
}

// gorillaEcho5 is the gorilla/sessions row on Echo v5, as echo-contrib's
// session package uses the store: Get in handlers, Save after a change.
func gorillaEcho5(store sessions.Store) http.Handler {
	e := echo5App()
	read := func(c *echo.Context) (*sessions.Session, string, error) {
		s, err := store.Get(c.Request(), "session")
		if err != nil {
			return nil, "", err
		}
		id, _ := s.Values["user_id"].(int)
		name, _ := s.Values["username"].(string)
		return s, checkSession(id, name), nil
	}
	save := func(c *echo.Context, s *sessions.Session) error {
		if err := s.Save(c.Request(), c.Response()); err != nil {
			return err
		}
		return echo5Answer(c, "")
	}
	e.POST("/login", func(c *echo.Context) error {
		s, err := store.Get(c.Request(), "session")
		if err != nil {
			return err
		}
		s.Values["user_id"] = userID
		s.Values["username"] = userName
		return save(c, s)
	})
	e.GET("/read", func(c *echo.Context) error {
		_, msg, err := read(c)
		if err != nil {
			return err
		}
		return echo5Answer(c, msg)
	})
	e.POST("/write", func(c *echo.Context) error {
		s, msg, err := read(c)
		if err != nil {
			return err
		}
		if msg += checkFlashes(len(s.Flashes())); msg != "" {
			return echo5Answer(c, msg)
		}
		s.AddFlash(flashMsg)
		return save(c, s)
	})
	return e
}
