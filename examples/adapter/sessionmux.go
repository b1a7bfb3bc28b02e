// Package sessionmux is a minimal adapter of transient for any router that
// is an http.Handler (http.ServeMux, chi, gorilla/mux...), written outside
// the transient module from its guide, docs/writing-an-adapter.md, and
// proven by transient's adapter suite (sessionmux_test.go). Applications on
// net/http use transient's own adapter, sessionhttp, which also hands a
// hijacked connection over and keeps io.Copy's sendfile path; this one
// shows, in one file, what every adapter does.
package sessionmux

import (
	"net/http"

	"github.com/transient-go/transient/core"
)

// Middleware returns the session middleware for m. It panics if m is nil,
// a wiring mistake found at start-up.
func Middleware(m *core.Manager) func(http.Handler) http.Handler {
	if m == nil {
		panic("sessionmux: Middleware called with a nil *core.Manager")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var s core.Session
			// The session rides on the request's context, loaded from
			// the request's cookie on first use.
			r = r.WithContext(m.Begin(&s, r.Context(), core.RequestCookies(r)))
			cw := &writer{ResponseWriter: w, m: m, s: &s, r: r}
			done := false
			defer func() {
				if !done { // the handler panicked: nothing it changed is kept
					m.Abandon(&s)
				}
			}()
			if m.DeviceEndpoint(r.URL.Path) {
				serveDevice(m, &s, cw, r)
			} else {
				next.ServeHTTP(cw, r)
			}
			done = true
			cw.start(http.StatusOK) // a handler that wrote nothing gets a 200
			// What changed after the response started is saved, or
			// reported through the Manager's ErrorHandler.
			_ = m.Finish(r.Context(), &s)
		})
	}
}

// serveDevice answers a request to an endpoint of device-bound sessions
// (core.DeviceBinding), in the handler's stead: the core does the work,
// and the answer goes out through the writer, which commits the session.
func serveDevice(m *core.Manager, s *core.Session, w *writer, r *http.Request) {
	status, body, err := m.ServeDevice(r.Context(), s, r.URL.Path, core.HTTPDeviceRequest(r), w.Header())
	if err != nil { // the store failed
		status = core.StatusCode(err)
		body = []byte(http.StatusText(status))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Session returns the request's session, loading it on first use. On an
// error, answer with core.StatusCode(err): 503 when the store failed, 500
// when the middleware is missing.
func Session(r *http.Request) (*core.Session, error) {
	return core.FromContext(r.Context())
}

// SessionOf returns the request's session of m, for a route behind several
// session middlewares.
func SessionOf(r *http.Request, m *core.Manager) (*core.Session, error) {
	return m.FromContext(r.Context())
}

// writer commits the session just before the response starts, whichever
// way the handler starts it.
type writer struct {
	http.ResponseWriter
	m       *core.Manager
	s       *core.Session
	r       *http.Request
	started bool // the status line is written
	failed  bool // the commit failed and an error page went out instead
}

// start commits the session for a response with status code, unless the
// response has started. If the commit fails, the handler's headers are
// dropped and an error page answers.
func (w *writer) start(code int) {
	if w.started {
		return
	}
	w.started = true
	if err := w.m.Commit(w.r.Context(), w.s, code, w.Header()); err != nil {
		w.failed = true
		clear(w.Header())
		code := core.StatusCode(err)
		http.Error(w.ResponseWriter, http.StatusText(code), code)
	}
}

func (w *writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: not the response yet
		return
	}
	w.start(code)
	if !w.failed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *writer) Write(b []byte) (int, error) {
	w.start(http.StatusOK)
	if w.failed {
		return len(b), nil // the error page stands
	}
	return w.ResponseWriter.Write(b)
}

// Flush commits the session, then flushes what the handler wrote.
func (w *writer) Flush() {
	w.start(http.StatusOK)
	if !w.failed {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap returns the server's writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
