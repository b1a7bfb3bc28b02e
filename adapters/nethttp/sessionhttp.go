// Package sessionhttp is the net/http adapter of transient: one middleware
// that gives every request a session and commits it before the first byte
// of the response, so a handler can set a flash and redirect without ever
// calling Save.
//
//	mux := http.NewServeMux()
//	handler := sessionhttp.Middleware(manager, nil)(mux)
//
// Handlers reach the session with [Get] (or core.FromContext on the
// request's context). The session is loaded on first use only: a request
// that never uses it parses no cookie, calls no store and gets no
// Set-Cookie header.
//
// The response writer the handler receives wraps the server's; Unwrap
// returns the original, so http.ResponseController keeps working, and
// Flush, ReadFrom and Hijack commit the session first. A change made after
// the response started is saved where a server-side store allows it (same
// ID) and reported through the core's ErrorHandler otherwise.
package sessionhttp

import (
	"bufio"
	"io"
	"net"
	"net/http"

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
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// One allocation holds the request copy, the writer and the
			// session.
			st := new(state)
			ctx := m.Begin(&st.session, r.Context(), r.Header["Cookie"])
			st.req = *r.WithContext(ctx)
			st.w = responseWriter{ResponseWriter: w, m: m, s: &st.session, r: &st.req, onError: onError}
			next.ServeHTTP(&st.w, &st.req)
			st.w.finish()
		})
	}
}

// Get returns the request's session, loading it on first use. It returns
// core.ErrNoSession without the middleware, and an error matching
// core.ErrStore when the store failed: answer with core.StatusCode(err)
// then, never as if the visitor had no session.
func Get(r *http.Request) (*core.Session, error) {
	return core.FromContext(r.Context())
}

func defaultErrorResponse(w http.ResponseWriter, _ *http.Request, err error) {
	code := core.StatusCode(err)
	http.Error(w, http.StatusText(code), code)
}

type state struct {
	req     http.Request
	w       responseWriter
	session core.Session
}

// responseWriter commits the session when the response starts.
type responseWriter struct {
	http.ResponseWriter
	m       *core.Manager
	s       *core.Session
	r       *http.Request
	onError func(http.ResponseWriter, *http.Request, error)
	started bool // the status line is written, or the connection hijacked
	failed  bool // the commit failed and the error response was sent
}

func (w *responseWriter) WriteHeader(code int) {
	if w.started {
		if !w.failed {
			w.ResponseWriter.WriteHeader(code) // net/http logs the superfluous call
		}
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the response has not started
		return
	}
	w.commit(code)
	if !w.failed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *responseWriter) commit(code int) {
	w.started = true
	if err := w.m.Commit(w.r.Context(), w.s, code, w.Header()); err != nil {
		w.failed = true
		clear(w.Header())
		w.onError(w.ResponseWriter, w.r, err)
	}
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps the server's sendfile path for io.Copy and http.ServeContent.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return io.Copy(io.Discard, src)
	}
	return io.Copy(w.ResponseWriter, src)
}

// Flush commits the session, then flushes the server's writer.
func (w *responseWriter) Flush() {
	_ = w.FlushError()
}

// FlushError is what http.ResponseController.Flush calls.
func (w *responseWriter) FlushError() error {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over. The session can no longer send a cookie
// from then on: changes are committed as late changes when the handler
// returns.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.started = true
	}
	return conn, rw, err
}

// Unwrap returns the server's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish runs when the handler returns.
func (w *responseWriter) finish() {
	if !w.started {
		w.commit(http.StatusOK) // the server will send a 200 with these headers
	}
	if !w.failed {
		_ = w.m.Finish(w.r.Context(), w.s) // reported through the ErrorHandler
	}
}
