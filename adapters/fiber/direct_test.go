package sessionfiber_test

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// setup adjusts a test server; the zero value is the defaults.
type setup struct {
	options      func(*core.Options) // edits the Manager's options
	errorHandler fiber.ErrorHandler  // the app's, instead of Fiber's default
	outer        fiber.Handler       // middleware installed before the session's
}

// serve starts a Fiber app on a loopback listener with the session
// middleware and the routes that add installs, and returns its URL and the
// Manager's error log.
func serve(t *testing.T, store core.Store, su setup, add func(app *fiber.App)) (string, *testkit.ErrorLog) {
	t.Helper()
	m, log := testkit.NewManager(t, store, su.options)
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: su.errorHandler, ReadBufferSize: 8192})
	if su.outer != nil {
		app.Use(su.outer)
	}
	app.Use(sessionfiber.Middleware(m, nil))
	add(app)
	return drivers.ServeFiber(t, app), log
}

// login sets user=?name (default ann) in the session.
func login(c *fiber.Ctx) error {
	s, err := sessionfiber.Session(c)
	if err != nil {
		return err
	}
	_ = s.Set("user", c.Query("name", "ann"))
	return c.SendString("in")
}

func TestErrors(t *testing.T) {
	var mu sync.Mutex
	var seen []error
	errorHandler := func(c *fiber.Ctx, err error) error {
		mu.Lock()
		seen = append(seen, err)
		mu.Unlock()
		return fiber.DefaultErrorHandler(c, err)
	}
	url, _ := serve(t, testkit.DownStore(t), setup{errorHandler: errorHandler}, func(app *fiber.App) {
		// Loading fails: the client sends a cookie the store cannot look up.
		app.Get("/load", func(c *fiber.Ctx) error {
			if _, err := sessionfiber.Session(c); err != nil {
				return err
			}
			return c.SendString("unreachable")
		})
		// Committing fails: a new session cannot be saved.
		app.Post("/commit", func(c *fiber.Ctx) error {
			s, err := sessionfiber.Session(c)
			if err != nil {
				return err
			}
			s.Flash("saved", "")
			c.Set("X-Handler", "yes")
			return c.Redirect("/elsewhere", fiber.StatusSeeOther)
		})
	})
	for _, tc := range []struct {
		name, method, path, cookie string
		want                       int
	}{
		{"load", "GET", "/load", "session=" + core.NewID(), http.StatusServiceUnavailable},
		{"commit", "POST", "/commit", "", http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			req, _ := http.NewRequest(tc.method, url+tc.path, nil)
			if tc.cookie != "" {
				req.Header.Set("Cookie", tc.cookie)
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want || string(body) != http.StatusText(tc.want) {
				t.Errorf("%s %s = %d %q; want %d from the error handler", tc.method, tc.path, res.StatusCode, body, tc.want)
			}
			for _, h := range []string{"Set-Cookie", "Location", "X-Handler"} {
				if v := res.Header.Get(h); v != "" {
					t.Errorf("%s: %s: %q; want none", tc.path, h, v)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			var fe *fiber.Error
			if len(seen) != 1 || !errors.As(seen[0], &fe) || fe.Code != tc.want || !errors.Is(seen[0], core.ErrStore) {
				t.Errorf("ErrorHandler got %v; want one error matching core.ErrStore and a *fiber.Error %d", seen, tc.want)
			}
		})
	}
}
