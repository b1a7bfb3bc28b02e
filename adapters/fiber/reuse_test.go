package sessionfiber_test

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// TestStreamWriter checks what package sessionfiber documents for
// SetBodyStreamWriter: once the middleware has returned, a session the
// request never used cannot be loaded, and changes to one it did use are
// not saved.
func TestStreamWriter(t *testing.T) {
	// outer lets a stream writer wait until the session middleware has
	// returned: fasthttp runs the writer in a goroutine of its own.
	outer := func(c *fiber.Ctx) error {
		err := c.Next()
		if ended, ok := c.Locals("ended").(chan struct{}); ok {
			close(ended)
		}
		return err
	}
	stream := func(c *fiber.Ctx, use bool) error {
		ended := make(chan struct{})
		c.Locals("ended", ended)
		if use {
			if _, err := sessionfiber.Session(c); err != nil {
				return err
			}
		}
		ctx := c.UserContext()
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			<-ended
			s, err := core.FromContext(ctx)
			if err != nil {
				fmt.Fprint(w, err)
				return
			}
			_ = s.Set("streamed", "yes")
			fmt.Fprint(w, "set")
		})
		return nil
	}
	for _, st := range testkit.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			url, log := serve(t, st.Store, setup{outer: outer}, func(app *fiber.App) {
				app.Get("/login", login)
				app.Get("/unused", func(c *fiber.Ctx) error { return stream(c, false) })
				app.Get("/used", func(c *fiber.Ctx) error { return stream(c, true) })
				app.Get("/read", func(c *fiber.Ctx) error {
					s, err := sessionfiber.Session(c)
					if err != nil {
						return err
					}
					v, _ := s.String("streamed")
					return c.SendString(v)
				})
			})
			cl := testkit.Browser(t)
			testkit.Fetch(t, cl, "GET", url+"/login")
			if _, body := testkit.Fetch(t, cl, "GET", url+"/unused"); body != core.ErrEnded.Error() {
				t.Errorf("an unused session loaded in a stream writer: %q; want %q", body, core.ErrEnded)
			}
			if _, body := testkit.Fetch(t, cl, "GET", url+"/used"); body != "set" {
				t.Errorf("a used session in a stream writer: %q; want it readable", body)
			}
			if _, body := testkit.Fetch(t, cl, "GET", url+"/read"); body != "" {
				t.Errorf("a change made in a stream writer was saved: %q", body)
			}
			if errs := log.All(); len(errs) > 0 {
				t.Errorf("ErrorHandler got %v; want nothing", errs)
			}
		})
	}
}

// TestNothingLeftInContext checks that once the middleware returns, the
// pooled fiber.Ctx no longer leads to the session.
func TestNothingLeftInContext(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler)) // FromContext logs the session it does not find
	after := make(chan error, 2)
	outer := func(c *fiber.Ctx) error {
		err := c.Next()
		_, serr := core.FromContext(c.UserContext())
		after <- serr
		return err
	}
	url, _ := serve(t, testkit.Memstore(t), setup{outer: outer}, func(app *fiber.App) {
		app.Get("/login", login)
		app.Get("/plain", func(c *fiber.Ctx) error { return c.SendString("plain") })
	})
	cl := testkit.Browser(t)
	for _, path := range []string{"/login", "/plain"} {
		testkit.Fetch(t, cl, "GET", url+path)
		if err := <-after; !errors.Is(err, core.ErrNoSession) {
			t.Errorf("%s: FromContext(c.UserContext()) after the middleware = %v; want ErrNoSession", path, err)
		}
	}
}

// TestConcurrentClients runs 50 clients at once, each its own user, each
// checking it never sees another's data, across Fiber's pooled contexts.
func TestConcurrentClients(t *testing.T) {
	for _, st := range testkit.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			url, log := serve(t, st.Store, setup{}, func(app *fiber.App) {
				app.Get("/login", login)
				app.Post("/note", func(c *fiber.Ctx) error {
					s, err := sessionfiber.Session(c)
					if err != nil {
						return err
					}
					user, _ := s.String("user")
					s.Flash(user+" "+c.Query("n"), "")
					return c.Redirect("/show", fiber.StatusSeeOther)
				})
				app.Get("/show", func(c *fiber.Ctx) error {
					s, err := sessionfiber.Session(c)
					if err != nil {
						return err
					}
					user, _ := s.String("user")
					return c.SendString(user + ": " + strings.Join(s.PopFlash(""), "|"))
				})
				app.Get("/plain", func(c *fiber.Ctx) error { return c.SendString("plain") })
			})
			const clients, rounds = 50, 10
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for i := range clients {
				wg.Go(func() {
					cl := testkit.Browser(t)
					user := fmt.Sprintf("user%02d", i)
					if _, _, err := testkit.Do(cl, "GET", url+"/login?name="+user); err != nil {
						errs <- err
						return
					}
					for n := range rounds {
						_, body, err := testkit.Do(cl, "POST", fmt.Sprintf("%s/note?n=%d", url, n))
						if want := fmt.Sprintf("%s: %s %d", user, user, n); err != nil || body != want {
							errs <- fmt.Errorf("%s round %d: got %q, %v; want %q", user, n, body, err, want)
							return
						}
						if _, _, err := testkit.Do(cl, "GET", url+"/plain"); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if errs := log.All(); len(errs) > 0 {
				t.Errorf("ErrorHandler got %v", errs)
			}
		})
	}
}

// TestCookieReadThenHeaderSet checks that the session still finds its
// cookie when, before its first use, something has read a cookie through
// fasthttp and then set a request header: fasthttp moves the raw Cookie
// line into the slot that the new header reuses.
func TestCookieReadThenHeaderSet(t *testing.T) {
	url, _ := serve(t, testkit.Memstore(t), setup{}, func(app *fiber.App) {
		app.Get("/login", login)
		app.Get("/whoami", func(c *fiber.Ctx) error {
			_ = c.Cookies("lang")
			c.Request().Header.Set("X-Forwarded-User", strings.Repeat("z", 64))
			s, err := sessionfiber.Session(c)
			if err != nil {
				return err
			}
			user, _ := s.String("user")
			return c.SendString(user)
		})
	})
	cl := testkit.Browser(t)
	testkit.Fetch(t, cl, "GET", url+"/login")
	if _, body := testkit.Fetch(t, cl, "GET", url+"/whoami"); body != "ann" {
		t.Errorf("user after c.Cookies and a request header Set = %q; want ann", body)
	}
}
