// Package sessionfiber is the Fiber adapter of transient, for
// github.com/gofiber/fiber/v2: one middleware that gives every request a
// session and commits it when the handler returns, so a handler can set a
// flash and call c.Redirect without ever calling Save.
//
//	app := fiber.New(fiber.Config{ReadBufferSize: 8192})
//	app.Use(sessionfiber.Middleware(manager, nil))
//
// Handlers reach the session with [Session], and code below them with
// core.FromContext(c.UserContext()). The session is loaded on first use
// only: a request that never uses it parses no cookie, calls no store and
// gets no Set-Cookie header. With core.Options.TokenHeader, the session's
// token comes in that request header instead, and goes back in that
// response header.
//
// With core.Options.DeviceBinding set, the middleware also serves the
// registration and refresh endpoints of device-bound sessions, which need
// no route: install it with App.Use.
//
// Fiber buffers the response until the handler returns, so the middleware
// commits the session then, with the final status, and changes made after
// the body was set are still saved. A body set with
// c.Context().SetBodyStreamWriter is the exception: fasthttp runs the
// stream writer in a goroutine of its own, which outlives the handler and
// the commit. Treat changes it makes to the session as lost: only one that
// happens to beat the commit is saved. Once the middleware has returned, a
// session the request had not used reports core.ErrEnded. Read and change
// the session in the handler, before setting the stream.
//
// # Errors
//
// Errors reach Fiber's ErrorHandler wrapping core's: errors.Is(err,
// core.ErrStore) holds, and errors.As finds a *fiber.Error whose Code is
// core.StatusCode(err) (503 when the store is down, 500 otherwise), so
// Fiber's default error handler answers with it. Their message is only the
// status text, since that handler sends it to the client. [Session] returns them for
// the handler to return; the middleware returns them when the commit fails,
// after resetting the response so that the error handler writes all of it.
//
// When the handler returns an error, the middleware passes it to the app's
// ErrorHandler itself before committing, as Fiber's logger does: the error
// page can then use the session (pop the flash messages it shows) and the
// commit sees its status. The middleware then returns nil, so the error is
// not handled twice; middleware further up sees the response instead.
//
// Fiber reuses its contexts and buffers: the middleware ends the session
// and removes it from c.UserContext before it returns, even if the handler
// panics (then nothing is saved). Code that keeps the session past the handler can read it, but
// not change it; one the request never used cannot be loaded.
//
// # The read buffer
//
// fasthttp reads all of a request's headers into a buffer of
// fiber.Config.ReadBufferSize bytes, 4096 by default, and answers 431
// Request Header Fields Too Large, before any handler runs, to a request
// whose headers do not fit. A cookie-store session can take 4096 bytes on
// its own: set ReadBufferSize to 8192 or more when sessions live in the
// cookie. The middleware reads the app's setting (c.App(), on the first
// request) and keeps room for the other headers of a browser's request
// (HeaderRoom): with a cookie store and a buffer too small for the largest
// cookie, the Manager warns once, on that first request, with the setting
// to change; and with any store it refuses to send a cookie the app could
// not read back, failing the request with a *core.CookieTooLargeError that
// names the setting, rather than lock the visitor out with a cookie that
// makes every later request a 431.
package sessionfiber

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/transient-go/transient/core"
)

// Options configures the middleware; nil means the defaults. Errors need
// no option: they go to the app's ErrorHandler (see the package doc).
type Options struct {
	// Next, as in Fiber's own middleware, returns true for a request that
	// needs no session, such as one for a static file: the request then
	// passes through untouched, and [Session] reports core.ErrNoSession
	// for it, as if the middleware were not installed. Default nil: every
	// request gets a session (loaded on first use only, so a request that
	// does not use it costs almost nothing anyway).
	Next func(c *fiber.Ctx) bool
}

// Middleware returns the session middleware for m, configured by opts
// (nil means the defaults). Install it with App.Use, or on a group, before
// the handlers that use sessions. It panics if m is nil, a wiring mistake
// found at start-up.
func Middleware(m *core.Manager, opts *Options) fiber.Handler {
	if m == nil {
		panic("sessionfiber: Middleware called with a nil *core.Manager")
	}
	mw := &middleware{m: m}
	if opts != nil {
		mw.skip = opts.Next
	}
	return mw.serve
}

// middleware is a method rather than a closure so that it is compiled
// here, and not in the package that calls Middleware.
type middleware struct {
	m      *core.Manager
	skip   func(*fiber.Ctx) bool
	buffer atomic.Pointer[buffer] // the app's read buffer, as first seen
}

// HeaderRoom is how much of fiber.Config.ReadBufferSize the middleware
// keeps for a request's other headers (its request line, Host, User-Agent,
// Accept, Referer, the client hints...): it sends no session cookie larger
// than the buffer less HeaderRoom.
const HeaderRoom = 2048

// buffer is the read buffer of an app.
type buffer struct {
	app   *fiber.App
	size  int
	raise string // what raises the limit it puts on cookies (CookieLimit)
}

// bufferOf returns the read buffer of c's app. Its size is read from the
// app's Config once, as Config returns a copy of a large struct; an app's
// configuration does not change once it is made.
func (mw *middleware) bufferOf(c *fiber.Ctx) *buffer {
	b := mw.buffer.Load()
	if b == nil || b.app != c.App() {
		size := c.App().Config().ReadBufferSize
		b = &buffer{app: c.App(), size: size, raise: fmt.Sprintf("fiber.Config.ReadBufferSize is %d bytes: set it to 8192 or more, as in"+
			" fiber.New(fiber.Config{ReadBufferSize: 8192})", size)}
		mw.buffer.Store(b)
	}
	return b
}

func (mw *middleware) serve(c *fiber.Ctx) error {
	if mw.skip != nil && mw.skip(c) {
		return c.Next()
	}
	st := new(state) // never pooled: the session is handed to user code
	parent := c.UserContext()
	st.header, st.rctx, st.buffer = &c.Request().Header, c.Context(), mw.bufferOf(c)
	ctx := mw.m.Begin(&st.session, parent, st)
	c.SetUserContext(ctx)
	defer mw.end(c, st, parent, ctx)
	var err error
	if mw.m.DeviceEndpoint(c.Path()) {
		err = mw.serveDevice(c, st, ctx)
	} else {
		err = c.Next()
	}
	if err != nil {
		if err := c.App().ErrorHandler(c, err); err != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError) // as Fiber does
		}
	}
	res := c.Response()
	err = mw.m.Commit(ctx, &st.session, res.StatusCode(), &res.Header)
	st.finished = true
	if err != nil {
		// Nothing was saved: let the error handler answer.
		res.Header.Reset()
		res.ResetBody()
		return &statusError{err}
	}
	if err := mw.m.Finish(ctx, &st.session); err != nil {
		return &statusError{err}
	}
	return nil
}

// serveDevice answers a request to an endpoint of device-bound sessions
// (core.Manager.ServeDevice) in the handler's stead.
func (mw *middleware) serveDevice(c *fiber.Ctx, st *state, ctx context.Context) error {
	status, body, err := mw.m.ServeDevice(ctx, &st.session, c.Path(), st, &c.Response().Header)
	if err != nil {
		return &statusError{err}
	}
	c.Status(status)
	c.Response().SetBodyRaw(body)
	return nil
}

// end runs when serve returns, even if the handler panicked: fasthttp
// reuses the request's buffers and Fiber its context, so the session is
// ended, used or not, and the context keeps no pointer to it.
func (mw *middleware) end(c *fiber.Ctx, st *state, parent, ctx context.Context) {
	c.SetUserContext(parent)
	if !st.finished {
		mw.m.Abandon(&st.session) // the handler panicked
	}
}

// Session returns the request's session, loading it on first use. Its
// error, for the handler to return, wraps core's: one matching
// core.ErrStore when the store failed (503), or core.ErrNoSession when the
// middleware is not installed on this route or skipped this request (500:
// a programming error, which core.FromContext logs once with its fix).
// With several session middlewares on a route, it returns the last one's:
// see SessionOf.
func Session(c *fiber.Ctx) (*core.Session, error) {
	return answer(core.FromContext(c.UserContext()))
}

// SessionOf returns the request's session of m, for a route that runs
// several session middlewares (a preferences session in a cookie and a
// login session in Redis, say), as Session does. A missing middleware of m
// is logged once through m's Options.Logger.
func SessionOf(c *fiber.Ctx, m *core.Manager) (*core.Session, error) {
	return answer(m.FromContext(c.UserContext()))
}

func answer(s *core.Session, err error) (*core.Session, error) {
	if err != nil {
		return nil, &statusError{err}
	}
	return s, nil
}

type state struct {
	session  core.Session
	header   *fasthttp.RequestHeader
	rctx     *fasthttp.RequestCtx
	buffer   *buffer
	line     [1]string // room for the usual single Cookie line
	finished bool
}

// CookieLines gives core the request's Cookie header lines when the session
// is first used, as copies: once something has read a cookie through
// fasthttp (c.Cookies), fasthttp moves the raw line into a slot that the
// next request header set on c.Request() overwrites.
func (st *state) CookieLines() []string {
	if !st.rawCookies() {
		return st.parsedCookies()
	}
	all := st.header.PeekAll(fiber.HeaderCookie)
	if len(all) == 1 {
		st.line[0] = string(all[0])
		return st.line[:]
	}
	lines := make([]string, len(all))
	for i, b := range all {
		lines[i] = string(b)
	}
	return lines
}

// rawCookies reports whether the request's headers still hold a Cookie
// line as it came: fasthttp parses the lines into its list of cookies, and
// removes them from the headers, when something first reads a cookie.
func (st *state) rawCookies() bool {
	for _, k := range st.header.PeekKeys() {
		if bytes.EqualFold(k, []byte(fiber.HeaderCookie)) {
			return true
		}
	}
	return false
}

// parsedCookies gives core the cookies fasthttp has parsed as the one line
// its PeekAll would rebuild, but in one allocation where PeekAll takes two
// and its copy a third (the drivers' TestSessionAllocs, whose requests'
// cookies fasthttp has parsed). Without a Cookie line, there is nothing
// to parse, and it returns none.
func (st *state) parsedCookies() []string {
	n, parts := 0, 0
	st.cookieLine(func(b []byte) { n, parts = n+len(b), parts+1 })
	if parts == 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(n)
	st.cookieLine(func(p []byte) { b.Write(p) })
	st.line[0] = b.String()
	return st.line[:]
}

// cookieSep and cookieEq are the separators of a Cookie line.
var cookieSep, cookieEq = []byte("; "), []byte("=")

// cookieLine hands part, in turn, the pieces of the one line that holds
// the cookies fasthttp has parsed ("k=v; k=v"), as PeekAll rebuilds it.
func (st *state) cookieLine(part func([]byte)) {
	first := true
	st.header.VisitAllCookie(func(k, v []byte) {
		if !first {
			part(cookieSep)
		}
		first = false
		if len(k) > 0 {
			part(k)
			part(cookieEq)
		}
		part(v)
	})
}

// HeaderValues gives core the lines of the header that carries the token of
// a Manager with core.Options.TokenHeader (a core.HeaderSource), as copies,
// since fasthttp reuses the request's buffers.
func (st *state) HeaderValues(name string) []string {
	all := st.header.PeekAll(name)
	if len(all) == 0 {
		return nil
	}
	lines := make([]string, len(all))
	for i, b := range all {
		lines[i] = string(b)
	}
	return lines
}

// RequestLine and HeaderValue tell the endpoints of device-bound sessions
// what they read of the request (core.DeviceRequest).
func (st *state) RequestLine() (string, string) {
	return string(st.rctx.Method()), string(st.header.Host())
}

func (st *state) HeaderValue(name string) string { return string(st.header.Peek(name)) }

// PlainHTTP tells core how the request arrived (core.Origin), for its
// warning about Secure cookies over plain HTTP.
func (st *state) PlainHTTP() (string, bool) {
	proto := st.header.Peek(fiber.HeaderXForwardedProto)
	return string(st.header.Host()), !st.rctx.IsTLS() && !bytes.EqualFold(proto, []byte("https"))
}

// CookieLimit tells core the largest cookie the app can read back (a
// core.CookieLimiter): its read buffer less HeaderRoom.
func (st *state) CookieLimit() (int, string) {
	return st.buffer.size - HeaderRoom, st.buffer.raise
}

// statusError is one of core's errors as Fiber's error handlers see it. Its
// message is only the status text, because Fiber's default error handler
// sends the message to the client and core's may name the store's address;
// the cause is in errors.Unwrap and went through core's ErrorHandler.
type statusError struct{ err error }

func (e *statusError) Error() string { return http.StatusText(core.StatusCode(e.err)) }
func (e *statusError) Unwrap() error { return e.err }

// As makes errors.As find a *fiber.Error with core.StatusCode's code.
func (e *statusError) As(target any) bool {
	if p, ok := target.(**fiber.Error); ok {
		*p = fiber.NewError(core.StatusCode(e.err))
		return true
	}
	return false
}
