package sessionecho_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	sessionecho "github.com/transient-go/transient/adapters/echo/v5"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// serve starts an Echo server whose middleware first installs before, then
// the session middleware, with the routes that add installs, and returns
// its URL.
func serve(t *testing.T, store core.Store, before []echo.MiddlewareFunc, add func(e *echo.Echo)) string {
	t.Helper()
	m, _ := testkit.NewManager(t, store, nil)
	e := echo.New()
	e.Use(before...)
	e.Use(sessionecho.Middleware(m, nil))
	add(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

// send sends a request without following redirects, with cookie as its
// Cookie header if it is not empty.
func send(t *testing.T, method, url, cookie string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// TestErrors sends the store's failures to Echo's HTTPErrorHandler as
// *echo.HTTPError values that match core.ErrStore, with nothing of the
// handler's response left.
func TestErrors(t *testing.T) {
	var mu sync.Mutex
	var seen []error
	url := serve(t, testkit.DownStore(t), nil, func(e *echo.Echo) {
		handle := echo.DefaultHTTPErrorHandler(false)
		e.HTTPErrorHandler = func(c *echo.Context, err error) {
			mu.Lock()
			seen = append(seen, err)
			mu.Unlock()
			handle(c, err)
		}
		// Loading fails: the client sends a cookie the store cannot look up.
		e.GET("/load", func(c *echo.Context) error {
			if _, err := sessionecho.Session(c); err != nil {
				return err
			}
			return c.String(http.StatusOK, "unreachable")
		})
		// Committing fails: a new session cannot be saved.
		e.POST("/commit", func(c *echo.Context) error {
			s, err := sessionecho.Session(c)
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
			res, body := send(t, tc.method, url+tc.path, tc.cookie)
			if res.StatusCode != tc.want || !strings.Contains(body, http.StatusText(tc.want)) {
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

// TestWriters commits the session through the writers that Echo v5 and
// its middleware put in front of the response: c.JSON's, which delays the
// status until the body's first byte, and Gzip's, installed before the
// session middleware. A writer that hides Echo's Response (no Unwrap) is
// a wiring mistake: the request fails with 500, and nothing is committed.
func TestWriters(t *testing.T) {
	hide := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			c.SetResponse(struct{ http.ResponseWriter }{c.Response()})
			return next(c)
		}
	}
	flash := func(c *echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		s.Flash("saved", "")
		return c.JSON(http.StatusCreated, map[string]string{"status": "saved"})
	}
	for _, tc := range []struct {
		name   string
		before []echo.MiddlewareFunc
		code   int
		cookie bool
	}{
		{"JSON", nil, http.StatusCreated, true},
		{"Gzip", []echo.MiddlewareFunc{middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1})}, http.StatusCreated, true},
		{"hidden", []echo.MiddlewareFunc{hide}, http.StatusInternalServerError, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := serve(t, testkit.Memstore(t), tc.before, func(e *echo.Echo) { e.POST("/", flash) })
			res, body := send(t, "POST", url+"/", "")
			if got := res.Header.Get("Set-Cookie") != ""; res.StatusCode != tc.code || got != tc.cookie {
				t.Errorf("POST / = %d %q, Set-Cookie %q; want %d, a cookie %v", res.StatusCode, body, res.Header.Get("Set-Cookie"), tc.code, tc.cookie)
			}
		})
	}
}
