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
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// serve starts an Echo server with the session middleware and the routes
// that add installs, and returns its URL and the Manager's error log.
func serve(t *testing.T, store core.Store, edit func(*core.Options), add func(e *echo.Echo)) (string, *testkit.ErrorLog) {
	t.Helper()
	m, log := testkit.NewManager(t, store, edit)
	e := echo.New()
	e.Use(sessionecho.Middleware(m, nil))
	add(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, log
}

func TestErrors(t *testing.T) {
	var mu sync.Mutex
	var seen []error
	url, _ := serve(t, testkit.DownStore(t), nil, func(e *echo.Echo) {
		e.HTTPErrorHandler = func(err error, c echo.Context) {
			mu.Lock()
			seen = append(seen, err)
			mu.Unlock()
			e.DefaultHTTPErrorHandler(err, c)
		}
		// Loading fails: the client sends a cookie the store cannot look up.
		e.GET("/load", func(c echo.Context) error {
			if _, err := sessionecho.Session(c); err != nil {
				return err
			}
			return c.String(http.StatusOK, "unreachable")
		})
		// Committing fails: a new session cannot be saved.
		e.POST("/commit", func(c echo.Context) error {
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
