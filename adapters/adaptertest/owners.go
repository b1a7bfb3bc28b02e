package adaptertest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// This file holds the cases of a user's sessions: listed, and ended one by
// one, all but the current one, or all (core.Manager.Sessions and
// EndSession), as a "Your sessions" page does.

// ownerRoutes are the pages of a user's sessions, for the Manager m.
func ownerRoutes(m *core.Manager) []Route {
	// end runs one of the Manager's End methods for the logged-in user and
	// redirects to /sessions with a flash.
	end := func(c Ctx, do func(owner string) error) {
		s := session(c)
		if s == nil {
			return
		}
		if err := do(s.Owner()); err != nil {
			c.Fail(err)
			return
		}
		s.Flash("Signed out.", "info")
		c.Redirect(http.StatusSeeOther, "/sessions")
	}
	return []Route{
		{"POST", "/login-owner", func(c Ctx) {
			if s := session(c); s != nil {
				name := c.FormValue("username")
				if err := s.SetOwner(name, core.Device{UserAgent: c.FormValue("agent"), Address: "192.0.2.0"}); err != nil {
					c.Text(http.StatusBadRequest, err.Error())
					return
				}
				must(s.Set("username", name))
				c.Redirect(http.StatusSeeOther, "/private")
			}
		}},
		{"GET", "/private", func(c Ctx) {
			s := session(c)
			switch {
			case s == nil:
			case s.Owner() == "":
				s.FlashUnique("Please log in.", "warning")
				c.Redirect(http.StatusSeeOther, "/login-page")
			default:
				c.Text(http.StatusOK, "private to "+s.Owner())
			}
		}},
		{"GET", "/login-page", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, "login "+strings.Join(s.PopFlash("warning"), "|"))
			}
		}},
		{"GET", "/sessions", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			infos, err := m.Sessions(c.Context(), s.Owner())
			if errors.Is(err, core.ErrNotRevocable) {
				c.Text(http.StatusNotImplemented, "not revocable")
				return
			}
			if err != nil {
				c.Fail(err)
				return
			}
			var b strings.Builder
			for _, info := range infos {
				fmt.Fprintf(&b, "%s %s %v\n", info.ID, info.UserAgent, info.Current)
			}
			c.Text(http.StatusOK, b.String())
		}},
		{"POST", "/sessions/end", func(c Ctx) {
			end(c, func(owner string) error { return m.EndSession(c.Context(), owner, c.FormValue("id")) })
		}},
		{"POST", "/sessions/end-others", func(c Ctx) {
			end(c, func(owner string) error { return m.EndOtherSessions(c.Context(), owner) })
		}},
		{"POST", "/sessions/end-all", func(c Ctx) {
			end(c, func(owner string) error { return m.EndAllSessions(c.Context(), owner) })
		}},
	}
}

// listed is one line of /sessions.
type listed struct {
	id, agent string
	current   bool
}

func sessionsOf(t *testing.T, c *client) []listed {
	t.Helper()
	r := c.get("/sessions")
	if r.status != 200 {
		t.Fatalf("GET /sessions = %d %q", r.status, r.body)
	}
	var out []listed
	for _, line := range strings.Split(strings.TrimSpace(r.body), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			out = append(out, listed{f[0], f[1], f[2] == "true"})
		}
	}
	return out
}

// wantSessions checks that c's list holds exactly agents, with c's own
// marked current.
func wantSessions(t *testing.T, c *client, agents []string, current string) []listed {
	t.Helper()
	got := sessionsOf(t, c)
	var names []string
	for _, l := range got {
		names = append(names, l.agent)
		if l.current != (l.agent == current) {
			t.Fatalf("GET /sessions = %+v; want only %s marked current", got, current)
		}
	}
	if strings.Join(sortStrings(names), ",") != strings.Join(sortStrings(agents), ",") {
		t.Fatalf("GET /sessions lists %q; want %q", names, agents)
	}
	return got
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// wantEnded checks that c's session is over: its next request is
// anonymous and sent to the login page, with a flash.
func wantEnded(t *testing.T, c *client) {
	t.Helper()
	r := c.get("/private")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login-page" {
		t.Fatalf("GET /private after the session was ended = %d %q; want 303 to /login-page", r.status, r.body)
	}
	want(t, c.get("/login-page"), 200, "login Please log in.")
}

func loginOwner(t *testing.T, c *client, name, agent string) {
	t.Helper()
	if r := c.post("/login-owner", url.Values{"username": {name}, "agent": {agent}}); r.status != http.StatusSeeOther {
		t.Fatalf("POST /login-owner = %d %q", r.status, r.body)
	}
	want(t, c.get("/private"), 200, "private to "+name)
}

// testUserSessions logs one user in from three clients, lists the
// sessions from one, and ends them one, others, all.
func testUserSessions(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	a, b, c, bob := e.client(), e.client(), e.client(), e.client()
	// Users of their own: the Redis suites share one store.
	alice, bobName := "alice-"+core.NewID()[:8], "bob-"+core.NewID()[:8]
	loginOwner(t, a, alice, "A")
	if isCookieStore(store) {
		if r := a.get("/sessions"); r.status != http.StatusNotImplemented {
			t.Fatalf("GET /sessions with a cookie store = %d %q; want the page's answer to core.ErrNotRevocable", r.status, r.body)
		}
		return
	}
	loginOwner(t, b, alice, "B")
	loginOwner(t, c, alice, "C")
	loginOwner(t, bob, bobName, "Bob")
	list := wantSessions(t, a, []string{"A", "B", "C"}, "A")
	wantSessions(t, bob, []string{"Bob"}, "Bob")

	var idB string
	for _, l := range list {
		if l.agent == "B" {
			idB = l.id
		}
	}
	if r := bob.post("/sessions/end", url.Values{"id": {idB}}); r.status == http.StatusSeeOther {
		t.Fatalf("bob ended one of alice's sessions: %d", r.status)
	}
	want(t, b.get("/private"), 200, "private to "+alice)
	if r := a.post("/sessions/end", url.Values{"id": {idB}}); r.status != http.StatusSeeOther {
		t.Fatalf("POST /sessions/end = %d %q", r.status, r.body)
	}
	wantEnded(t, b)
	wantSessions(t, a, []string{"A", "C"}, "A")

	if r := a.post("/sessions/end-others", nil); r.status != http.StatusSeeOther {
		t.Fatalf("POST /sessions/end-others = %d %q", r.status, r.body)
	}
	wantEnded(t, c)
	wantSessions(t, a, []string{"A"}, "A")
	want(t, bob.get("/private"), 200, "private to "+bobName)

	if r := a.post("/sessions/end-all", nil); r.status != http.StatusSeeOther {
		t.Fatalf("POST /sessions/end-all = %d %q", r.status, r.body)
	}
	wantEnded(t, a)
}

// testEndWhileRunning ends a session while one of its requests is still
// running: the request's commit must not bring it back.
func testEndWhileRunning(t *testing.T, d Driver, store core.Store) {
	if isCookieStore(store) {
		t.Skip("a cookie store cannot end a session")
	}
	e := newEnv(t, d, store, nil)
	a, c := e.client(), e.client()
	alice := "alice-" + core.NewID()[:8]
	loginOwner(t, a, alice, "A")
	loginOwner(t, c, alice, "C")
	done := make(chan *response, 1)
	go func() {
		r, err := c.try("POST", "/ops", url.Values{"hold": {"running"}, "ops": {"set:k:v,flash:q:m"}}, "")
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	<-e.gates.get("running").entered
	if r := a.post("/sessions/end-others", nil); r.status != http.StatusSeeOther {
		t.Fatalf("POST /sessions/end-others = %d %q", r.status, r.body)
	}
	close(e.gates.get("running").release)
	if r := <-done; r == nil || r.status != 200 || r.sendsToken() {
		t.Fatalf("the running request = %+v; want 200 and no cookie or token", r)
	}
	wantEnded(t, c)
	wantSessions(t, a, []string{"A"}, "A")
}
