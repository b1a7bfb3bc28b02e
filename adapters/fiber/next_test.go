package sessionfiber_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// TestNext skips the middleware for /static: those requests get no session
// and no cookie, and the others get theirs.
func TestNext(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler)) // Session logs the session it does not find
	m, _ := testkit.NewManager(t, testkit.Memstore(t), nil)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(sessionfiber.Middleware(m, &sessionfiber.Options{
		Next: func(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/static") },
	}))
	handler := func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if errors.Is(err, core.ErrNoSession) {
			return c.SendString("no session")
		} else if err != nil {
			return err
		}
		s.Flash("seen", "")
		return c.SendString("session")
	}
	app.Get("/static/app.css", handler)
	app.Get("/page", handler)
	url := drivers.ServeFiber(t, app)
	cl := testkit.Browser(t)
	for _, tc := range []struct{ path, body, cookie string }{
		{"/static/app.css", "no session", ""},
		{"/page", "session", "session="},
	} {
		res, body := testkit.Fetch(t, cl, "GET", url+tc.path)
		if body != tc.body || !strings.HasPrefix(res.Header.Get("Set-Cookie"), tc.cookie) || (tc.cookie == "") != (res.Header.Get("Set-Cookie") == "") {
			t.Errorf("GET %s = %q, Set-Cookie %q; want %q and a cookie only from the middleware", tc.path, body, res.Header.Get("Set-Cookie"), tc.body)
		}
	}
}
