package sessionecho_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// TestSkipper skips the middleware for /static: those requests get no
// session and no cookie, and the others get theirs.
func TestSkipper(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler)) // Session logs the session it does not find
	m, _ := testkit.NewManager(t, testkit.Memstore(t), nil)
	e := echo.New()
	e.Use(sessionecho.Middleware(m, &sessionecho.Options{
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/static") },
	}))
	handler := func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if errors.Is(err, core.ErrNoSession) {
			return c.String(http.StatusOK, "no session")
		} else if err != nil {
			return err
		}
		s.Flash("seen", "")
		return c.String(http.StatusOK, "session")
	}
	e.GET("/static/app.css", handler)
	e.GET("/page", handler)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	cl := testkit.Browser(t)
	for _, tc := range []struct{ path, body, cookie string }{
		{"/static/app.css", "no session", ""},
		{"/page", "session", "session="},
	} {
		res, body := testkit.Fetch(t, cl, "GET", srv.URL+tc.path)
		if body != tc.body || !strings.HasPrefix(res.Header.Get("Set-Cookie"), tc.cookie) || (tc.cookie == "") != (res.Header.Get("Set-Cookie") == "") {
			t.Errorf("GET %s = %q, Set-Cookie %q; want %q and a cookie only from the middleware", tc.path, body, res.Header.Get("Set-Cookie"), tc.body)
		}
	}
}
