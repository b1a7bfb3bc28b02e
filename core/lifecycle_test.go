package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file tests a request's life cycle in the core, Begin to Finish,
// against a scripted store: one whose every answer the test chooses, so
// that each outcome a real store can give (not found, a failure, a record
// ended or changed by a concurrent request) is tried on purpose. The
// stores themselves are tested against real servers by package storetest,
// and the adapters over HTTP by their shared suite.

// answers are what a case scripts its store to answer. A nil func gives
// the default answer: Load finds nothing, Create, Update and Renew succeed
// (Renew with a new token), Delete succeeds.
type answers struct {
	load   func(token string) ([]byte, error)
	update func(n int, old []byte) error // n counts Update calls from 1
	renew  func(n int, old []byte) error
	delete func() error
}

// scripted is a core.Store that gives a case's answers and records every
// call.
type scripted struct {
	answers
	mu      sync.Mutex
	calls   []string
	written []byte // the payload of the last successful write
}

func (s *scripted) record(call string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	n := 0
	for _, c := range s.calls {
		if c == call {
			n++
		}
	}
	return n
}

func (s *scripted) wrote(p []byte) {
	s.mu.Lock()
	s.written = append([]byte(nil), p...)
	s.mu.Unlock()
}

func (s *scripted) Load(_ context.Context, token string) ([]byte, bool, error) {
	s.record("Load")
	if s.load == nil {
		return nil, false, core.ErrNotFound
	}
	p, err := s.load(token)
	return p, false, err
}

func (s *scripted) Create(_ context.Context, r core.Record) (string, error) {
	s.record("Create")
	s.wrote(r.Payload)
	return created, nil
}

func (s *scripted) Update(_ context.Context, token string, old []byte, r core.Record) (string, error) {
	n := s.record("Update")
	if s.update != nil {
		if err := s.update(n, old); err != nil {
			return "", err
		}
	}
	s.wrote(r.Payload)
	return token, nil
}

func (s *scripted) Renew(_ context.Context, _ string, old []byte, r core.Record) (string, error) {
	n := s.record("Renew")
	if s.renew != nil {
		if err := s.renew(n, old); err != nil {
			return "", err
		}
	}
	s.wrote(r.Payload)
	return renewed, nil
}

func (s *scripted) Delete(context.Context, string) error {
	s.record("Delete")
	if s.delete != nil {
		return s.delete()
	}
	return nil
}

var (
	loaded  = core.NewID() // the token of the record the cases load
	created = core.NewID() // what Create answers
	renewed = core.NewID() // what Renew answers
	now     = time.Unix(1_800_000_000, 0)

	alice = fmt.Appendf(nil, `{"c":%d,"i":%d,"d":{"user":"alice"},"f":{"q":["m0"]}}`, now.Unix(), now.Unix())
	// what a concurrent request left: it set theme
	aliceDark = fmt.Appendf(nil, `{"c":%d,"i":%d,"d":{"theme":"dark","user":"alice"},"f":{"q":["m0"]}}`, now.Unix(), now.Unix())
	// issued long ago: expired
	stale = fmt.Appendf(nil, `{"c":%d,"i":%d,"d":{"user":"alice"}}`, now.Unix()-7200, now.Unix()-7200)
)

func found(p []byte) func(string) ([]byte, error) {
	return func(string) ([]byte, error) { return p, nil }
}

func fails(err error) func(string) ([]byte, error) {
	return func(string) ([]byte, error) { return nil, err }
}

var (
	errDown  = errors.New("connection refused")
	conflict = &core.ConflictError{Current: aliceDark}
)

// cookieOf classifies a response's Set-Cookie: "" (none), "new", "expire".
func cookieOf(t *testing.T, h http.Header) string {
	t.Helper()
	cs := (&http.Response{Header: h}).Cookies()
	switch {
	case len(cs) == 0:
		return ""
	case len(cs) > 1:
		t.Fatalf("Set-Cookie %q; want one at most", h.Values("Set-Cookie"))
	case cs[0].MaxAge < 0:
		return "expire"
	}
	return "new"
}

func TestLifecycle(t *testing.T) {
	setUser := func(s *core.Session) { _ = s.Set("user", "bob") }
	tests := []struct {
		name    string
		cookie  string                      // the request's Cookie header
		store   answers                     // what its store answers
		opts    func(*core.Options)         // edits the Manager's options
		handle  func(*core.Session)         // what the handler does before Commit
		status  int                         // the response status; 0 means 200
		late    func(*core.Session)         // what it does after Commit
		abandon bool                        // a panic: Abandon instead of Commit and Finish
		calls   []string                    // the store calls, in order
		cookie2 string                      // "", "new" or "expire"
		loadErr error                       // what FromContext returns, if not nil
		err     error                       // what Commit or Finish returns, if not nil
		check   func(*testing.T, *scripted) // more checks
	}{
		{name: "new visitor, nothing stored", handle: func(s *core.Session) { s.Has("user") }},
		{name: "new visitor stores", handle: setUser, calls: []string{"Create"}, cookie2: "new"},
		{name: "unknown cookie", cookie: "session=" + loaded, handle: func(s *core.Session) { s.Has("user") },
			calls: []string{"Load"}, cookie2: "expire"},
		{name: "unknown cookie, then stores", cookie: "session=" + loaded, handle: setUser,
			calls: []string{"Load", "Create"}, cookie2: "new"},
		{name: "expired session", cookie: "session=" + loaded, store: answers{load: found(stale)},
			handle: func(s *core.Session) { s.Has("user") }, calls: []string{"Load"}, cookie2: "expire"},
		{name: "duplicated cookies: read-only, never cleared", cookie: "session=" + loaded + "; session=" + created,
			handle: setUser},
		{name: "store fails to load", cookie: "session=" + loaded, store: answers{load: fails(errDown)},
			calls: []string{"Load"}, loadErr: core.ErrStore},
		{name: "store fails to load, ErrorHandler carries on read-only", cookie: "session=" + loaded,
			store: answers{load: fails(errDown)}, opts: swallow, handle: setUser, calls: []string{"Load"}},
		{name: "ended by a concurrent request: anonymous, read-only", cookie: "session=" + loaded,
			store: answers{load: fails(core.ErrGone)}, handle: setUser, calls: []string{"Load"}},
		{name: "unchanged", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.String("user") }, calls: []string{"Load"}},
		{name: "changed", cookie: "session=" + loaded, store: answers{load: found(alice)}, handle: setUser,
			calls: []string{"Load", "Update"}, check: wrote(`"user":"bob"`)},
		{name: "changed by a concurrent request meanwhile: merged", cookie: "session=" + loaded,
			store: answers{load: found(alice), update: func(n int, old []byte) error {
				if n == 1 {
					return conflict
				}
				if string(old) != string(aliceDark) {
					return fmt.Errorf("retried on top of %s; want the current record", old)
				}
				return nil
			}},
			handle: setUser, calls: []string{"Load", "Update", "Update"}, check: wrote(`"theme":"dark","user":"bob"`)},
		{name: "changed on every try", cookie: "session=" + loaded,
			store:  answers{load: found(alice), update: func(int, []byte) error { return conflict }},
			handle: setUser, calls: repeat("Load", "Update", 16), err: core.ErrStore},
		{name: "deleted by a concurrent request meanwhile: discarded, no cookie", cookie: "session=" + loaded,
			store:  answers{load: found(alice), update: func(int, []byte) error { return core.ErrNotFound }},
			handle: setUser, late: setUser, calls: []string{"Load", "Update"}},
		{name: "re-issue meets a concurrent change: done by it", cookie: "session=" + loaded,
			store: answers{load: found(alice), update: func(int, []byte) error { return conflict }},
			opts:  func(o *core.Options) { o.ReissueTime = time.Nanosecond }, handle: func(s *core.Session) { s.Has("user") },
			calls: []string{"Load", "Update"}},
		{name: "renew", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Renew() }, calls: []string{"Load", "Renew"}, cookie2: "new"},
		{name: "renew meets a concurrent change: merged", cookie: "session=" + loaded,
			store: answers{load: found(alice), renew: func(n int, _ []byte) error {
				if n == 1 {
					return conflict
				}
				return nil
			}},
			handle: func(s *core.Session) { s.Renew() }, calls: []string{"Load", "Renew", "Renew"}, cookie2: "new",
			check: wrote(`"theme":"dark"`)},
		{name: "renewed by a concurrent request meanwhile: no cookie", cookie: "session=" + loaded,
			store:  answers{load: found(alice), renew: func(int, []byte) error { return core.ErrNotFound }},
			handle: func(s *core.Session) { s.Renew() }, calls: []string{"Load", "Renew"}},
		{name: "invalidate", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Invalidate() }, calls: []string{"Load", "Delete"}, cookie2: "expire"},
		{name: "invalidate after a concurrent logout: no cookie", cookie: "session=" + loaded,
			store:  answers{load: found(alice), delete: func() error { return core.ErrNotFound }},
			handle: func(s *core.Session) { s.Invalidate() }, calls: []string{"Load", "Delete"}},
		{name: "invalidate, then flash", cookie: "session=" + loaded,
			store: answers{load: found(alice), renew: func(_ int, old []byte) error {
				if old != nil {
					return fmt.Errorf("Renew compared the old record with %s; want nil", old)
				}
				return nil
			}},
			handle: func(s *core.Session) { s.Invalidate(); s.Flash("bye", "") },
			calls:  []string{"Load", "Renew"}, cookie2: "new", check: wrote(`"f":{"":["bye"]}`)},
		{name: "store fails to write", cookie: "session=" + loaded,
			store:  answers{load: found(alice), update: func(int, []byte) error { return errDown }},
			handle: setUser, calls: []string{"Load", "Update"}, err: core.ErrStore},
		{name: "store fails to write, ErrorHandler carries on", cookie: "session=" + loaded, opts: swallow,
			store:  answers{load: found(alice), update: func(int, []byte) error { return errDown }},
			handle: setUser, calls: []string{"Load", "Update"}},
		{name: "late change saved under the same ID", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Has("user") }, late: setUser, calls: []string{"Load", "Update"}},
		{name: "late renew", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: func(s *core.Session) { s.Has("user") }, late: func(s *core.Session) { s.Renew() },
			calls: []string{"Load"}, err: core.ErrLateChange},
		{name: "late change of a new session", handle: func(s *core.Session) { s.Has("user") }, late: setUser,
			err: core.ErrLateChange},
		{name: "abandoned", cookie: "session=" + loaded, store: answers{load: found(alice)}, handle: setUser,
			abandon: true, calls: []string{"Load"}},
		{name: "5xx skipped", cookie: "session=" + loaded, store: answers{load: found(alice)}, handle: setUser,
			opts: func(o *core.Options) { o.SkipOnServerError = true }, status: 500, calls: []string{"Load"}},
		{name: "5xx committed by default", cookie: "session=" + loaded, store: answers{load: found(alice)},
			handle: setUser, status: 500, calls: []string{"Load", "Update"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &scripted{answers: tt.store}
			var handled []error
			opts := &core.Options{Clock: func() time.Time { return now }, ErrorHandler: func(_ context.Context, err error) error {
				handled = append(handled, err)
				return err
			}}
			if tt.opts != nil {
				tt.opts(opts)
			}
			m, err := core.NewManager(store, opts)
			if err != nil {
				t.Fatal(err)
			}
			var s core.Session
			ctx := m.Begin(&s, context.Background(), core.CookiesFrom(http.Header{"Cookie": {tt.cookie}}))
			sess, err := core.FromContext(ctx)
			if !errors.Is(err, tt.loadErr) || (err == nil) != (tt.loadErr == nil) {
				t.Fatalf("FromContext = %v; want %v", err, tt.loadErr)
			}
			if sess != nil && tt.handle != nil {
				tt.handle(sess)
			}
			h := http.Header{}
			if tt.abandon {
				m.Abandon(&s)
			} else {
				status := tt.status
				if status == 0 {
					status = http.StatusOK
				}
				err = m.Commit(ctx, &s, status, h)
				if err == nil && sess != nil && tt.late != nil {
					tt.late(sess)
				}
				if ferr := m.Finish(ctx, &s); err == nil {
					err = ferr
				}
				switch {
				case tt.err == nil && err != nil:
					t.Fatalf("Commit and Finish = %v; want nil", err)
				case tt.err != nil && !errors.Is(err, tt.err):
					t.Fatalf("Commit and Finish = %v; want an error matching %v", err, tt.err)
				}
			}
			if got := cookieOf(t, h); got != tt.cookie2 {
				t.Errorf("Set-Cookie %q; want %q", h.Values("Set-Cookie"), tt.cookie2)
			}
			if !slices.Equal(store.calls, tt.calls) {
				t.Errorf("store calls %q; want %q", store.calls, tt.calls)
			}
			if tt.check != nil {
				tt.check(t, store)
			}
			if sess != nil && !tt.abandon {
				// Nothing is written once the request has finished.
				n := len(store.calls)
				_ = sess.Set("after", "finish")
				if len(store.calls) != n {
					t.Errorf("a change after Finish called the store")
				}
			}
		})
	}
}

func swallow(o *core.Options) {
	o.ErrorHandler = func(context.Context, error) error { return nil }
}

// wrote checks that the last payload written contains part.
func wrote(part string) func(*testing.T, *scripted) {
	return func(t *testing.T, s *scripted) {
		t.Helper()
		if !strings.Contains(string(s.written), part) {
			t.Errorf("the store was written %s; want it to contain %s", s.written, part)
		}
	}
}

// repeat returns first followed by n times call.
func repeat(first, call string, n int) []string {
	return append([]string{first}, slices.Repeat([]string{call}, n)...)
}
