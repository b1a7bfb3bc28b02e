package redisstore_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/cookieclient"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestTwoAppServers runs two app servers, each with its own Manager and
// client, on one Redis: a session made on one is used and ended on the
// other, and an old cookie replayed anywhere is worthless.
func TestTwoAppServers(t *testing.T) {
	srv := redistest.Start(t)
	s1 := newStore(t, srv.Client(t), nil)
	s2 := newStore(t, srv.Client(t), nil)
	app1 := (&app{}).serve(t, newManager(t, s1)).URL
	app2 := (&app{}).serve(t, newManager(t, s2)).URL
	b := cookieclient.New(t)

	anon := b.Do("POST", app1+"/set?k=cart&v=3", "")
	if anon.Cookie == "" {
		t.Fatal("POST /set gave no session cookie")
	}
	login := b.Do("POST", app1+"/login?user=alice", anon.Cookie)
	login.Want(t, "POST app1/login", "user alice")
	if login.Cookie == "" || login.Cookie == anon.Cookie {
		t.Fatalf("login kept the session ID (%q); want a new one", login.Cookie)
	}
	wantNotFound(t, s2, anon.Cookie) // renewed: the pre-login ID is dead
	b.Do("GET", app2+"/me", anon.Cookie).Want(t, "GET app2/me with the pre-login cookie", "anonymous")

	b.Do("GET", app2+"/me", login.Cookie).Want(t, "GET app2/me", "user alice cart=3")
	logout := b.Do("POST", app2+"/logout", login.Cookie)
	logout.Want(t, "POST app2/logout", "bye")
	if !logout.Deleted {
		t.Errorf("POST app2/logout did not expire the session cookie")
	}
	b.Do("GET", app1+"/me", login.Cookie).Want(t, "GET app1/me with the logged-out cookie", "anonymous")
	wantNotFound(t, s1, login.Cookie)
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
	b := cookieclient.New(t)
	login := b.Do("POST", base+"/login?user=bob", "")
	login.Want(t, "POST /login", "user bob")

	slow := make(chan cookieclient.Response, 1)
	go func() { slow <- b.Do("POST", base+"/set?k=cart&v=full&slow=1", login.Cookie) }()
	<-loaded
	b.Do("POST", base+"/logout", login.Cookie).Want(t, "POST /logout", "bye")
	close(release)
	r := <-slow
	r.Want(t, "the slow POST /set", "ok")
	if r.Cookie != "" || r.Deleted {
		// The logout's response set the browser's cookie: the slow
		// request, which did not issue it, must leave it alone.
		t.Errorf("the slow request's response set the session cookie (value %q, deleted %v); want no Set-Cookie", r.Cookie, r.Deleted)
	}
	wantNotFound(t, store, login.Cookie)
	b.Do("GET", base+"/me", login.Cookie).Want(t, "GET /me after logout", "anonymous")
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
	b := cookieclient.New(t)
	login := b.Do("POST", base+"/login?user=carol", "")
	login.Want(t, "POST /login", "user carol")

	done := map[string]chan cookieclient.Response{"a": make(chan cookieclient.Response, 1), "b": make(chan cookieclient.Response, 1)}
	for h, q := range map[string]string{"a": "k=theme&v=dark", "b": "k=lang&v=fr"} {
		go func() { done[h] <- b.Do("POST", base+"/set?"+q+"&hold="+h, login.Cookie) }()
	}
	<-arrived
	<-arrived // both requests have loaded the session, neither has changed it

	close(release["a"])
	(<-done["a"]).Want(t, "POST /set theme", "ok")
	b.Do("GET", base+"/me", login.Cookie).Want(t, "GET /me after the first save", "user carol theme=dark")

	close(release["b"])
	(<-done["b"]).Want(t, "POST /set lang", "ok")
	b.Do("GET", base+"/me", login.Cookie).Want(t, "GET /me after the second save", "user carol lang=fr theme=dark")
}
