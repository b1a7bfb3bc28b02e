package adaptertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// warnings is a slog.Handler that keeps the messages of warnings.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	w.msgs = append(w.msgs, r.Message)
	w.mu.Unlock()
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}

// testLocalDevWarning sends Secure cookies (the default) in reply to
// plain-HTTP requests: the Manager warns once, for a host that is not
// loopback, and never for loopback or for a request that came over HTTPS
// to a proxy.
func testLocalDevWarning(t *testing.T, d Driver, store core.Store) {
	log := new(warnings)
	e := newEnv(t, d, store, func(o *core.Options) { o.Insecure, o.Logger = false, slog.New(log) })
	login := func(host string, header http.Header) {
		t.Helper()
		req, err := http.NewRequest("POST", e.url+"/login", strings.NewReader(url.Values{"username": {"alice"}, "id": {"1"}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Set-Cookie"), "; Secure") {
			t.Fatalf("POST /login to %s = %d, Set-Cookie %q; want 303 and a Secure cookie", host, res.StatusCode, res.Header.Get("Set-Cookie"))
		}
	}
	for _, host := range []string{strings.TrimPrefix(e.url, "http://"), "localhost:8080", "localhost", "app.localhost", "[::1]:8080"} {
		login(host, nil)
	}
	login("app.test", http.Header{"X-Forwarded-Proto": {"https"}})
	if w := log.all(); len(w) > 0 {
		t.Fatalf("warnings for loopback hosts and HTTPS: %q; want none", w)
	}
	login("app.test", nil)
	login("192.168.1.20:8080", nil)
	w := log.all()
	if len(w) != 1 || !strings.Contains(w[0], "app.test") || !strings.Contains(w[0], "Insecure") {
		t.Fatalf("warnings %q; want one, naming the host and Options.Insecure", w)
	}
}

// records is a slog.Handler that keeps the records it gets at or above a
// level.
type records struct {
	level slog.Level
	mu    sync.Mutex
	recs  []slog.Record
}

func (h *records) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.recs = append(h.recs, r)
	h.mu.Unlock()
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

func (h *records) take() []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.recs
	h.recs = nil
	return r
}

// testErrorsLogged runs a Manager with the default options (no Logger, no
// ErrorHandler): an error that fails a request (a store outage, an
// oversized cookie) is logged through slog.Default at error level, once;
// a rejected cookie is not, at the default level; a successful request
// logs nothing.
func testErrorsLogged(t *testing.T, d Driver, store core.Store) {
	h := &records{level: slog.LevelInfo}
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(h))
	newServer := func(store core.Store) *client {
		m, err := core.NewManager(store, &core.Options{Insecure: true})
		if err != nil {
			t.Fatal(err)
		}
		return newClient(t, serve(t, d, []*core.Manager{m}, routes(new(gates), m)))
	}
	c := newServer(store)
	login(t, c, "alice", 7)
	want(t, c.do("GET", "/whoami", nil, cookieName+"=garbage"), 200, "anonymous")
	if recs := h.take(); len(recs) > 0 {
		t.Fatalf("a login and a rejected cookie logged %v; want nothing", recs)
	}
	down := newServer(testkit.DownStore(t))
	if r := down.do("GET", "/whoami", nil, cookieName+"="+core.NewID()); r.status != 503 {
		t.Fatalf("GET /whoami with the store down = %d; want 503", r.status)
	}
	recs := h.take()
	if len(recs) != 1 || recs[0].Level != slog.LevelError || !strings.Contains(fmt.Sprint(recordAttrs(recs[0])), "session store failed") {
		t.Fatalf("the store outage logged %v; want one error naming it", recs)
	}
	if isCookieStore(store) {
		if r := c.post("/set", url.Values{"key": {"big"}, "value": {strings.Repeat("x", 5000)}}); r.status != 500 {
			t.Fatalf("an oversized cookie = %d; want 500", r.status)
		}
		if recs := h.take(); len(recs) != 1 || recs[0].Level != slog.LevelError {
			t.Fatalf("an oversized cookie logged %v; want one error", recs)
		}
	}
}

func recordAttrs(r slog.Record) []string {
	var out []string
	r.Attrs(func(a slog.Attr) bool { out = append(out, a.String()); return true })
	return out
}
