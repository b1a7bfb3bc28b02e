// Package commitwriter is the http.ResponseWriter that the adapters built
// on net/http's writer (sessionhttp, sessionecho) put in front of the
// server's, so that the session is committed just before the response
// starts, whichever way the handler starts it.
package commitwriter

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/transient-go/transient/core"
)

// Writer commits a session at the first WriteHeader (other than a 1xx),
// Write, WriteString, ReadFrom or Flush, and saves late changes when the
// handler returns (Finish). Unwrap returns the server's writer, so
// http.ResponseController keeps working; Hijack hands the connection over
// without a cookie. Adapters keep it in their per-request state.
type Writer struct {
	http.ResponseWriter
	M *core.Manager
	S *core.Session
	R *http.Request // its context is the session's

	// OnError, if set, writes the response when the commit fails, to the
	// server's writer, once the handler's headers have been cleared.
	// Without it, the caller answers after the handler returns.
	OnError func(w http.ResponseWriter, r *http.Request, err error)

	// Started is true once the response has started: the status line is
	// written or the connection hijacked.
	Started bool

	// Err is the commit's error. While it is set, what the handler writes
	// is discarded; the caller may clear it to write an error response.
	Err error

	header Header // what the commit adds to the response's headers goes through it
}

func (w *Writer) commit(code int) {
	w.Started = true
	if err := w.M.Commit(w.R.Context(), w.S, code, w.header.To(w.Header())); err != nil {
		w.Err = err
		clear(w.Header())
		if w.OnError != nil {
			w.OnError(w.ResponseWriter, w.R, err)
		}
	}
}

// WriteHeader commits the session, unless code is informational (1xx other
// than 101): the response has not started then.
func (w *Writer) WriteHeader(code int) {
	if !w.Started && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		w.commit(code)
	}
	if w.Err == nil {
		w.ResponseWriter.WriteHeader(code)
	}
}

// start commits the session with a 200 if the response has not started,
// as the first write of a body does, and reports whether what the handler
// writes goes out: not while Err is set.
func (w *Writer) start() bool {
	if !w.Started {
		w.WriteHeader(http.StatusOK)
	}
	return w.Err == nil
}

func (w *Writer) Write(b []byte) (int, error) {
	if !w.start() {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// WriteString is Write for a string: io.WriteString through the Writer
// reaches the server's writer's WriteString, if it has one, without
// copying s into a byte slice.
func (w *Writer) WriteString(s string) (int, error) {
	if !w.start() {
		return len(s), nil
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom keeps the server's sendfile path for io.Copy and
// http.ServeContent.
func (w *Writer) ReadFrom(src io.Reader) (int64, error) {
	if !w.start() {
		return io.Copy(io.Discard, src)
	}
	return io.Copy(w.ResponseWriter, src)
}

// Flush commits the session, then flushes the server's writer.
func (w *Writer) Flush() { _ = w.FlushError() }

// FlushError is what http.ResponseController.Flush calls.
func (w *Writer) FlushError() error {
	if !w.start() {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over. No cookie can be sent from then on:
// changes are saved as late changes by Finish.
func (w *Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.Started = true
	}
	return conn, rw, err
}

// Unwrap returns the server's writer, for http.ResponseController.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Finish runs when the handler returns. If the response never started, it
// commits the session for the 200 the server will send; then it saves what
// changed late (core.Manager.Finish). It returns the commit's error, or the
// late save's, which has already been through core's ErrorHandler.
func (w *Writer) Finish() error {
	if !w.Started {
		w.commit(http.StatusOK)
	}
	if w.Err != nil {
		return w.Err
	}
	return w.M.Finish(w.R.Context(), w.S)
}
