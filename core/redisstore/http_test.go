package redisstore_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// browser sends requests with a session cookie it manages itself, so that
// a test can replay an old cookie or carry one to another server.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	c := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return &browser{t: t, c: c}
}

// response is what a request returned: the status, the body and the
// session cookie's new value ("" if the response set none; see deleted).
type response struct {
	status  int
	body    string
	cookie  string
	deleted bool // the response expired the session cookie
}

// do sends method to base+path with the session cookie set to cookie
// (none if "").
func (b *browser) do(method, base, path, cookie string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: core.DefaultCookieName, Value: cookie})
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s = %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, body: string(body)}
	for _, c := range resp.Cookies() {
		if c.Name == core.DefaultCookieName {
			r.cookie, r.deleted = c.Value, c.MaxAge < 0
		}
	}
	return r
}

// want fails the test unless r has status 200 and body.
func (r response) want(t *testing.T, what, body string) {
	t.Helper()
	if r.status != http.StatusOK || r.body != body {
		t.Fatalf("%s = %d %q; want 200 %q", what, r.status, r.body, body)
	}
}

// TestTwoAppServers runs two app servers, each with its own Manager and
// client, on one Redis: a session made on one is used and ended on the
// other, and an old cookie replayed anywhere is worthless.
func TestTwoAppServers(t *testing.T) {
	srv := redistest.Start(t)
	s1 := newStore(t, srv.Client(t), nil)
	s2 := newStore(t, srv.Client(t), nil)
	app1 := (&app{}).serve(t, newManager(t, s1)).URL
	app2 := (&app{}).serve(t, newManager(t, s2)).URL
	b := newBrowser(t)

	anon := b.do("POST", app1, "/set?k=cart&v=3", "")
	if anon.cookie == "" {
		t.Fatal("POST /set gave no session cookie")
	}
	login := b.do("POST", app1, "/login?user=alice", anon.cookie)
	login.want(t, "POST app1/login", "user alice")
	if login.cookie == "" || login.cookie == anon.cookie {
		t.Fatalf("login kept the session ID (%q); want a new one", login.cookie)
	}
	wantNotFound(t, s2, anon.cookie) // renewed: the pre-login ID is dead
	b.do("GET", app2, "/me", anon.cookie).want(t, "GET app2/me with the pre-login cookie", "anonymous")

	b.do("GET", app2, "/me", login.cookie).want(t, "GET app2/me", "user alice cart=3")
	logout := b.do("POST", app2, "/logout", login.cookie)
	logout.want(t, "POST app2/logout", "bye")
	if !logout.deleted {
		t.Errorf("POST app2/logout did not expire the session cookie")
	}
	b.do("GET", app1, "/me", login.cookie).want(t, "GET app1/me with the logged-out cookie", "anonymous")
	wantNotFound(t, s1, login.cookie)
}

// TestNoResurrection holds a request that has loaded the session while a
// concurrent logout completes: when it then changes the session and
// returns, the session stays deleted.
func TestNoResurrection(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	prefix := "noresurrection:" + core.NewID()[:8] + ":"
	store := newStore(t, client, &redisstore.Options{Prefix: prefix})
	loaded, release := make(chan struct{}), make(chan struct{})
	a := &app{gate: func(r *http.Request) {
		if r.URL.Query().Has("slow") {
			loaded <- struct{}{}
			<-release
		}
	}}
	base := a.serve(t, newManager(t, store)).URL
	b := newBrowser(t)
	login := b.do("POST", base, "/login?user=bob", "")
	login.want(t, "POST /login", "user bob")

	slow := make(chan response, 1)
	go func() { slow <- b.do("POST", base, "/set?k=cart&v=full&slow=1", login.cookie) }()
	<-loaded
	b.do("POST", base, "/logout", login.cookie).want(t, "POST /logout", "bye")
	close(release)
	r := <-slow
	r.want(t, "the slow POST /set", "ok")
	if r.cookie != "" || r.deleted {
		// The logout's response set the browser's cookie: the slow
		// request, which did not issue it, must leave it alone.
		t.Errorf("the slow request's response set the session cookie (value %q, deleted %v); want no Set-Cookie", r.cookie, r.deleted)
	}
	wantNotFound(t, store, login.cookie)
	b.do("GET", base, "/me", login.cookie).want(t, "GET /me after logout", "anonymous")
	keys, err := client.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if v, err := client.Get(ctx, k).Result(); err != nil || !strings.HasPrefix(v, "-") {
			t.Fatalf("%s = %q, %v; want only the marker of an ended session", k, v, err)
		}
	}
}

// TestConcurrentDifferentKeys has two requests of one user load the same
// session and change different keys: each commit applies its own change to
// the record as it is then, so both changes are kept.
func TestConcurrentDifferentKeys(t *testing.T) {
	srv := redistest.Start(t)
	store := newStore(t, srv.Client(t), nil)
	arrived := make(chan string, 2)
	release := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}
	a := &app{gate: func(r *http.Request) {
		if h := r.URL.Query().Get("hold"); h != "" {
			arrived <- h
			<-release[h]
		}
	}}
	base := a.serve(t, newManager(t, store)).URL
	b := newBrowser(t)
	login := b.do("POST", base, "/login?user=carol", "")
	login.want(t, "POST /login", "user carol")

	done := map[string]chan response{"a": make(chan response, 1), "b": make(chan response, 1)}
	for h, q := range map[string]string{"a": "k=theme&v=dark", "b": "k=lang&v=fr"} {
		go func() { done[h] <- b.do("POST", base, "/set?"+q+"&hold="+h, login.cookie) }()
	}
	<-arrived
	<-arrived // both requests have loaded the session, neither has changed it

	close(release["a"])
	(<-done["a"]).want(t, "POST /set theme", "ok")
	b.do("GET", base, "/me", login.cookie).want(t, "GET /me after the first save", "user carol theme=dark")

	close(release["b"])
	(<-done["b"]).want(t, "POST /set lang", "ok")
	b.do("GET", base, "/me", login.cookie).want(t, "GET /me after the second save", "user carol lang=fr theme=dark")
}
