package storetest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// FuzzCookieHeader is the body of a store's fuzz target for the Cookie
// header: it feeds arbitrary headers to a Manager on store, and checks that
// each gives a session without a panic or an error, that a session with
// data is only ever the one the store issued (for a server-side store,
// only from a header holding its ID), and, for a store with
// a Len() int method (such as memstore's), that no lookup creates a record.
// With a core.CookieStore each request also writes to the session, so that
// every cookie goes through Create too. seeds are added to the corpus after
// the generic ones, which derive from a cookie issued with user=alice.
//
//	func FuzzCookieHeader(f *testing.F) {
//		store, err := memstore.New(nil)
//		if err != nil {
//			f.Fatal(err)
//		}
//		storetest.FuzzCookieHeader(f, store)
//	}
func FuzzCookieHeader(f *testing.F, store core.Store, seeds ...string) {
	m, err := core.NewManager(store, &core.Options{Insecure: true})
	if err != nil {
		f.Fatal(err)
	}
	_, clientSide := store.(core.CookieStore)
	counter, _ := store.(interface{ Len() int })

	issue := begin(m, "")
	issue.session(f).Set("user", "alice")
	valid := issue.commit(f)
	if valid == "" {
		f.Fatal("a session with data got no cookie")
	}
	for _, seed := range []string{
		"session=" + valid,
		"session=" + valid + "; session=" + valid,
		"session=" + valid[:len(valid)/2],
		"session=" + valid[:len(valid)-1],
		"session=" + valid + "A",
		"session=" + strings.ToUpper(valid),
		`session="` + valid + `"`,
		"theme=dark; session=" + valid + "; lang=en",
		"session=" + core.NewID(),
		"session=",
		"session=" + strings.Repeat("A", 9000),
		"session=../../etc/passwd",
		"session=%%%; ;;=;session",
	} {
		f.Add(seed)
	}
	for _, seed := range seeds {
		f.Add(seed)
	}
	records := -1
	if counter != nil {
		records = counter.Len()
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := begin(m, header)
		s := r.session(t)
		user, _ := s.String("user")
		switch {
		case user != "" && user != "alice" || s.Len() > 1:
			t.Fatalf("cookie %q produced a session with %v", header, s.Keys())
		case user == "alice" && !clientSide && !strings.Contains(header, valid):
			// valid is issued anew in each fuzzing process, so a seed
			// with another process's ID gives an anonymous session. A
			// cookie store's value can be spelt in more than one way
			// (base64 ignores the low bits of its last character), but
			// only the store can sign a session.
			t.Fatalf("cookie %q, which does not hold the ID the store issued, produced alice's session", header)
		}
		if clientSide {
			s.Set("k", "v")
		}
		r.commit(t)
		if counter != nil {
			if n := counter.Len(); n != records {
				t.Fatalf("after cookie %q the store holds %d records; want %d", header, n, records)
			}
		}
	})
}

// CheckUnknown is what a server-side store's own tests and fuzz target
// over the tokens clients send call on each one: it checks that token, unknown to
// the store, loads as core.ErrNotFound and not as core.ErrGone, that
// Update, Renew and Delete refuse it with core.ErrNotFound, and that it
// still loads as not found after them, neither adopted nor ended. The
// target skips the empty token, which the core never passes (it means
// "new"), and checks itself that nothing was created, as only the store
// can tell.
//
//	func FuzzLoad(f *testing.F) {
//		store, err := memstore.New(nil)
//		if err != nil {
//			f.Fatal(err)
//		}
//		f.Add(core.NewID())
//		f.Fuzz(func(t *testing.T, token string) {
//			if token == "" {
//				return
//			}
//			storetest.CheckUnknown(t, store, token)
//			if n := store.Len(); n != 0 {
//				t.Fatalf("%d records after token %q; want none", n, token)
//			}
//		})
//	}
func CheckUnknown(t testing.TB, s core.Store, token string) {
	t.Helper()
	wantNotFound(t, s, token, false)
	if got, err := s.Update(ctx, token, payload(1), rec(payload(2), time.Hour)); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Update(%.20q) = %q, %v; want core.ErrNotFound (a client's token is never adopted)", token, got, err)
	}
	if got, err := s.Renew(ctx, token, nil, rec(payload(2), time.Hour)); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Renew(%.20q) = %q, %v; want core.ErrNotFound", token, got, err)
	}
	if err := s.Delete(ctx, token); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Delete(%.20q) = %v; want core.ErrNotFound", token, err)
	}
	wantNotFound(t, s, token, false) // neither adopted nor ended by them
}

// request is one request's session on a Manager, outside any adapter.
type request struct {
	m   *core.Manager
	ctx context.Context
	s   core.Session
}

func begin(m *core.Manager, header string) *request {
	r := &request{m: m}
	r.ctx = m.Begin(&r.s, context.Background(), core.CookiesFrom(http.Header{"Cookie": {header}}))
	return r
}

// session returns the request's session; hostile cookies must give one.
func (r *request) session(t testing.TB) *core.Session {
	t.Helper()
	s, err := core.FromContext(r.ctx)
	if err != nil {
		t.Fatalf("FromContext = %v; want a session, whatever the cookie", err)
	}
	return s
}

// commit ends the request and returns the session cookie's new value, if
// it sets one.
func (r *request) commit(t testing.TB) string {
	t.Helper()
	h := http.Header{}
	if err := r.m.Commit(r.ctx, &r.s, http.StatusOK, h); err != nil {
		t.Fatalf("Commit = %v; want nil", err)
	}
	if err := r.m.Finish(r.ctx, &r.s); err != nil {
		t.Fatalf("Finish = %v; want nil", err)
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "session" && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}
