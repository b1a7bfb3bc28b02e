package adaptertest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// testTwoSessions runs two session middlewares on one app: a long-lived
// preferences session in a cookie store, under the cookie "prefs", and the
// suite's login session in store, under "session". One handler reaches
// both; each has its own cookie, and ending one leaves the other.
func testTwoSessions(t *testing.T, d Driver, store core.Store) {
	prefs, _ := testkit.NewManager(t, testkit.Stores(t)[0].Store, func(o *core.Options) { o.CookieName = "prefs" })
	login, _ := testkit.NewManager(t, store, nil)
	both := func(c Ctx) (*core.Session, *core.Session) {
		p, err := c.SessionOf(prefs)
		if err != nil {
			c.Fail(err)
			return nil, nil
		}
		l, err := c.SessionOf(login)
		if err != nil {
			c.Fail(err)
			return nil, nil
		}
		return p, l
	}
	base := serve(t, d, []*core.Manager{prefs, login}, []Route{
		{"POST", "/both", func(c Ctx) {
			if p, l := both(c); p != nil {
				must(p.Set("theme", c.FormValue("theme")))
				must(l.Set("username", c.FormValue("user")))
				c.Text(http.StatusOK, "set")
			}
		}},
		{"GET", "/both", func(c Ctx) {
			if p, l := both(c); p != nil {
				theme, _ := p.String("theme")
				user, _ := l.String("username")
				c.Text(http.StatusOK, theme+" "+user)
			}
		}},
		{"POST", "/logout", func(c Ctx) {
			if _, l := both(c); l != nil {
				l.Invalidate()
				c.Text(http.StatusOK, "bye")
			}
		}},
	})
	c := newClient(t, base)
	r := c.post("/both", url.Values{"theme": {"dark"}, "user": {"alice"}})
	want(t, r, 200, "set")
	names := map[string]bool{}
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		names[ck.Name] = true
	}
	if len(names) != 2 || !names["prefs"] || !names["session"] {
		t.Fatalf("Set-Cookie %q; want one prefs and one session cookie", r.header.Values("Set-Cookie"))
	}
	want(t, c.get("/both"), 200, "dark alice")
	want(t, c.post("/logout", nil), 200, "bye")
	want(t, c.get("/both"), 200, "dark ")
}

// testCookieNameBound runs two session middlewares over the suite's one
// store, under the cookie names "prefs" and "session": the ID of either's
// session sent under the other's name reads nothing, and is never
// adopted: a write through the other gets a new ID, and the first
// session gains nothing.
func testCookieNameBound(t *testing.T, d Driver, store core.Store) {
	prefs, _ := testkit.NewManager(t, store, func(o *core.Options) { o.CookieName = "prefs" })
	login, _ := testkit.NewManager(t, store, nil)
	of := func(c Ctx, name string) *core.Session {
		m := login
		if name == "prefs" {
			m = prefs
		}
		s, err := c.SessionOf(m)
		if err != nil {
			c.Fail(err)
			return nil
		}
		return s
	}
	base := serve(t, d, []*core.Manager{prefs, login}, []Route{
		{"POST", "/set", func(c Ctx) {
			if s := of(c, c.FormValue("in")); s != nil {
				must(s.Set(c.FormValue("key"), c.FormValue("value")))
				c.Text(http.StatusOK, "set")
			}
		}},
		{"GET", "/keys", func(c Ctx) {
			if s := of(c, c.FormValue("in")); s != nil {
				c.Text(http.StatusOK, strings.Join(s.Keys(), ","))
			}
		}},
	})
	c := newClient(t, base)
	ids := map[string]string{}
	for _, name := range []string{"prefs", "session"} {
		r := c.post("/set", url.Values{"in": {name}, "key": {name + "-key"}, "value": {"v"}})
		want(t, r, 200, "set")
		for _, ck := range (&http.Response{Header: r.header}).Cookies() {
			if ck.Name == name {
				ids[name] = ck.Value
			}
		}
		if ids[name] == "" {
			t.Fatalf("Set-Cookie %q; want a %s cookie", r.header.Values("Set-Cookie"), name)
		}
	}
	for _, tt := range []struct{ in, other string }{{"session", "prefs"}, {"prefs", "session"}} {
		sent := tt.in + "=" + ids[tt.other]
		want(t, c.do("GET", "/keys?in="+tt.in, nil, sent), 200, "")
		r := c.do("POST", "/set", url.Values{"in": {tt.in}, "key": {"planted"}, "value": {"v"}}, sent)
		want(t, r, 200, "set")
		for _, ck := range (&http.Response{Header: r.header}).Cookies() {
			if ck.Name == tt.in && ck.Value == ids[tt.other] {
				t.Fatalf("the %s session's ID was adopted as a %s cookie", tt.other, tt.in)
			}
		}
		want(t, c.do("GET", "/keys?in="+tt.other, nil, tt.other+"="+ids[tt.other]), 200, tt.other+"-key")
	}
}
