// Package sessionhttp is the net/http adapter of transient: one middleware
// that gives every request a session and commits it before the first byte
// of the response, so a handler can set a flash and redirect without ever
// calling Save.
//
//	mux := http.NewServeMux()
//	handler := sessionhttp.Middleware(manager, nil)(mux)
//
// Handlers reach the session with [Session] (or core.FromContext on the
// request's context). The session is loaded on first use only: a request
// that never uses it parses no cookie, calls no store and gets no
// Set-Cookie header. With core.Options.TokenHeader, the session's
// token comes in that request header instead, and goes back in that
// response header.
//
// With core.Options.DeviceBinding set, the middleware also serves the
// registration and refresh endpoints of device-bound sessions, whatever
// the handler behind it routes: install it in front of the whole mux.
//
// The response writer the handler receives wraps the server's; Unwrap
// returns the original, so http.ResponseController keeps working, and
// Flush, ReadFrom and Hijack commit the session first. A change made after
// the response started is saved where a server-side store allows it (same
// ID) and reported through the core's ErrorHandler otherwise.
package sessionhttp

import (
	"net/http"

	"github.com/transient-go/transient/adapters/internal/commitwriter"
	"github.com/transient-go/transient/core"
)

// Options configures the middleware; nil means the defaults.
type Options struct {
	// ErrorResponse writes the response when committing the session fails
	// before the response has started (the store is down, the cookie is too
	// large). The handler's headers have been cleared and whatever it
	// writes afterwards is discarded. Default: the status from
	// core.StatusCode and its text, as plain text.
	ErrorResponse func(w http.ResponseWriter, r *http.Request, err error)
}

// Middleware returns the session middleware for m. It panics if m is nil,
// a wiring mistake found at start-up.
func Middleware(m *core.Manager, opts *Options) func(http.Handler) http.Handler {
	if m == nil {
		panic("sessionhttp: Middleware called with a nil *core.Manager")
	}
	onError := defaultErrorResponse
	if opts != nil && opts.ErrorResponse != nil {
		onError = opts.ErrorResponse
	}
	return func(next http.Handler) http.Handler {
		return &handler{m: m, next: next, onError: onError}
	}
}

// Session returns the request's session, loading it on first use. On an
// error, answer with core.StatusCode(err), never as if the visitor had no
// session: 503 for an error matching core.ErrStore (the store failed; the
// request may succeed once it is back), 500 for core.ErrNoSession (the
// middleware is not installed on this route, a programming error that
// core.FromContext logs once with its fix). With several session
// middlewares on a route, it returns the last one's: see SessionOf.
func Session(r *http.Request) (*core.Session, error) {
	return core.FromContext(r.Context())
}

// SessionOf returns the request's session of m, for a route that runs
// several session middlewares (a preferences session in a cookie and a
// login session in Redis, say), as Session does. A missing middleware of m
// is logged once through m's Options.Logger.
func SessionOf(r *http.Request, m *core.Manager) (*core.Session, error) {
	return m.FromContext(r.Context())
}

func defaultErrorResponse(w http.ResponseWriter, _ *http.Request, err error) {
	code := core.StatusCode(err)
	http.Error(w, http.StatusText(code), code)
}

// handler is a type rather than a closure so that ServeHTTP is compiled
// here, where r.WithContext is inlined and its copy stays in state.
type handler struct {
	m       *core.Manager
	next    http.Handler
	onError func(http.ResponseWriter, *http.Request, error)
}

// state is all a request costs: one allocation.
type state struct {
	req     http.Request
	w       commitwriter.Writer
	session core.Session
	done    bool // the handler returned
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := new(state)
	ctx := h.m.Begin(&st.session, r.Context(), core.RequestCookies(r))
	st.req = *r.WithContext(ctx)
	st.w = commitwriter.Writer{ResponseWriter: w, M: h.m, S: &st.session, R: &st.req, OnError: h.onError}
	defer st.abandonUnlessDone(h.m)
	if h.m.DeviceEndpoint(r.URL.Path) {
		st.serveDevice(h)
	} else {
		h.next.ServeHTTP(&st.w, &st.req)
	}
	st.done = true
	_ = st.w.Finish() // errors went to the ErrorResponse or core's ErrorHandler
}

// serveDevice answers a request to an endpoint of device-bound sessions
// (core.Manager.ServeDevice) in the application's handler's stead.
func (st *state) serveDevice(h *handler) {
	status, body, err := h.m.ServeDevice(st.req.Context(), &st.session, st.req.URL.Path, core.HTTPDeviceRequest(&st.req), st.w.Header())
	if err != nil {
		h.onError(&st.w, &st.req, err)
		return
	}
	st.w.WriteHeader(status)
	_, _ = st.w.Write(body)
}

// abandonUnlessDone runs when ServeHTTP returns: if the handler panicked,
// what it changed is discarded, whatever a recovery middleware then
// answers.
func (st *state) abandonUnlessDone(m *core.Manager) {
	if !st.done {
		m.Abandon(&st.session)
	}
}
