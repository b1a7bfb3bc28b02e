package sessiongin_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// serve starts a Gin server with the session middleware and the routes
// that add installs, and returns its URL and the Manager's error log.
func serve(t *testing.T, store core.Store, add func(r *gin.Engine)) (string, *testkit.ErrorLog) {
	t.Helper()
	m, log := testkit.NewManager(t, store, nil)
	r := gin.New()
	r.Use(sessiongin.Middleware(m, nil))
	add(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL, log
}

func TestErrors(t *testing.T) {
	url, _ := serve(t, testkit.DownStore(t), func(r *gin.Engine) {
		// Loading fails: the client sends a cookie the store cannot look up.
		r.GET("/load", func(c *gin.Context) {
			if _, err := sessiongin.Session(c); err != nil {
				return
			}
			c.String(http.StatusOK, "unreachable")
		})
		// Committing fails: a new session cannot be saved.
		r.POST("/commit", func(c *gin.Context) {
			if s, err := sessiongin.Session(c); err == nil {
				s.Flash("saved", "")
				c.Header("X-Handler", "yes")
				c.Redirect(http.StatusSeeOther, "/elsewhere")
			}
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
			if res.StatusCode != tc.want || len(body) != 0 {
				t.Errorf("%s %s = %d %q; want %d and no body", tc.method, tc.path, res.StatusCode, body, tc.want)
			}
			for _, h := range []string{"Set-Cookie", "Location", "X-Handler"} {
				if v := res.Header.Get(h); v != "" {
					t.Errorf("%s: %s: %q; want none", tc.path, h, v)
				}
			}
		})
	}
}

func TestErrorsRecordedInContext(t *testing.T) {
	var got []error
	m, _ := testkit.NewManager(t, testkit.DownStore(t), nil)
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		for _, e := range c.Errors {
			got = append(got, e.Err)
		}
	})
	r.Use(sessiongin.Middleware(m, nil))
	r.GET("/", func(c *gin.Context) { _, _ = sessiongin.Session(c) })
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session="+core.NewID())
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || len(got) != 1 || !errors.Is(got[0], core.ErrStore) {
		t.Errorf("status %d, c.Errors %v; want 503 and one error matching core.ErrStore", rec.Code, got)
	}
}
