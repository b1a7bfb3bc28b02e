package bench_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkEcho measures the Echo rows that need no Redis.
func BenchmarkEcho(b *testing.B) {
	rows := []row{
		{name: "bare", h: echoApp(), bare: true},
		{name: "withcontext", h: echoApp(func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), ctxKey{}, c)))
				return next(c)
			}
		}), bare: true},
	}
	for _, st := range ourStores(b) {
		rows = append(rows, row{name: st.name, h: ourEcho(newManager(b, st.store))})
	}
	rows = append(rows, row{name: "echo-contrib-cookie", h: echoContrib(sessions.NewCookieStore([]byte(secret)))})
	run(b, rows)
}

// BenchmarkEchoRedis measures our Echo row with sessions in Redis.
func BenchmarkEchoRedis(b *testing.B) {
	store, rt := ourRedis(b, redistest.StartLocal(b))
	run(b, []row{{name: "transient-redis", h: ourEcho(newManager(b, store)), rt: rt}})
}

// echoApp returns an Echo with the middleware and the untouched route.
func echoApp(middleware ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.Use(middleware...)
	e.GET("/untouched", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	return e
}

// echoAnswer answers "ok", or 500 with msg.
func echoAnswer(c echo.Context, msg string) error {
	if msg != "" {
		return c.String(http.StatusInternalServerError, msg)
	}
	return c.String(http.StatusOK, "ok")
}

// ourEcho is a transient row on Echo.
func ourEcho(m *core.Manager) http.Handler {
	e := echoApp(sessionecho.Middleware(m, nil))
	e.POST("/login", func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		ourLogin(s)
		return echoAnswer(c, "")
	})
	e.GET("/read", func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		return echoAnswer(c, ourCheck(s))
	})
	e.POST("/write", func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		return echoAnswer(c, ourCheck(s)+ourWrite(s))
	})
	return e
}

// echoContrib is an echo-contrib/session row, used as its README shows:
// the Middleware over a gorilla store, session.Get in handlers, Save after
// a change.
func echoContrib(store sessions.Store) http.Handler {
	e := echoApp(session.Middleware(store))
	read := func(c echo.Context) (*sessions.Session, string, error) {
		s, err := session.Get("session", c)
		if err != nil {
			return nil, "", err
		}
		id, _ := s.Values["user_id"].(int)
		name, _ := s.Values["username"].(string)
		return s, checkSession(id, name), nil
	}
	save := func(c echo.Context, s *sessions.Session) error {
		if err := s.Save(c.Request(), c.Response()); err != nil {
			return err
		}
		return echoAnswer(c, "")
	}
	e.POST("/login", func(c echo.Context) error {
		s, err := session.Get("session", c)
		if err != nil {
			return err
		}
		s.Values["user_id"] = userID
		s.Values["username"] = userName
		return save(c, s)
	})
	e.GET("/read", func(c echo.Context) error {
		_, msg, err := read(c)
		if err != nil {
			return err
		}
		return echoAnswer(c, msg)
	})
	e.POST("/write", func(c echo.Context) error {
		s, msg, err := read(c)
		if err != nil {
			return err
		}
		if msg += checkFlashes(len(s.Flashes())); msg != "" {
			return echoAnswer(c, msg)
		}
		s.AddFlash(flashMsg)
		return save(c, s)
	})
	return e
}
