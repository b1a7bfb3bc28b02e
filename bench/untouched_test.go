package bench_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
)

// discard is a ResponseWriter that does nothing, so that only the
// middleware is measured.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// BenchmarkUntouched isolates what a middleware adds to a request whose
// handler never touches the session: no mux, no recorder, a handler that
// does nothing. (adapters/internal/drivers/allocs_test.go holds each
// adapter's allocations to their count.) "bare" is the
// handler alone; "withcontext" the least any middleware that hands
// handlers a value through the request's context can do (context.WithValue
// and r.WithContext, which copies the request); transient-cookie our
// net/http middleware with the cookie store.
func BenchmarkUntouched(b *testing.B) {
	var sink *http.Request
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sink = r })
	st := ourStores(b)[0]
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", bareCookie)
	w := discard{h: http.Header{}}
	for _, r := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", handler},
		{"withcontext", withContext(handler)},
		{st.name, sessionhttp.Middleware(newManager(b, st.store), nil)(handler)},
	} {
		b.Run(r.name+"/untouched", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.h.ServeHTTP(w, req)
			}
		})
	}
	_ = sink
}
