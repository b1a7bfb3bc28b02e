package sessionfiber_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

func memStore(testing.TB) core.Store { return memstore.New(nil) }

// stores are the stores the direct tests run with.
var stores = []struct {
	name string
	new  func(testing.TB) core.Store
}{
	{"cookiestore", cookieStore},
	{"memstore", memStore},
}

// errorLog collects what the Manager's ErrorHandler receives.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) handle(_ context.Context, err error) error {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
	return err
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// setup adjusts a test server; the zero value is the defaults.
type setup struct {
	options      func(*core.Options) // edits the Manager's options
	errorHandler fiber.ErrorHandler  // the app's, instead of Fiber's default
	outer        fiber.Handler       // middleware installed before the session's
}

// serve starts a Fiber app on a loopback listener with the session
// middleware and the routes that add installs, and returns its URL and the
// Manager's error log.
func serve(t *testing.T, store core.Store, su setup, add func(app *fiber.App)) (string, *errorLog) {
	t.Helper()
	log := new(errorLog)
	opts := &core.Options{Insecure: true, ErrorHandler: log.handle}
	if su.options != nil {
		su.options(opts)
	}
	m, err := core.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: su.errorHandler})
	if su.outer != nil {
		app.Use(su.outer)
	}
	app.Use(sessionfiber.Middleware(m, nil))
	add(app)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &listener{Listener: inner}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = app.Listener(ln)
	}()
	t.Cleanup(func() {
		ln.closeConns()
		_ = app.Shutdown()
		<-done
	})
	return "http://" + ln.Addr().String(), log
}

// listener remembers its connections so that they can be closed at the
// end of a test: fasthttp's Shutdown waits for every open connection, and
// one that a client dialled but never used stays open until the client's
// idle timeout (90s for net/http).
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *listener) closeConns() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
}

func newClient(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// fetch sends a request and returns the response with its body read.
func fetch(t testing.TB, cl *http.Client, method, url string) (*http.Response, string, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return nil, "", err
	}
	res, err := cl.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, string(body), err
}

// must is fetch for the test's own goroutine.
func must(t *testing.T, cl *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	res, body, err := fetch(t, cl, method, url)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// login sets user=?name (default ann) in the session.
func login(c *fiber.Ctx) error {
	s, err := sessionfiber.Get(c)
	if err != nil {
		return err
	}
	_ = s.Set("user", c.Query("name", "ann"))
	return c.SendString("in")
}

// pop writes the messages of the queue named by ?queue.
func pop(c *fiber.Ctx) error {
	s, err := sessionfiber.Get(c)
	if err != nil {
		return err
	}
	return c.SendString(strings.Join(s.PopFlash(c.Query("queue")), "|"))
}

func TestUntouchedSessionSendsNothing(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			url, _ := serve(t, st.new(t), setup{}, func(app *fiber.App) {
				app.Get("/login", login)
				app.Get("/plain", func(c *fiber.Ctx) error { return c.SendString("plain") })
				app.Post("/go", func(c *fiber.Ctx) error { return c.Redirect("/plain", fiber.StatusSeeOther) })
				app.Get("/fail", func(c *fiber.Ctx) error { return fiber.ErrTeapot })
			})
			cl := newClient(t)
			for _, step := range []string{"without cookie", "with cookie"} {
				for _, req := range [][2]string{{"GET", "/plain"}, {"POST", "/go"}, {"GET", "/fail"}} {
					res, _ := must(t, cl, req[0], url+req[1])
					if h := res.Header.Values("Set-Cookie"); len(h) > 0 {
						t.Errorf("%s %s %s: Set-Cookie = %q; want none", step, req[0], req[1], h)
					}
					if h := res.Header.Values("Vary"); len(h) > 0 {
						t.Errorf("%s %s %s: Vary = %q; want none", step, req[0], req[1], h)
					}
				}
				must(t, cl, "GET", url+"/login")
			}
		})
	}
}

// TestErrorPageUsesSession checks that a handler's error reaches the
// ErrorHandler while the session is live: the error page pops a flash,
// the commit sees the error's status, and both the handler's change and
// the page's pop are saved.
func TestErrorPageUsesSession(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			errorPage := func(c *fiber.Ctx, err error) error {
				s, serr := sessionfiber.Get(c)
				if serr != nil {
					return serr
				}
				var fe *fiber.Error
				errors.As(err, &fe)
				return c.Status(fe.Code).SendString(strings.Join(s.PopFlash("error"), "|"))
			}
			url, _ := serve(t, st.new(t), setup{errorHandler: errorPage}, func(app *fiber.App) {
				app.Get("/login", login)
				app.Post("/fail", func(c *fiber.Ctx) error {
					s, err := sessionfiber.Get(c)
					if err != nil {
						return err
					}
					s.Flash("shown on the error page", "error")
					s.Flash("kept for later", "later")
					return fiber.ErrBadRequest
				})
				app.Get("/pop", pop)
			})
			cl := newClient(t)
			must(t, cl, "GET", url+"/login")
			if res, body := must(t, cl, "POST", url+"/fail"); res.StatusCode != http.StatusBadRequest || body != "shown on the error page" {
				t.Errorf("POST /fail = %d %q; want 400 and the flash", res.StatusCode, body)
			}
			for queue, want := range map[string]string{"error": "", "later": "kept for later"} {
				if _, body := must(t, cl, "GET", url+"/pop?queue="+queue); body != want {
					t.Errorf("queue %q after the error page = %q; want %q", queue, body, want)
				}
			}
		})
	}
}

func TestSkipOnServerErrorSeesErrorStatus(t *testing.T) {
	url, _ := serve(t, memStore(t), setup{options: func(o *core.Options) { o.SkipOnServerError = true }}, func(app *fiber.App) {
		app.Get("/login", login)
		app.Post("/fail", func(c *fiber.Ctx) error {
			s, err := sessionfiber.Get(c)
			if err != nil {
				return err
			}
			s.Flash("lost", "")
			return errors.New("boom") // Fiber answers 500
		})
		app.Get("/pop", pop)
	})
	cl := newClient(t)
	must(t, cl, "GET", url+"/login")
	if res, _ := must(t, cl, "POST", url+"/fail"); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("POST /fail = %d; want 500", res.StatusCode)
	}
	if _, body := must(t, cl, "GET", url+"/pop"); body != "" {
		t.Errorf("a change in a 500 response with SkipOnServerError was saved: %q", body)
	}
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
	url, _ := serve(t, adaptertest.DownStore(t), setup{errorHandler: errorHandler}, func(app *fiber.App) {
		// Loading fails: the client sends a cookie the store cannot look up.
		app.Get("/load", func(c *fiber.Ctx) error {
			if _, err := sessionfiber.Get(c); err != nil {
				return err
			}
			return c.SendString("unreachable")
		})
		// Committing fails: a new session cannot be saved.
		app.Post("/commit", func(c *fiber.Ctx) error {
			s, err := sessionfiber.Get(c)
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
		{"load", "GET", "/load", "session=sometoken", http.StatusServiceUnavailable},
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

func TestNilManagerPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Middleware(nil, nil) did not panic")
		}
	}()
	sessionfiber.Middleware(nil, nil)
}
