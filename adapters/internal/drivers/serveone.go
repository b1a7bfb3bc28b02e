package drivers

import (
	"net/http"
	"net/http/httptest"
)

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
