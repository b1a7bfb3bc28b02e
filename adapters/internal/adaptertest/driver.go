// Package adaptertest is the behavioural suite every adapter runs, so that
// net/http, Gin, Echo and Fiber cannot drift apart. A Driver mounts the
// suite's framework-neutral routes on one framework, through that
// framework's own idioms (its accessor, its redirect, its error path); Run
// then drives them over real HTTP with a cookie jar. A Driver also serves
// a request in process (Driver.ServeOne), for the allocation guard that
// holds every adapter to its count (allocs_test.go).
package adaptertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// Driver runs the suite's routes on one framework through its adapter.
type Driver struct {
	// Name is the framework's name, used in test names.
	Name string

	// Middleware returns the adapter's middleware for m, with default
	// adapter options, as an application makes it.
	Middleware func(m *core.Manager) any

	// Serve starts a loopback HTTP server whose routes run with the
	// adapter's middleware for each of ms, in that order, built with
	// default adapter options, behind the framework's usual recovery from
	// panics (installed first, as applications do), and returns its base
	// URL ("http://127.0.0.1:port"). The server is stopped by t.Cleanup.
	Serve func(t testing.TB, ms []*core.Manager, routes []Route) string

	// ServeOne returns a function that serves one GET / whose Cookie
	// header is cookie, in process and without a network, to a handler
	// that does nothing: through the adapter's middleware for m, with
	// default adapter options, or through the bare framework when m is
	// nil. Every call serves the same request again and discards the
	// response, as a server does with the requests of a kept-alive
	// connection, so that testing.AllocsPerRun counts only what the
	// framework and the middleware allocate. The function is not safe for
	// concurrent use.
	ServeOne func(m *core.Manager, cookie string) func()

	// Observer, if set, is given to the Managers the suite's scenarios
	// make (core.Options.Observer), so that a test can read what they
	// record while the suite runs. Default nil.
	Observer *core.Observer
}

// serveOne returns ServeOne's function for a framework that is an
// http.Handler: it serves h a GET / with cookie, into a ResponseWriter that
// keeps nothing, so that only the framework and the middleware allocate.
func serveOne(h http.Handler, cookie string) func() {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", cookie)
	w := discard{h: http.Header{}}
	return func() {
		h.ServeHTTP(w, r)
		clear(w.h)
	}
}

// discard is a ResponseWriter that keeps nothing but its header, which
// serveOne clears after each request.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

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
	// (sessionhttp.Session, sessiongin.Session, ...).
	Session() (*core.Session, error)

	// SessionOf returns the session of m through the adapter's accessor
	// (sessionhttp.SessionOf, ...), for a route with several session
	// middlewares.
	SessionOf(m *core.Manager) (*core.Session, error)

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
	// application's handler would, and that path renders an error page
	// with the status StatusOf(err): net/http renders it in the handler;
	// Gin records err with c.Error and renders it; Echo's and Fiber's
	// handlers return err to the framework's error handler, which renders
	// it. For a StatusError the page shows the messages of the session's
	// "error" queue, popped (see errorPage).
	Fail(err error)
}

// StatusError is an error that an error page answers with Code.
type StatusError struct{ Code int }

func (e StatusError) Error() string { return http.StatusText(e.Code) }

// StatusOf returns the status of the error page for err: a StatusError's
// code, or core.StatusCode(err).
func StatusOf(err error) int {
	var se StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return core.StatusCode(err)
}

// errorPage is the body of the error page for err: for a StatusError, an
// application's error, the messages of the session's "error" queue, which
// it pops; for any other, the status text, without using the session.
func errorPage(err error, session func() (*core.Session, error)) string {
	var se StatusError
	if !errors.As(err, &se) {
		return http.StatusText(StatusOf(err))
	}
	s, serr := session()
	if serr != nil {
		return http.StatusText(StatusOf(serr))
	}
	return strings.Join(s.PopFlash("error"), "|")
}
