package core_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
)

// recorder is an Observer that writes down what it is told, as "commit
// written 0", "session created", "rejected unknown".
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) observer() *core.Observer {
	return &core.Observer{
		Commit: func(_ context.Context, outcome string, conflicts int) {
			r.add("commit %s %d", outcome, conflicts)
		},
		Session:        func(_ context.Context, event string) { r.add("session %s", event) },
		CookieRejected: func(_ context.Context, reason string) { r.add("rejected %s", reason) },
	}
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// TestObserver checks what the Manager tells its Observer of each outcome
// of a request, against the scripted store of TestLifecycle.
func TestObserver(t *testing.T) {
	setUser := func(s *core.Session) { _ = s.Set("user", "bob") }
	read := func(s *core.Session) { s.Has("user") }
	future := fmt.Appendf(nil, `{"c":%d,"i":%d,"d":{}}`, now.Unix(), now.Unix()+3600)
	tests := []struct {
		name   string
		cookie string
		store  answers
		handle func(*core.Session)
		late   func(*core.Session)
		want   []string
	}{
		{name: "new visitor, nothing stored", handle: read, want: []string{"commit unchanged 0"}},
		{name: "new visitor stores", handle: setUser, want: []string{"commit written 0", "session created"}},
		{name: "unknown cookie", cookie: "session=" + loaded, handle: read,
			want: []string{"rejected unknown", "commit unchanged 0"}},
		{name: "expired", cookie: "session=" + loaded, store: answers{load: found(stale)}, handle: read,
			want: []string{"rejected expired", "commit unchanged 0"}},
		{name: "issued in the future", cookie: "session=" + loaded, store: answers{load: found(future)}, handle: read,
			want: []string{"rejected tampered", "commit unchanged 0"}},
		{name: "undecodable", cookie: "session=" + loaded, store: answers{load: found([]byte(`{"c":`))}, handle: read,
			want: []string{"rejected tampered", "commit unchanged 0"}},
		{name: "not a token", cookie: `session=a\b`, handle: read,
			want: []string{"rejected tampered", "commit unchanged 0"}},
		{name: "oversized", cookie: "session=" + strings.Repeat("x", core.MaxCookieSize+1), handle: read,
			want: []string{"rejected oversized", "commit unchanged 0"}},
		{name: "duplicated: read-only, nothing committed", cookie: "session=" + loaded + "; session=" + created,
			handle: setUser, want: []string{"rejected duplicated"}},
		{name: "ended by a concurrent request", cookie: "session=" + loaded, store: answers{load: fails(core.ErrGone)},
			handle: setUser, want: []string{"rejected ended"}},
		{name: "store fails to load", cookie: "session=" + loaded, store: answers{load: fails(errDown)}},
		{name: "unchanged", cookie: "session=" + loaded, store: answers{load: found(alice)}, handle: read,
			want: []string{"commit unchanged 0"}},
		{name: "changed", cookie: "session=" + loaded, store: answers{load: found(alice)}, handle: setUser,
			want: []string{"commit written 0"}},
		{name: "one conflict", cookie: "session=" + loaded,
			store: answers{load: found(alice), update: func(n int, _ []byte) error {
				if n == 1 {
					return conflict
				}
				return nil
			}},
			handle: setUser, want: []string{"commit conflict_retried 1"}},
		{name: "a conflict on every try", cookie: "session=" + loaded,
			store:  answers{load: found(alice), update: func(int, []byte) error { return conflict }},
			handle: setUser, want: []string{"commit failed 16"}},
		{name: "deleted by a concurrent request", cookie: "session=" + loaded,
			store:  answers{load: found(alice), update: func(int, []byte) error { return core.ErrNotFound }},
			handle: setUser, late: setUser, want: []string{"commit ended 0"}},
		{name: "store fails to write", cookie: "session=" + loaded,
			store:  answers{load: found(alice), update: func(int, []byte) error { return errDown }},
			handle: setUser, want: []string{"commit failed 0"}},
		{name: "renew", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Renew() }, want: []string{"commit written 0", "session renewed"}},
		{name: "invalidate", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Invalidate() }, want: []string{"commit written 0", "session invalidated"}},
		{name: "invalidate after a concurrent logout", cookie: "session=" + loaded,
			store:  answers{load: found(alice), delete: func() error { return core.ErrNotFound }},
			handle: func(s *core.Session) { s.Invalidate() }, want: []string{"commit ended 0"}},
		{name: "invalidate, then flash", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Invalidate(); s.Flash("bye", "") },
			want:   []string{"commit written 0", "session invalidated", "session created"}},
		{name: "late change saved", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: read, late: setUser, want: []string{"commit unchanged 0", "commit written 0"}},
		{name: "late renew", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: read, late: func(s *core.Session) { s.Renew() }, want: []string{"commit unchanged 0", "commit failed 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			m, err := core.NewManager(&scripted{answers: tt.store}, &core.Options{
				Clock:        func() time.Time { return now },
				ErrorHandler: func(context.Context, error) error { return nil },
				Observer:     rec.observer(),
			})
			if err != nil {
				t.Fatal(err)
			}
			serve(m, tt.cookie, tt.handle, tt.late)
			if got := rec.all(); !slices.Equal(got, tt.want) {
				t.Errorf("the Observer was told %q; want %q", got, tt.want)
			}
		})
	}
}

// serve runs one request with cookie through m: handle before the commit,
// late after it.
func serve(m *core.Manager, cookie string, handle, late func(*core.Session)) http.Header {
	var s core.Session
	ctx := m.Begin(&s, context.Background(), core.CookiesFrom(http.Header{"Cookie": {cookie}}))
	if sess, err := core.FromContext(ctx); err == nil && handle != nil {
		handle(sess)
	}
	h := http.Header{}
	_ = m.Commit(ctx, &s, http.StatusOK, h)
	if sess, err := m.FromContext(ctx); err == nil && late != nil {
		late(sess)
	}
	_ = m.Finish(ctx, &s)
	return h
}

// TestObserverRealStores checks the events that need a real store: a
// session ended through the index, a cookie that fails verification, and
// one issued under another cookie name.
func TestObserverRealStores(t *testing.T) {
	var rec recorder
	store, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, &core.Options{Observer: rec.observer()})
	if err != nil {
		t.Fatal(err)
	}
	h := serve(m, "", func(s *core.Session) { _ = s.SetOwner("alice", core.Device{}) }, nil)
	cookie := strings.SplitN(h.Get("Set-Cookie"), ";", 2)[0]
	infos, err := m.Sessions(context.Background(), "alice")
	if err != nil || len(infos) != 1 {
		t.Fatalf("Sessions = %v, %v; want one", infos, err)
	}
	other, err := core.NewManager(store, &core.Options{CookieName: "other", Observer: rec.observer()})
	if err != nil {
		t.Fatal(err)
	}
	serve(other, "other="+strings.TrimPrefix(cookie, "session="), func(s *core.Session) { s.Has("user") }, nil)
	if err := m.EndSession(context.Background(), "alice", infos[0].ID); err != nil {
		t.Fatal(err)
	}
	want := []string{"commit written 0", "session created", "rejected foreign", "commit unchanged 0", "session ended"}
	if got := rec.all(); !slices.Equal(got, want) {
		t.Errorf("with memstore, the Observer was told %q; want %q", got, want)
	}

	rec = recorder{}
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{strings.Repeat("k", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	m, err = core.NewManager(cookies, &core.Options{Observer: rec.observer()})
	if err != nil {
		t.Fatal(err)
	}
	serve(m, "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA", func(s *core.Session) { s.Has("user") }, nil)
	want = []string{"rejected tampered", "commit unchanged 0"}
	if got := rec.all(); !slices.Equal(got, want) {
		t.Errorf("with cookiestore, the Observer was told %q; want %q", got, want)
	}
}

// TestObserverEmpty checks that an Observer without functions is never
// called, and that a Manager without one works as before.
func TestObserverEmpty(t *testing.T) {
	for _, obs := range []*core.Observer{nil, {}} {
		m, err := core.NewManager(&scripted{answers: answers{load: found(alice)}}, &core.Options{
			Clock: func() time.Time { return now }, Observer: obs,
		})
		if err != nil {
			t.Fatal(err)
		}
		serve(m, "session="+core.NewID(), func(s *core.Session) { s.Renew() }, nil)
		serve(m, "session=x; session=y", nil, nil)
	}
}
