// Package sessionecho is the Echo adapter of transient, for
// github.com/labstack/echo/v4: one middleware that gives every request a
// session and commits it before the first byte of the response, so a
// handler can set a flash and call c.Redirect without ever calling Save.
//
//	e := echo.New()
//	e.Use(sessionecho.Middleware(manager, nil))
//
// Handlers reach the session with [Session], and code below them with
// core.FromContext(c.Request().Context()). The session is loaded on first
// use only: a request that never uses it parses no cookie, calls no store
// and gets no Set-Cookie header. With core.Options.TokenHeader, the session's
// token comes in that request header instead, and goes back in that
// response header.
//
// With core.Options.DeviceBinding set, the middleware also serves the
// registration and refresh endpoints of device-bound sessions, which need
// no route: install it with Echo.Use, which Echo runs for paths without a
// route too.
//
// The middleware wraps c.Response().Writer, so the session is committed
// when the status line is written, after every Response.Before hook has
// run and with the status they leave. A handler that writes nothing gets
// its session committed when it returns. A change made after the response
// started is saved where a server-side store allows it (same ID) and
// reported through the core's ErrorHandler otherwise.
//
// # Errors
//
// Errors go to Echo's HTTPErrorHandler as *echo.HTTPError values whose Code
// is core.StatusCode(err) (503 when the store is down, 500 otherwise) and
// whose Internal is core's error, so errors.Is(err, core.ErrStore) holds:
// [Session] returns them for the handler to return, and the middleware returns
// them when the commit fails. In that case the handler's headers are
// cleared and what it wrote is discarded, so the error handler writes the
// whole response.
//
// When the handler returns an error and has written nothing, the
// middleware passes it to c.Error before committing, as Echo's request
// logger does with HandleError: the error page can then use the session
// (pop the flash messages it shows) and the commit sees its status. The
// middleware still returns the error, for middleware further up; Echo's
// default error handler ignores an error whose response is committed, and
// custom ones should do the same.
package sessionecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/transient-go/transient/adapters/internal/commitwriter"
	"github.com/transient-go/transient/core"
)

// Options configures the middleware; nil means the defaults. Errors need
// no option: they go to Echo's HTTPErrorHandler (see the package doc).
type Options struct {
	// Skipper, as in Echo's own middleware, returns true for a request
	// that needs no session, such as one for a static file: the request
	// then passes through untouched, and [Session] reports
	// core.ErrNoSession for it, as if the middleware were not installed.
	// Default nil: every request gets a session (loaded on first use only,
	// so a request that does not use it costs almost nothing anyway).
	Skipper func(c echo.Context) bool
}

// Middleware returns the session middleware for m, configured by opts
// (nil means the defaults). Install it with Echo.Use, or on a group,
// before the handlers that use sessions. It panics if m is nil, a wiring
// mistake found at start-up.
func Middleware(m *core.Manager, opts *Options) echo.MiddlewareFunc {
	if m == nil {
		panic("sessionecho: Middleware called with a nil *core.Manager")
	}
	mw := &middleware{m: m}
	if opts != nil {
		mw.skip = opts.Skipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		// Echo calls this on every request for middleware added with
		// Echo.Use: one closure is all it allocates.
		return func(c echo.Context) error { return mw.serve(c, next) }
	}
}

// middleware is the middleware of one Manager; serve does its work for
// each request.
type middleware struct {
	m    *core.Manager
	skip func(echo.Context) bool
}

func (mw *middleware) serve(c echo.Context, next echo.HandlerFunc) error {
	if mw.skip != nil && mw.skip(c) {
		return next(c)
	}
	q := new(commitwriter.Request) // one allocation: the request copy, the writer and the session
	res := c.Response()
	r, w := q.Begin(mw.m, c.Request(), res.Writer)
	c.SetRequest(r)
	res.Writer = w
	defer q.AbandonUnlessHandled()
	var err error
	if q.DeviceEndpoint() {
		err = serveDevice(res, q)
	} else {
		err = next(c)
	}
	q.Handled()
	if err != nil && !res.Committed {
		c.Error(err)
	}
	failed, ferr := q.Finish()
	if failed {
		// The commit failed and nothing went out: let the error handler
		// answer.
		res.Committed, res.Status, res.Size = false, http.StatusOK, 0
		return httpError(ferr)
	}
	if ferr != nil && err == nil {
		return httpError(ferr) // too late to answer; the error handler records it
	}
	return err
}

// serveDevice answers a request to an endpoint of device-bound sessions
// in the handler's stead, through Echo's response.
func serveDevice(res *echo.Response, q *commitwriter.Request) error {
	status, body, err := q.ServeDevice()
	if err != nil {
		return httpError(err)
	}
	res.WriteHeader(status)
	_, err = res.Write(body)
	return err
}

// Session returns the request's session, loading it on first use. Its
// error, for the handler to return, is an *echo.HTTPError wrapping core's:
// one matching core.ErrStore when the store failed (503), or
// core.ErrNoSession when the middleware is not installed on this route or
// skipped this request (500: a programming error, which core.FromContext
// logs once with its fix). With several session middlewares on a route, it
// returns the last one's: see SessionOf.
func Session(c echo.Context) (*core.Session, error) {
	return answer(core.FromContext(c.Request().Context()))
}

// SessionOf returns the request's session of m, for a route that runs
// several session middlewares (a preferences session in a cookie and a
// login session in Redis, say), as Session does. A missing middleware of m
// is logged once through m's Options.Logger.
func SessionOf(c echo.Context, m *core.Manager) (*core.Session, error) {
	return answer(m.FromContext(c.Request().Context()))
}

func answer(s *core.Session, err error) (*core.Session, error) {
	if err != nil {
		return nil, httpError(err)
	}
	return s, nil
}

// httpError turns one of core's errors into Echo's.
func httpError(err error) *echo.HTTPError {
	return echo.NewHTTPError(core.StatusCode(err)).SetInternal(err)
}
