package redisstore_test

import (
	"net/http"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// requestCases are the requests of TestRequestRoundTrips, with the round
// trips to Redis each costs. (bench/ measures their time, beside the
// peers'.)
var requestCases = []struct {
	name, method, path string
	trips              int64
}{
	{"untouched", "GET", "/untouched", 0},
	{"read-only", "GET", "/read", 1},
	{"read-write", "POST", "/write", 2},
}

// TestRequestRoundTrips counts the round trips to Redis of each request
// of requestCases.
func TestRequestRoundTrips(t *testing.T) {
	h, rt, req := requestApp(t)
	for _, tc := range requestCases {
		w := &discardWriter{h: http.Header{}}
		for range 3 {
			clear(w.h)
			w.code = 0
			before := rt.n.Load()
			h.ServeHTTP(w, req(tc.method, tc.path))
			if w.code != http.StatusOK {
				t.Fatalf("%s %s = %d", tc.method, tc.path, w.code)
			}
			if got := rt.n.Load() - before; got != tc.trips {
				t.Errorf("%s: %d round trips; want %d", tc.name, got, tc.trips)
			}
		}
	}
}

// requestApp starts Redis and the app of requestCases, logs a user in and
// returns the handler, the round-trip counter and a function that makes
// requests carrying the user's session cookie.
func requestApp(tb testing.TB) (http.Handler, *roundTrips, func(method, path string) *http.Request) {
	srv := redistest.Start(tb)
	client := srv.Client(tb)
	rt := &roundTrips{}
	client.AddHook(rt)
	store := newStore(tb, client, nil)
	if err := store.Ping(ctx); err != nil { // loads the scripts
		tb.Fatal(err)
	}
	m := newManager(tb, store)
	read := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return nil
		}
		id, _ := core.Get[int64](s, "user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			http.Error(w, "wrong session", http.StatusInternalServerError)
			return nil
		}
		return s
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /untouched", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) != nil {
			_, _ = w.Write([]byte("ok"))
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		if s := read(w, r); s != nil {
			// The previous request's flash, which the page after the
			// redirect would show, goes: the session keeps its size.
			s.PopFlash("")
			s.Flash("Article saved successfully!", "")
			_, _ = w.Write([]byte("ok"))
		}
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s, _ := sessionhttp.Session(r)
		_ = s.Set("user_id", 42)
		_ = s.Set("username", "alice")
		s.Renew()
	})
	h := sessionhttp.Middleware(m, nil)(mux)

	w := &discardWriter{h: http.Header{}}
	login, _ := http.NewRequest("POST", "/login", nil)
	h.ServeHTTP(w, login)
	cookie := w.cookie(core.DefaultCookieName)
	if cookie == "" {
		tb.Fatal("POST /login set no session cookie")
	}
	warm(tb, client)
	return h, rt, func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, path, nil)
		r.Header.Set("Cookie", core.DefaultCookieName+"="+cookie)
		return r
	}
}

// discardWriter is a ResponseWriter that keeps the status and headers and
// drops the body.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

func (w *discardWriter) cookie(name string) string {
	for _, line := range w.h["Set-Cookie"] {
		if c, err := http.ParseSetCookie(line); err == nil && c.Name == name {
			return c.Value
		}
	}
	return ""
}
