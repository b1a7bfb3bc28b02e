package adaptertest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/transient-go/transient/core"
)

// testTwoSessions runs two session middlewares on one app: a long-lived
// preferences session in a cookie store, under the cookie "prefs", and the
// suite's login session in store, under "session". One handler reaches
// both; each has its own cookie, and ending one leaves the other.
func testTwoSessions(t *testing.T, d Driver, store core.Store) {
	prefs, _ := NewManager(t, Stores(t)[0].Store, func(o *core.Options) { o.CookieName = "prefs" })
	login, _ := NewManager(t, store, nil)
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
	base := d.Serve(t, []*core.Manager{prefs, login}, []Route{
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
