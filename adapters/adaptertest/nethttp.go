package adaptertest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// NetHTTP is the Driver of package sessionhttp, the net/http adapter, on
// an http.ServeMux behind a recovery handler of its own (net/http has none
// but the server's, which logs and drops the connection). RunStore checks
// that the cookies of the adapter under test interchange with its. Its
// source is a model for a Driver of a framework built on net/http.
type NetHTTP struct{}

// Name returns "nethttp".
func (NetHTTP) Name() string { return "nethttp" }

// Serve serves routes on ln through sessionhttp's middleware.
func (NetHTTP) Serve(ln net.Listener, managers []*core.Manager, routes []Route) (stop func()) {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
			rt.Handle(&httpCtx{w: w, r: r})
		})
	}
	var h http.Handler = mux
	for i := len(managers) - 1; i >= 0; i-- {
		h = sessionhttp.Middleware(managers[i], nil)(h)
	}
	return ServeHandler(ln, recoverer(h))
}

// ServeHandler serves h on ln with an httptest.Server, for the Serve of a
// Driver whose framework's application is an http.Handler. stop closes the
// server, blocking until the requests in progress have completed.
func ServeHandler(ln net.Listener, h http.Handler) (stop func()) {
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	return srv.Close
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
	c.Text(ErrorPage(err, func() (*core.Session, error) { return sessionhttp.Session(c.r) }))
}
