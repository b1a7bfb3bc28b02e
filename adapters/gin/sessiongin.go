// Package sessiongin is the Gin adapter of transient, for
// github.com/gin-gonic/gin v1: one middleware that gives every request a
// session and commits it before the first byte of the response, so a
// handler can set a flash and call c.Redirect without ever calling Save.
//
//	r := gin.New()
//	r.Use(sessiongin.Middleware(manager, nil))
//
// Handlers reach the session with [Session], and code below them with
// core.FromContext(c.Request.Context()). The session is loaded on first use
// only: a request that never uses it parses no cookie, calls no store and
// gets no Set-Cookie header. With core.Options.TokenHeader, the session's
// token comes in that request header instead, and goes back in that
// response header.
//
// With core.Options.DeviceBinding set, the middleware also serves the
// registration and refresh endpoints of device-bound sessions, which need
// no route: install it with Engine.Use, which Gin runs for paths without
// a route too.
//
// The middleware wraps c.Writer. The session is committed when the
// response's headers go out: at the first Write, WriteString,
// WriteHeaderNow or Flush, or when the chain returns if nothing was written
// (Gin's WriteHeader only records the status). A Hijack before that hands
// the connection over without a cookie. A change made after the response
// started is saved where a server-side store allows it (same ID) and
// reported through the core's ErrorHandler otherwise.
//
// Errors go the Gin way: [Session] and the middleware record them with c.Error
// and, unless the response has started, abort and answer with
// Options.ErrorResponse, by default the status core.StatusCode(err) (503
// when the store is down, 500 otherwise). When the commit itself fails, the
// handler's headers are cleared and what it writes afterwards is discarded.
package sessiongin

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/transient-go/transient/adapters/internal/commitwriter"
	"github.com/transient-go/transient/core"
)

// Options configures the middleware; nil means the defaults.
type Options struct {
	// ErrorResponse answers a request whose session failed before the
	// response started: the store was down when the handler called Get,
	// or the commit failed. The error is already recorded with c.Error,
	// the chain aborted and, for a failed commit, the handler's headers
	// cleared. Default: c.AbortWithStatus(core.StatusCode(err)).
	ErrorResponse func(c *gin.Context, err error)
}

// Middleware returns the session middleware for m. Install it before the
// handlers that use sessions, with Engine.Use or on a group. It panics if
// m is nil, a wiring mistake found at start-up.
func Middleware(m *core.Manager, opts *Options) gin.HandlerFunc {
	if m == nil {
		panic("sessiongin: Middleware called with a nil *core.Manager")
	}
	mw := &middleware{m: m, onError: defaultErrorResponse}
	if opts != nil && opts.ErrorResponse != nil {
		mw.onError = opts.ErrorResponse
	}
	return mw.serve
}

func defaultErrorResponse(c *gin.Context, err error) {
	c.AbortWithStatus(core.StatusCode(err))
}

// middleware is a method rather than a closure so that it is compiled here,
// where r.WithContext is inlined and its copy stays off the heap, and not
// in the package that calls Middleware.
type middleware struct {
	m       *core.Manager
	onError func(*gin.Context, error)
}

func (mw *middleware) serve(c *gin.Context) {
	// One allocation holds the request copy, the writer and the session.
	st := new(state)
	ctx := mw.m.Begin(&st.session, c.Request.Context(), core.RequestCookies(c.Request))
	st.req = *c.Request.WithContext(ctx)
	st.w = writer{ResponseWriter: c.Writer, c: c, mw: mw, s: &st.session, r: &st.req}
	c.Request, c.Writer = &st.req, &st.w
	defer st.abandonUnlessDone(mw.m)
	if mw.m.DeviceEndpoint(c.Request.URL.Path) {
		mw.serveDevice(c, st)
	} else {
		c.Next()
	}
	st.done = true
	st.w.commit() // Gin writes the headers itself if nothing was written
	if !st.w.failed {
		if err := mw.m.Finish(ctx, &st.session); err != nil {
			_ = c.Error(err) // the response has started: record only
		}
	}
}

// serveDevice answers a request to an endpoint of device-bound sessions
// (core.Manager.ServeDevice) in the chain's stead.
func (mw *middleware) serveDevice(c *gin.Context, st *state) {
	c.Abort()
	status, body, err := mw.m.ServeDevice(st.req.Context(), &st.session, st.req.URL.Path, core.HTTPDeviceRequest(&st.req), c.Writer.Header())
	if err != nil {
		_ = c.Error(err)
		mw.onError(c, err)
		return
	}
	c.Status(status)
	_, _ = c.Writer.Write(body)
}

// Session returns the request's session, loading it on first use. If that
// fails it records the error with c.Error and, unless the response has
// started, aborts and answers with Options.ErrorResponse (by default the
// status core.StatusCode(err)), so a handler only needs to return. The
// error is core's: one matching core.ErrStore when the store failed (503),
// or core.ErrNoSession when the middleware is not installed on this route
// (500: a programming error, which core.FromContext logs once with its
// fix; the default ErrorResponse answers it, as Options.ErrorResponse
// belongs to a middleware that is not there). With several session
// middlewares on a route, it returns the last one's: see SessionOf.
func Session(c *gin.Context) (*core.Session, error) {
	return answer(c)(core.FromContext(c.Request.Context()))
}

// SessionOf returns the request's session of m, for a route that runs
// several session middlewares (a preferences session in a cookie and a
// login session in Redis, say), as Session does. A missing middleware of m
// is logged once through m's Options.Logger.
func SessionOf(c *gin.Context, m *core.Manager) (*core.Session, error) {
	return answer(c)(m.FromContext(c.Request.Context()))
}

// answer records and answers the error of a session that failed to load.
func answer(c *gin.Context) func(*core.Session, error) (*core.Session, error) {
	return func(s *core.Session, err error) (*core.Session, error) {
		if err == nil {
			return s, nil
		}
		_ = c.Error(err)
		c.Abort()
		if w, ok := c.Writer.(*writer); ok && !w.Written() {
			w.mw.onError(c, err)
		} else if !c.Writer.Written() {
			defaultErrorResponse(c, err) // no middleware
		}
		return nil, err
	}
}

type state struct {
	req     http.Request
	w       writer
	session core.Session
	done    bool // the chain returned
}

// abandonUnlessDone runs when the middleware returns: if a handler
// panicked, what it changed is discarded, whatever the recovery
// middleware then answers.
func (st *state) abandonUnlessDone(m *core.Manager) {
	if !st.done {
		m.Abandon(&st.session)
	}
}

// writer commits the session when the response's headers go out.
type writer struct {
	gin.ResponseWriter
	c       *gin.Context
	mw      *middleware
	s       *core.Session
	r       *http.Request
	started bool                // the session is committed, or the connection hijacked
	failed  bool                // the commit failed and the error status was sent
	header  commitwriter.Header // what the commit adds to the response's headers goes through it
}

// commit commits the session once, with the status Gin has recorded.
func (w *writer) commit() {
	if w.started {
		return
	}
	w.started = true
	err := w.mw.m.Commit(w.r.Context(), w.s, w.ResponseWriter.Status(), w.header.To(w.Header()))
	if err == nil {
		return
	}
	w.failed = true
	_ = w.c.Error(err)
	w.c.Abort()
	clear(w.Header())
	// The error response goes straight to Gin's writer; what the handler
	// writes afterwards, through w, is discarded.
	w.c.Writer = w.ResponseWriter
	w.mw.onError(w.c, err)
	w.ResponseWriter.WriteHeaderNow()
	w.c.Writer = w
}

func (w *writer) WriteHeader(code int) {
	if !w.failed {
		w.ResponseWriter.WriteHeader(code) // Gin records it
	}
}

func (w *writer) WriteHeaderNow() {
	w.commit()
	if !w.failed {
		w.ResponseWriter.WriteHeaderNow()
	}
}

func (w *writer) Write(b []byte) (int, error) {
	w.commit()
	if w.failed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *writer) WriteString(s string) (int, error) {
	w.commit()
	if w.failed {
		return len(s), nil
	}
	return w.ResponseWriter.WriteString(s)
}

// Flush commits the session, then flushes Gin's writer.
func (w *writer) Flush() {
	w.commit()
	if !w.failed {
		w.ResponseWriter.Flush()
	}
}

// Hijack hands the connection over. The session can no longer send a cookie
// from then on: changes are committed as late changes when the chain
// returns.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := w.ResponseWriter.Hijack()
	if err == nil {
		w.started = true
	}
	return conn, rw, err
}

// Unwrap returns Gin's writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
