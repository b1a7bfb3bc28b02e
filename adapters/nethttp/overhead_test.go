package sessionhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// discard is a ResponseWriter that does nothing, so that only the
// middleware is measured.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

type ctxKey struct{}

// BenchmarkUntouched isolates what the middleware adds to a request whose
// handler never touches the session: "bare" is a handler alone,
// "withContext" the least any middleware that puts a value in the request's
// context can do (context.WithValue and r.WithContext), "middleware" the
// session middleware.
func BenchmarkUntouched(b *testing.B) {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{strings.Repeat("k", 32)}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	var sink *http.Request
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sink = r })
	withContext := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, m)))
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA; theme=dark")
	w := discard{h: http.Header{}}
	for _, bench := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", handler},
		{"withContext", withContext},
		{"middleware", sessionhttp.Middleware(m, nil)(handler)},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bench.h.ServeHTTP(w, req)
			}
		})
	}
	_ = sink
}
