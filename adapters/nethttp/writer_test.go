package sessionhttp_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/internal/testkit"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

func serve(t *testing.T, m *core.Manager, opts *sessionhttp.Options, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(sessionhttp.Middleware(m, opts)(h))
	t.Cleanup(srv.Close)
	return srv.URL
}

func manager(t *testing.T, store core.Store, opts *core.Options) *core.Manager {
	t.Helper()
	if opts == nil {
		opts = &core.Options{}
	}
	opts.Insecure = true
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler) // some tests fail on purpose
	}
	m, err := core.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func setFlash(w http.ResponseWriter, r *http.Request) *core.Session {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, err.Error(), core.StatusCode(err))
		return nil
	}
	s.Flash("hello", "")
	return s
}

func TestFlushCommitsFirst(t *testing.T) {
	url := serve(t, manager(t, testkit.Memstore(t), nil), nil, func(w http.ResponseWriter, r *http.Request) {
		setFlash(w, r)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("ResponseController.Flush = %v", err)
		}
		w.(http.Flusher).Flush()
		io.WriteString(w, "streamed")
	})
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Set-Cookie") == "" {
		t.Fatal("a flushed response carries no Set-Cookie")
	}
}

func TestInformationalResponseDoesNotCommit(t *testing.T) {
	url := serve(t, manager(t, testkit.Memstore(t), nil), nil, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		setFlash(w, r) // after the 103: still before the response starts
		w.Header().Del("Link")
		w.WriteHeader(http.StatusOK)
	})
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") == "" {
		t.Fatalf("after 103 Early Hints: %d, Set-Cookie %q; want 200 with the cookie", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
}

func TestHijack(t *testing.T) {
	var mu sync.Mutex
	var got []error
	m := manager(t, testkit.Memstore(t), &core.Options{ErrorHandler: func(_ context.Context, err error) error {
		mu.Lock()
		got = append(got, err)
		mu.Unlock()
		return err
	}})
	url := serve(t, m, nil, func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack = %v", err)
			return
		}
		defer conn.Close()
		setFlash(w, r) // a new session: it needs a cookie that can no longer be sent
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		rw.Flush()
	})
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" {
		t.Fatalf("hijacked response = %q", b)
	}
	reported := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1 && errors.Is(got[0], core.ErrLateChange)
	}
	for range 100 { // the handler's goroutine finishes after the client has read
		if reported() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("ErrorHandler got %v; want one ErrLateChange", got)
}

func TestErrorResponse(t *testing.T) {
	store, _ := cookiestore.New(&cookiestore.Options{Secrets: []string{strings.Repeat("s", 32)}})
	big := func(w http.ResponseWriter, r *http.Request) {
		s, _ := sessionhttp.Session(r)
		s.Set("big", strings.Repeat("x", 5000))
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusSeeOther)
		io.WriteString(w, "handler body")
	}
	tests := []struct {
		name     string
		opts     *sessionhttp.Options
		status   int
		body     string
		location string
	}{
		{"default", nil, 500, "Internal Server Error\n", ""},
		{"custom", &sessionhttp.Options{ErrorResponse: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			io.WriteString(w, err.Error()[:23])
		}}, 413, "core: session cookie is", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, manager(t, store, nil), tt.opts, big)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || string(b) != tt.body || resp.Header.Get("Location") != tt.location || resp.Header.Get("Set-Cookie") != "" {
				t.Fatalf("got %d %q, Location %q, Set-Cookie %q; want %d %q and no Location or cookie",
					resp.StatusCode, b, resp.Header.Get("Location"), resp.Header.Get("Set-Cookie"), tt.status, tt.body)
			}
		})
	}
}

func TestGetWithoutMiddleware(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler)) // Session logs the middleware it does not find
	r := httptest.NewRequest("GET", "/", nil)
	if _, err := sessionhttp.Session(r); !errors.Is(err, core.ErrNoSession) {
		t.Fatalf("Get without the middleware = %v; want core.ErrNoSession", err)
	}
}
