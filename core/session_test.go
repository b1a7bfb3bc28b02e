package core_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// request is one request's session outside any adapter.
type request struct {
	m   *core.Manager
	ctx context.Context
	s   core.Session
}

func newManager(t *testing.T, store core.Store, opts *core.Options) *core.Manager {
	t.Helper()
	if store == nil {
		store = mustMemstore()
	}
	m, err := core.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// begin starts a request carrying the given Cookie header lines.
func begin(m *core.Manager, cookies ...string) *request {
	r := &request{m: m}
	r.ctx = m.Begin(&r.s, context.Background(), core.CookiesFrom(http.Header{"Cookie": cookies}))
	return r
}

func (r *request) session(t *testing.T) *core.Session {
	t.Helper()
	s, err := core.FromContext(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// commit ends the request and returns its response headers.
func (r *request) commit(t *testing.T) http.Header {
	t.Helper()
	h := http.Header{}
	if err := r.m.Commit(r.ctx, &r.s, http.StatusOK, h); err != nil {
		t.Fatal(err)
	}
	if err := r.m.Finish(r.ctx, &r.s); err != nil {
		t.Fatal(err)
	}
	return h
}

func newSession(t *testing.T) *core.Session {
	return begin(newManager(t, nil, nil)).session(t)
}

type profile struct {
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Prefs map[string]string `json:"prefs,omitempty"`
	Score float64           `json:"score"`
}

func TestSetGetRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    any
		get  func(*core.Session) (any, error) // reads it back as its type
	}{
		{"max int64", int64(math.MaxInt64), getAs[int64]},
		{"min int64", int64(math.MinInt64), getAs[int64]},
		{"max uint64", uint64(math.MaxUint64), getAs[uint64]},
		{"int", 42, getAs[int]},
		{"float", 3.25, getAs[float64]},
		{"string", "héllo \"<world>\"\n", getAs[string]},
		{"bool", true, getAs[bool]},
		{"struct", profile{Name: "alice", Tags: []string{"a", "b"}, Score: 1.5}, getAs[profile]},
		{"map", map[string]int{"a": 1, "b": 2}, getAs[map[string]int]},
		{"slice", []string{"x", "y"}, getAs[[]string]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through a real save and load, not only in memory.
			m := newManager(t, nil, nil)
			r := begin(m)
			if err := r.session(t).Set("k", tt.v); err != nil {
				t.Fatalf("Set(%v) = %v", tt.v, err)
			}
			cookie := strings.Split(r.commit(t).Get("Set-Cookie"), ";")[0]
			got, err := tt.get(begin(m, cookie).session(t))
			if err != nil || !reflect.DeepEqual(got, tt.v) {
				t.Fatalf("Get = %#v, %v; want %#v", got, err, tt.v)
			}
		})
	}
}

// getAs reads the key "k" as a T.
func getAs[T any](s *core.Session) (any, error) { return core.Get[T](s, "k") }

func TestGetGeneric(t *testing.T) {
	s := newSession(t)
	s.Set("id", int64(math.MaxInt64))
	s.Set("p", profile{Name: "bob"})
	if got, err := core.Get[int64](s, "id"); err != nil || got != math.MaxInt64 {
		t.Errorf("Get[int64] = %d, %v; want MaxInt64", got, err)
	}
	if got, err := core.Get[profile](s, "p"); err != nil || got.Name != "bob" {
		t.Errorf("Get[profile] = %+v, %v; want bob", got, err)
	}
	if _, err := core.Get[string](s, "missing"); !errors.Is(err, core.ErrNoKey) {
		t.Errorf("Get[string](missing) = %v; want core.ErrNoKey", err)
	}
	if _, err := core.Get[string](s, "id"); err == nil || errors.Is(err, core.ErrNoKey) {
		t.Errorf("Get[string] of an integer = %v; want a decoding error", err)
	}
}

func TestConveniences(t *testing.T) {
	s := newSession(t)
	s.Set("s", "text")
	s.Set("i", 7)
	s.Set("b", true)
	s.Set("f", 1.5)
	s.Set("big", uint64(math.MaxUint64))
	str := func(k string) func() (any, bool) { return func() (any, bool) { v, ok := s.String(k); return v, ok } }
	num := func(k string) func() (any, bool) { return func() (any, bool) { v, ok := s.Int(k); return v, ok } }
	boo := func(k string) func() (any, bool) { return func() (any, bool) { v, ok := s.Bool(k); return v, ok } }
	tests := []struct {
		name   string
		call   func() (any, bool)
		want   any
		wantOK bool
	}{
		{"String(string)", str("s"), "text", true},
		{"String(int)", str("i"), "", false},
		{"String(missing)", str("missing"), "", false},
		{"Int(int)", num("i"), 7, true},
		{"Int(float)", num("f"), 0, false},
		{"Int(overflow)", num("big"), 0, false},
		{"Int(string)", num("s"), 0, false},
		{"Bool(bool)", boo("b"), true, true},
		{"Bool(string)", boo("s"), false, false},
	}
	for _, tt := range tests {
		if got, ok := tt.call(); got != tt.want || ok != tt.wantOK {
			t.Errorf("%s = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSetRejects(t *testing.T) {
	type cyclic struct{ Next *cyclic }
	c := &cyclic{}
	c.Next = c
	for name, v := range map[string]any{
		"channel":  make(chan int),
		"function": func() {},
		"NaN":      math.NaN(),
		"cycle":    c,
		"complex":  1 + 2i,
	} {
		t.Run(name, func(t *testing.T) {
			r := begin(newManager(t, nil, nil))
			s := r.session(t)
			if err := s.Set("k", v); !errors.Is(err, core.ErrInvalidValue) {
				t.Fatalf("Set(%s) = %v; want core.ErrInvalidValue", name, err)
			}
			if s.Has("k") || s.Len() != 0 {
				t.Fatalf("a rejected value was stored")
			}
			if h := r.commit(t); h.Get("Set-Cookie") != "" {
				t.Fatalf("a rejected Set changed the session: Set-Cookie %q", h.Get("Set-Cookie"))
			}
		})
	}
}

func TestMapMethods(t *testing.T) {
	s := newSession(t)
	for _, k := range []string{"b", "c", "a"} {
		s.Set(k, k)
	}
	if got := s.Keys(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("Keys() = %q; want sorted [a b c]", got)
	}
	s.Delete("b")
	s.Delete("missing")
	if s.Has("b") || !s.Has("a") || s.Len() != 2 {
		t.Fatalf("after Delete(b): Has(b)=%v Has(a)=%v Len()=%d", s.Has("b"), s.Has("a"), s.Len())
	}
	s.Flash("f", "")
	s.Clear()
	if s.Len() != 0 || s.PeekFlash("") != nil {
		t.Fatalf("Clear left %d keys and flashes %q", s.Len(), s.PeekFlash(""))
	}
}

func TestUnchangedWritesNothing(t *testing.T) {
	m := newManager(t, nil, nil)
	r := begin(m)
	s := r.session(t)
	s.Set("user", "alice")
	s.Flash("hello", "")
	cookie := strings.Split(r.commit(t).Get("Set-Cookie"), ";")[0]
	for name, use := range map[string]func(*core.Session){
		"read":             func(s *core.Session) { s.String("user") },
		"pop empty queue":  func(s *core.Session) { s.PopFlash("other") },
		"peek":             func(s *core.Session) { s.PeekFlash("") },
		"set equal value":  func(s *core.Session) { s.Set("user", "alice") },
		"delete missing":   func(s *core.Session) { s.Delete("nope") },
		"check CSRF token": func(s *core.Session) { s.CheckCSRFToken("x") },
		"unique duplicate": func(s *core.Session) { s.FlashUnique("hello", "") },
	} {
		r := begin(m, cookie)
		use(r.session(t))
		if h := r.commit(t); h.Get("Set-Cookie") != "" {
			t.Errorf("%s: Set-Cookie %q; want none", name, h.Get("Set-Cookie"))
		}
	}
}

func TestInvalidate(t *testing.T) {
	store := mustMemstore()
	m := newManager(t, store, nil)
	r := begin(m)
	r.session(t).Set("user", "alice")
	cookie := strings.Split(r.commit(t).Get("Set-Cookie"), ";")[0]

	r = begin(m, cookie)
	s := r.session(t)
	if s.IsNew() {
		t.Fatal("a loaded session says it is new")
	}
	s.Invalidate()
	if !s.IsNew() || s.Has("user") {
		t.Fatal("after Invalidate the session is not new and empty")
	}
	h := r.commit(t)
	if got := h.Get("Set-Cookie"); !strings.Contains(got, "Max-Age=0") {
		t.Fatalf("Invalidate with nothing after it: Set-Cookie %q; want the cookie cleared", got)
	}
	if _, _, err := store.Load(context.Background(), strings.TrimPrefix(cookie, "session=")); !errors.Is(err, core.ErrGone) {
		t.Fatalf("the store's Load of the invalidated session = %v; want core.ErrGone", err)
	}
	if s := begin(m, cookie).session(t); s.Has("user") {
		t.Fatal("the old cookie still reads the invalidated session")
	}
}

func TestRenewKeepsDataAndCreation(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := newManager(t, nil, &core.Options{Clock: func() time.Time { return now }})
	r := begin(m)
	s := r.session(t)
	s.Set("user", "alice")
	token := s.CSRFToken()
	created := s.Created()
	old := strings.Split(r.commit(t).Get("Set-Cookie"), ";")[0]
	now = now.Add(time.Minute)

	r = begin(m, old)
	s = r.session(t)
	s.Renew()
	if s.CSRFToken() == token || s.CheckCSRFToken(token) {
		t.Fatal("Renew kept the CSRF token")
	}
	renewed := strings.Split(r.commit(t).Get("Set-Cookie"), ";")[0]
	if renewed == old || renewed == "" {
		t.Fatalf("Renew kept the cookie %q", old)
	}
	s = begin(m, renewed).session(t)
	if v, _ := s.String("user"); v != "alice" || !s.Created().Equal(created) {
		t.Fatalf("after Renew: user %q, created %v; want alice, %v", v, s.Created(), created)
	}
	if begin(m, old).session(t).Has("user") {
		t.Fatal("the old ID still works after Renew")
	}
}

func TestCSRF(t *testing.T) {
	s := newSession(t)
	if s.CheckCSRFToken("") {
		t.Fatal("an empty token passes a session that has none")
	}
	tok := s.CSRFToken()
	if len(tok) != 43 || s.CSRFToken() != tok {
		t.Fatalf("CSRFToken() = %q, then %q; want the same 43-character token", tok, s.CSRFToken())
	}
	for _, bad := range []string{"", tok[:42], tok + "x", strings.ToUpper(tok)} {
		if bad != tok && s.CheckCSRFToken(bad) {
			t.Errorf("CheckCSRFToken(%q) = true", bad)
		}
	}
	if !s.CheckCSRFToken(tok) {
		t.Fatal("CheckCSRFToken(token) = false")
	}
	if n := s.NewCSRFToken(); n == tok || s.CheckCSRFToken(tok) || !s.CheckCSRFToken(n) {
		t.Fatal("NewCSRFToken did not replace the token")
	}
}

func TestFromContextWithoutSession(t *testing.T) {
	if _, err := core.FromContext(context.Background()); !errors.Is(err, core.ErrNoSession) {
		t.Fatalf("FromContext(Background) = %v; want core.ErrNoSession", err)
	}
}

func TestFinishSealsUnusedSession(t *testing.T) {
	m := newManager(t, nil, nil)
	r := begin(m, "session=whatever")
	r.commit(t)
	if _, err := core.FromContext(r.ctx); !errors.Is(err, core.ErrEnded) {
		t.Fatalf("FromContext after Finish = %v; want core.ErrEnded", err)
	}
}

func TestSkipOnServerError(t *testing.T) {
	m := newManager(t, nil, &core.Options{SkipOnServerError: true})
	r := begin(m)
	r.session(t).Set("k", "v")
	h := http.Header{}
	if err := m.Commit(r.ctx, &r.s, http.StatusInternalServerError, h); err != nil || h.Get("Set-Cookie") != "" {
		t.Fatalf("Commit(500) = %v, Set-Cookie %q; want nothing saved", err, h.Get("Set-Cookie"))
	}
	m = newManager(t, nil, nil)
	r = begin(m)
	r.session(t).Set("k", "v")
	if err := m.Commit(r.ctx, &r.s, http.StatusInternalServerError, h); err != nil || h.Get("Set-Cookie") == "" {
		t.Fatalf("by default Commit(500) = %v, Set-Cookie %q; want the session saved", err, h.Get("Set-Cookie"))
	}
}

// mustMemstore returns a memory store for opts, which may be left out.
func mustMemstore(opts ...*memstore.Options) *memstore.Store {
	var o *memstore.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := memstore.New(o)
	if err != nil {
		panic(err)
	}
	return s
}
