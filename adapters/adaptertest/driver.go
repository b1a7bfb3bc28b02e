package adaptertest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/transient-go/transient/core"
)

// Driver serves the suite's routes on one framework, through the adapter
// under test. A Driver is what a third party writes to run the suite: its
// two methods and a [Ctx] are all the suite needs.
type Driver interface {
	// Name names the framework in the names of subtests, such as "gin".
	Name() string

	// Serve serves routes on ln, a loopback listener, until the returned
	// stop is called, and returns at once. Every request passes, in this
	// order, through the framework's usual recovery from panics (or one
	// of the driver's own that answers 500, for a framework without one),
	// then through the adapter's middleware for each of managers, built
	// with default adapter options as an application builds it; managers
	// may be empty. Each Route is mounted with the framework's router and
	// calls Handle with a Ctx of the request. Errors that a handler
	// returns, and the adapter's own, go to the framework's error path,
	// which answers with [ErrorPage].
	//
	// A nil Manager in managers is a wiring mistake: building its
	// middleware must panic with a message that says "nil *core.Manager",
	// before anything is served.
	//
	// stop shuts the server down, closing its connections, and returns
	// once it no longer serves; the suite calls it when the test ends.
	Serve(ln net.Listener, managers []*core.Manager, routes []Route) (stop func())
}

// Route is one handler of the suite.
type Route struct {
	Method string // "GET" or "POST"
	Path   string // a literal path, such as "/login"
	Handle func(c Ctx)
}

// Ctx is what a suite handler sees of its framework. Each method uses the
// framework's own API, as an application's handler does, so that the suite
// tests what applications write. A Ctx is used by one request, from the
// goroutine that serves it.
type Ctx interface {
	// Session returns the session through the adapter's accessor
	// (sessionhttp.Session, sessiongin.Session...), which is given no
	// Manager.
	Session() (*core.Session, error)

	// SessionOf returns the session of m through the adapter's accessor
	// for a route with several session middlewares (sessionhttp.SessionOf,
	// sessiongin.SessionOf...).
	SessionOf(m *core.Manager) (*core.Session, error)

	// Context returns the request's context.Context as code below the
	// handler sees it (r.Context(), c.Request.Context(),
	// c.Request().Context(), c.UserContext()...).
	Context() context.Context

	// FormValue returns a value of the query or of a urlencoded form.
	FormValue(key string) string

	// Redirect answers with the framework's own redirect helper
	// (http.Redirect, c.Redirect...).
	Redirect(code int, location string)

	// Text writes body as text/plain with the status code, through the
	// framework's own helper. In frameworks that write through to the
	// client (net/http, Gin, Echo) the response has started when it
	// returns; others (Fiber) buffer it until the handler returns.
	Text(code int, body string)

	// Fail hands err to the framework's error path the way an
	// application's handler does, and that path answers with
	// [ErrorPage]: a net/http handler renders it itself; a Gin handler
	// records err with c.Error and renders it; Echo's and Fiber's
	// handlers return err, for the framework's error handler to render.
	Fail(err error)
}

// StatusError is an application's error: its error page answers with
// Code and shows the messages of the session's "error" queue.
type StatusError struct{ Code int }

func (e StatusError) Error() string { return http.StatusText(e.Code) }

// ErrorPage returns the error page for err, which a Driver's error path
// writes as text/plain. For a [StatusError], with the error's code, it pops
// and shows the messages of the "error" queue of the session that session
// returns (the adapter's accessor); for any other error, such as one of
// the adapter's, the status text of core.StatusCode(err), without using
// the session. A framework's own errors (a 404 of its router, say) keep
// their code.
func ErrorPage(err error, session func() (*core.Session, error)) (code int, body string) {
	var se StatusError
	if !errors.As(err, &se) {
		code = core.StatusCode(err)
		return code, http.StatusText(code)
	}
	s, serr := session()
	if serr != nil {
		return se.Code, http.StatusText(core.StatusCode(serr))
	}
	return se.Code, strings.Join(s.PopFlash("error"), "|")
}
