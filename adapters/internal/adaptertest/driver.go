// Package adaptertest is the behavioural suite every adapter runs, so that
// net/http, Gin, Echo and Fiber cannot drift apart. A Driver mounts the
// suite's framework-neutral routes on one framework, through that
// framework's own idioms (its accessor, its redirect, its error path); Run
// then drives them over real HTTP with a cookie jar.
package adaptertest

import (
	"context"
	"testing"

	"github.com/transient-go/transient/core"
)

// Driver runs the suite's routes on one framework through its adapter.
type Driver struct {
	// Name is the framework's name, used in test names.
	Name string

	// Serve starts a loopback HTTP server whose routes run with the
	// adapter's middleware, built from m with default adapter options, and
	// returns its base URL ("http://127.0.0.1:port"). The server is stopped
	// by t.Cleanup.
	Serve func(t testing.TB, m *core.Manager, routes []Route) string
}

// Route is one handler of the suite.
type Route struct {
	Method string // "GET" or "POST"
	Path   string // a literal path, such as "/login"
	Handle func(c Ctx)
}

// Ctx is what a suite handler sees of its framework. Each method uses the
// framework's own API, so that the suite tests what applications write.
type Ctx interface {
	// Session returns the session through the adapter's accessor
	// (sessionhttp.Get, sessiongin.Get, ...).
	Session() (*core.Session, error)

	// Context returns the request's context.Context as code below the
	// handler sees it (r.Context(), c.Request.Context(),
	// c.Request().Context(), c.UserContext()).
	Context() context.Context

	// FormValue returns a query or form value.
	FormValue(key string) string

	// Redirect answers with the framework's own redirect helper
	// (http.Redirect, c.Redirect).
	Redirect(code int, location string)

	// Text writes a text/plain body with the status code. In frameworks
	// that write through to the client (net/http, Gin, Echo) the response
	// has started when it returns; Fiber buffers it.
	Text(code int, body string)

	// Fail hands err to the framework's error path the way an
	// application's handler would: net/http answers with
	// core.StatusCode(err); Gin records it with c.Error and aborts; Echo
	// and Fiber handlers return it to the framework's error handler.
	Fail(err error)
}
