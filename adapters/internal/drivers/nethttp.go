package drivers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// NetHTTP drives package sessionhttp, behind a recovery handler of its own
// (net/http has none but the server's, which logs and drops the
// connection).
var NetHTTP = adaptertest.Driver{
	Name:       "nethttp",
	Middleware: func(m *core.Manager) any { return sessionhttp.Middleware(m, nil) },
	Serve: func(t testing.TB, ms []*core.Manager, routes []adaptertest.Route) string {
		mux := http.NewServeMux()
		for _, rt := range routes {
			mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
				rt.Handle(&httpCtx{w: w, r: r})
			})
		}
		var h http.Handler = mux
		for i := len(ms) - 1; i >= 0; i-- {
			h = sessionhttp.Middleware(ms[i], nil)(h)
		}
		srv := httptest.NewServer(recoverer(h))
		t.Cleanup(srv.Close)
		return srv.URL
	},
	ServeOne: func(m *core.Manager, cookie string) func() {
		var h http.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
		if m != nil {
			h = sessionhttp.Middleware(m, nil)(h)
		}
		return serveOne(h, cookie)
	},
}

// recoverer answers 500 for a handler that panics.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				http.Error(w, "recovered", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type httpCtx struct {
	w http.ResponseWriter
	r *http.Request
}

func (c *httpCtx) Session() (*core.Session, error) { return sessionhttp.Session(c.r) }
func (c *httpCtx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessionhttp.SessionOf(c.r, m)
}
func (c *httpCtx) Context() context.Context    { return c.r.Context() }
func (c *httpCtx) FormValue(key string) string { return c.r.FormValue(key) }
func (c *httpCtx) Redirect(code int, location string) {
	http.Redirect(c.w, c.r, location, code)
}
func (c *httpCtx) Text(code int, body string) {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(code)
	_, _ = c.w.Write([]byte(body))
}

// Fail renders the error page in the handler, as net/http applications do.
func (c *httpCtx) Fail(err error) {
	c.Text(adaptertest.StatusOf(err), adaptertest.ErrorPage(err, func() (*core.Session, error) { return sessionhttp.Session(c.r) }))
}
