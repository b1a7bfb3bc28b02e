package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// This file holds the cases of a request that fails: a panic, an error
// page, a 5xx with Options.SkipOnServerError, a missing Manager; and of the
// session's end with its request, whether the handler returned or
// panicked.

// testPanic has a handler make a half-done privilege change and panic:
// whatever the recovery middleware answers, nothing is committed, neither
// to the store nor in a cookie.
func testPanic(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	for _, who := range []*client{c, e.client()} { // with a session, and a new visitor
		before := who.cookie()
		r := who.post("/panic", nil)
		if r.status != 500 {
			t.Fatalf("POST /panic = %d %q; want the recovery's 500", r.status, r.body)
		}
		if v := r.header.Values("Set-Cookie"); len(v) > 0 || who.cookie() != before {
			t.Fatalf("a request whose handler panicked set %q; want no Set-Cookie", v)
		}
	}
	want(t, c.get("/whoami"), 200, "alice(7)")
	want(t, c.get("/get?key=role"), 200, "")
	want(t, c.get("/pop?queue=q"), 200, "")
	if errs := e.errs.All(); len(errs) > 0 {
		t.Fatalf("ErrorHandler got %v; want nothing", errs)
	}
}

// testErrorPage has a handler flash two messages and fail with a 400: the
// framework's error page pops and shows one queue while the session is
// still live, and both changes are committed with the error's status.
func testErrorPage(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	login(t, c, "alice", 7)
	want(t, c.post("/fail", url.Values{"code": {"400"}}), 400, "shown on the error page")
	want(t, c.get("/pop?queue=error"), 200, "")
	want(t, c.get("/pop?queue=later"), 200, "kept for later")
}

// testSkipOnServerError fails a request with a 500: by default its changes
// are committed, as Pyramid's set_on_exception does; with
// SkipOnServerError they are not, and the commit sees the error page's
// status on every framework.
func testSkipOnServerError(t *testing.T, d Driver, store core.Store) {
	for _, skip := range []bool{false, true} {
		t.Run(fmt.Sprint("SkipOnServerError=", skip), func(t *testing.T) {
			c := newEnv(t, d, store, func(o *core.Options) { o.SkipOnServerError = skip }).client()
			login(t, c, "alice", 7)
			want(t, c.post("/fail", url.Values{"code": {"500"}}), 500, "shown on the error page")
			kept := "kept for later"
			if skip {
				kept = ""
			}
			want(t, c.get("/pop?queue=later"), 200, kept)
		})
	}
}

// testNilManager checks that the middleware refuses a nil Manager when it
// is built, at start-up, with a message that says what is nil.
func testNilManager(t *testing.T, d Driver, _ core.Store) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	msg := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		d.Serve(ln, []*core.Manager{nil}, nil)()
		return "" // served: no panic
	}()
	if !strings.Contains(msg, "nil *core.Manager") {
		t.Fatalf("the middleware of a nil Manager: panic %q; want a panic about the nil *core.Manager", msg)
	}
}

// testEnded keeps the request's context.Context past the request, as code
// that a handler starts may: once the response is over, whether the
// handler returned or panicked, a session it never used can no longer be
// loaded (core.ErrEnded). An adapter that forgets Finish, or Abandon after
// a panic, leaves it to be loaded later, from request memory that a server
// may have reused.
func testEnded(t *testing.T, d Driver, store core.Store) {
	m, _ := testkit.NewManager(t, store, nil)
	kept := make(chan context.Context, 1)
	c := newClient(t, serve(t, d, []*core.Manager{m}, []Route{
		{"GET", "/returns", func(c Ctx) {
			kept <- c.Context()
			c.Text(http.StatusOK, "returned")
		}},
		{"GET", "/panics", func(c Ctx) {
			kept <- c.Context()
			panic("the handler failed")
		}},
	}))
	for _, tc := range []struct {
		path   string
		status int
	}{{"/returns", http.StatusOK}, {"/panics", http.StatusInternalServerError}} {
		if r := c.get(tc.path); r.status != tc.status {
			t.Fatalf("GET %s = %d %q; want %d", tc.path, r.status, r.body, tc.status)
		}
		if _, err := core.FromContext(<-kept); !errors.Is(err, core.ErrEnded) {
			t.Errorf("after GET %s, the session its handler never used loaded from its context.Context: %v; want core.ErrEnded", tc.path, err)
		}
	}
}
