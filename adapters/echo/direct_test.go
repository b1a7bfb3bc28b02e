package sessionecho_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// serve starts an Echo server with the session middleware and the routes
// that add installs, and returns its URL and the Manager's error log.
func serve(t *testing.T, store core.Store, edit func(*core.Options), add func(e *echo.Echo)) (string, *adaptertest.ErrorLog) {
	t.Helper()
	m, log := adaptertest.NewManager(t, store, edit)
	e := echo.New()
	e.Use(sessionecho.Middleware(m, nil))
	add(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, log
}

// login sets user=ann in the session.
func login(c echo.Context) error {
	s, err := sessionecho.Get(c)
	if err != nil {
		return err
	}
	_ = s.Set("user", "ann")
	return c.String(http.StatusOK, "in")
}

// pop writes the messages of the queue named by ?queue.
func pop(c echo.Context) error {
	s, err := sessionecho.Get(c)
	if err != nil {
		return err
	}
	return c.String(http.StatusOK, strings.Join(s.PopFlash(c.QueryParam("queue")), "|"))
}

// TestErrorPageUsesSession checks that a handler's error reaches the
// HTTPErrorHandler while the session is live: the error page pops a flash,
// the commit sees the error's status, and both the handler's change and
// the page's pop are saved.
func TestErrorPageUsesSession(t *testing.T) {
	for _, st := range adaptertest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			url, _ := serve(t, st.Store, nil, func(e *echo.Echo) {
				e.HTTPErrorHandler = func(err error, c echo.Context) {
					if c.Response().Committed {
						return
					}
					s, serr := sessionecho.Get(c)
					if serr != nil {
						_ = c.NoContent(http.StatusInternalServerError)
						return
					}
					_ = c.String(err.(*echo.HTTPError).Code, strings.Join(s.PopFlash("error"), "|"))
				}
				e.GET("/login", login)
				e.POST("/fail", func(c echo.Context) error {
					s, err := sessionecho.Get(c)
					if err != nil {
						return err
					}
					s.Flash("shown on the error page", "error")
					s.Flash("kept for later", "later")
					return echo.NewHTTPError(http.StatusBadRequest)
				})
				e.GET("/pop", pop)
			})
			cl := adaptertest.Browser(t)
			adaptertest.Fetch(t, cl, "GET", url+"/login")
			if res, body := adaptertest.Fetch(t, cl, "POST", url+"/fail"); res.StatusCode != http.StatusBadRequest || body != "shown on the error page" {
				t.Errorf("POST /fail = %d %q; want 400 and the flash", res.StatusCode, body)
			}
			for queue, want := range map[string]string{"error": "", "later": "kept for later"} {
				if _, body := adaptertest.Fetch(t, cl, "GET", url+"/pop?queue="+queue); body != want {
					t.Errorf("queue %q after the error page = %q; want %q", queue, body, want)
				}
			}
		})
	}
}

func TestSkipOnServerErrorSeesErrorStatus(t *testing.T) {
	url, _ := serve(t, memstore.New(nil), func(o *core.Options) { o.SkipOnServerError = true }, func(e *echo.Echo) {
		e.GET("/login", login)
		e.POST("/fail", func(c echo.Context) error {
			s, err := sessionecho.Get(c)
			if err != nil {
				return err
			}
			s.Flash("lost", "")
			return errors.New("boom") // Echo answers 500
		})
		e.GET("/pop", pop)
	})
	cl := adaptertest.Browser(t)
	adaptertest.Fetch(t, cl, "GET", url+"/login")
	if res, _ := adaptertest.Fetch(t, cl, "POST", url+"/fail"); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("POST /fail = %d; want 500", res.StatusCode)
	}
	if _, body := adaptertest.Fetch(t, cl, "GET", url+"/pop"); body != "" {
		t.Errorf("a change in a 500 response with SkipOnServerError was saved: %q", body)
	}
}

func TestErrors(t *testing.T) {
	var mu sync.Mutex
	var seen []error
	url, _ := serve(t, adaptertest.DownStore(t), nil, func(e *echo.Echo) {
		e.HTTPErrorHandler = func(err error, c echo.Context) {
			mu.Lock()
			seen = append(seen, err)
			mu.Unlock()
			e.DefaultHTTPErrorHandler(err, c)
		}
		// Loading fails: the client sends a cookie the store cannot look up.
		e.GET("/load", func(c echo.Context) error {
			if _, err := sessionecho.Get(c); err != nil {
				return err
			}
			return c.String(http.StatusOK, "unreachable")
		})
		// Committing fails: a new session cannot be saved.
		e.POST("/commit", func(c echo.Context) error {
			s, err := sessionecho.Get(c)
			if err != nil {
				return err
			}
			s.Flash("saved", "")
			c.Response().Header().Set("X-Handler", "yes")
			return c.Redirect(http.StatusSeeOther, "/elsewhere")
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
			if res.StatusCode != tc.want || !strings.Contains(string(body), http.StatusText(tc.want)) {
				t.Errorf("%s %s = %d %q; want %d from the error handler", tc.method, tc.path, res.StatusCode, body, tc.want)
			}
			for _, h := range []string{"Set-Cookie", "Location", "X-Handler"} {
				if v := res.Header.Get(h); v != "" {
					t.Errorf("%s: %s: %q; want none", tc.path, h, v)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			var he *echo.HTTPError
			if len(seen) == 0 || !errors.As(seen[0], &he) || !errors.Is(seen[0], core.ErrStore) {
				t.Errorf("HTTPErrorHandler got %v; want an *echo.HTTPError matching core.ErrStore", seen)
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
	sessionecho.Middleware(nil, nil)
}
