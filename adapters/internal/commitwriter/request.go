package commitwriter

import (
	"net/http"

	"github.com/transient-go/transient/core"
)

// Request is the state of one request of an adapter that hands its
// handler a Writer, the Echo adapters' (v4 and v5): the copy of the
// request that carries the session, the Writer and the session itself,
// made in one allocation. The adapter calls Begin, defers
// AbandonUnlessHandled, runs the handler, then calls Handled and Finish.
type Request struct {
	req     http.Request
	w       Writer
	session core.Session
	handled bool // the handler returned
}

// Begin starts the session of r, whose response goes to w, and returns
// the copy of r that carries it and the Writer in front of w, which the
// adapter hands the handler in their place.
func (q *Request) Begin(m *core.Manager, r *http.Request, w http.ResponseWriter) (*http.Request, *Writer) {
	ctx := m.Begin(&q.session, r.Context(), core.RequestCookies(r))
	q.req = *r.WithContext(ctx)
	q.w = Writer{ResponseWriter: w, M: m, S: &q.session, R: &q.req}
	return &q.req, &q.w
}

// Handled records that the handler returned, rather than panicked.
func (q *Request) Handled() { q.handled = true }

// AbandonUnlessHandled, deferred after Begin, discards what the handler
// changed if it panicked, whatever a recovery middleware then answers.
func (q *Request) AbandonUnlessHandled() {
	if !q.handled {
		q.w.M.Abandon(&q.session)
	}
}

// Finish runs when the handler has returned, and its error page, if any,
// has been written: it commits the session if the response has not
// started, then saves what changed late (Writer.Finish). If the commit
// failed before anything went out, it reports failed and clears the
// Writer's error, so that what is written next goes out: the adapter then
// hands err to its framework's error handler, which answers. Otherwise err
// is a late save's error, which has been through core's ErrorHandler.
func (q *Request) Finish() (failed bool, err error) {
	err = q.w.Finish()
	if q.w.Err != nil {
		q.w.Err = nil
		return true, err
	}
	return false, err
}

// DeviceEndpoint reports whether the request's path is one of the
// endpoints of device-bound sessions, which the adapter answers with
// ServeDevice in its handler's stead (core.Manager.DeviceEndpoint).
func (q *Request) DeviceEndpoint() bool { return q.w.M.DeviceEndpoint(q.req.URL.Path) }

// ServeDevice answers a request to an endpoint of device-bound sessions
// (core.Manager.ServeDevice): it adds the response's headers to the
// Writer's and returns the status and body, which the adapter writes
// through its framework's response, or an error for its error handler.
func (q *Request) ServeDevice() (status int, body []byte, err error) {
	return q.w.M.ServeDevice(q.req.Context(), &q.session, q.req.URL.Path, core.HTTPDeviceRequest(&q.req), q.w.Header())
}
