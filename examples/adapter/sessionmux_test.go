package sessionmux_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"example.com/sessionmux"
	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/core"
)

// TestSuite proves the adapter with transient's suite.
func TestSuite(t *testing.T) {
	adaptertest.Run(t, driver{})
}

// driver runs the suite's routes on http.ServeMux through the adapter.
type driver struct{}

func (driver) Name() string { return "sessionmux" }

func (driver) Serve(ln net.Listener, managers []*core.Manager, routes []adaptertest.Route) func() {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
			rt.Handle(&ctx{w: w, r: r})
		})
	}
	var h http.Handler = mux
	for i := len(managers) - 1; i >= 0; i-- {
		h = sessionmux.Middleware(managers[i])(h) // the first Manager's outermost
	}
	return adaptertest.ServeHandler(ln, recoverer(h)) // recovery outermost of all
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

// ctx is a request as the suite's handlers see it.
type ctx struct {
	w http.ResponseWriter
	r *http.Request
}

func (c *ctx) Session() (*core.Session, error) { return sessionmux.Session(c.r) }
func (c *ctx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessionmux.SessionOf(c.r, m)
}
func (c *ctx) Context() context.Context           { return c.r.Context() }
func (c *ctx) FormValue(key string) string        { return c.r.FormValue(key) }
func (c *ctx) Redirect(code int, location string) { http.Redirect(c.w, c.r, location, code) }
func (c *ctx) Text(code int, body string) {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(code)
	_, _ = io.WriteString(c.w, body)
}

// Fail renders the error page in the handler, as net/http applications do.
func (c *ctx) Fail(err error) { c.Text(adaptertest.ErrorPage(err, c.Session)) }
