package pgstore_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// app is the test application, on one Manager:
//
//	POST /login?user=U  makes the session U's (a new ID), answers "user U"
//	GET  /me            answers "user U" or "anonymous"
//	POST /logout        invalidates the session
//	GET  /sessions      lists the user's sessions, one "ID" or "ID current" a line
//	POST /end?id=ID     ends the user's session ID
//	GET  /static        does not touch the session
func serveApp(t *testing.T, m *core.Manager) string {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", withSession(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		u := r.FormValue("user")
		s.SetOwner(u, core.Device{UserAgent: r.UserAgent()})
		_ = s.Set("user", u) // a session that holds only its owner is not saved
		fmt.Fprintf(w, "user %s", u)
	}))
	mux.HandleFunc("GET /me", withSession(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		if u := s.Owner(); u != "" {
			fmt.Fprintf(w, "user %s", u)
			return
		}
		fmt.Fprint(w, "anonymous")
	}))
	mux.HandleFunc("POST /logout", withSession(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		s.Invalidate()
		fmt.Fprint(w, "bye")
	}))
	mux.HandleFunc("GET /sessions", withSession(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		infos, err := m.Sessions(r.Context(), s.Owner())
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return
		}
		for _, info := range infos {
			fmt.Fprint(w, info.ID)
			if info.Current {
				fmt.Fprint(w, " current")
			}
			fmt.Fprintln(w)
		}
	}))
	mux.HandleFunc("POST /end", withSession(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		if err := m.EndSession(r.Context(), s.Owner(), r.FormValue("id")); err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return
		}
		fmt.Fprint(w, "ended")
	}))
	mux.HandleFunc("GET /static", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "static") })
	srv := httptest.NewServer(sessionhttp.Middleware(m, nil)(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

func withSession(h func(http.ResponseWriter, *http.Request, *core.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := core.FromContext(r.Context())
		if err != nil {
			code := core.StatusCode(err)
			http.Error(w, http.StatusText(code), code)
			return
		}
		h(w, r, s)
	}
}

func newManager(t *testing.T, store core.Store) *core.Manager {
	t.Helper()
	m, err := core.NewManager(store, &core.Options{Insecure: true})
	if err != nil {
		t.Fatalf("core.NewManager = %v", err)
	}
	return m
}

// browser sends requests with a session cookie it passes itself, so that
// a test can carry a cookie from one app server to another.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	c := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return &browser{t: t, c: c}
}

// response is what a request returned: the status, the body, and the
// session cookie's new value ("" if the response set none; see deleted).
type response struct {
	status  int
	body    string
	cookie  string
	deleted bool // the response expired the session cookie
}

func (b *browser) do(method, url, cookie string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: core.DefaultCookieName, Value: cookie})
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s = %v", method, url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, body: strings.TrimSpace(string(body))}
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
// store, on one database: a session made on one is used on the other; a
// user sees and ends the session of another device on one, and it is
// ended on the other; a logout on one ends the session on the other; and a
// request that does not touch its session costs no round trip.
func TestTwoAppServers(t *testing.T) {
	db, _ := migrated(t, nil)
	rt := &counter{}
	s1 := newStore(t, newPool(t, db, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = rt }), nil)
	s2, err := pgstore.NewFromURL(db.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	app1, app2 := serveApp(t, newManager(t, s1)), serveApp(t, newManager(t, s2))
	b := newBrowser(t)

	laptop := b.do("POST", app1+"/login?user=alice", "")
	laptop.want(t, "POST app1/login", "user alice")
	b.do("GET", app2+"/me", laptop.cookie).want(t, "GET app2/me", "user alice")
	phone := b.do("POST", app2+"/login?user=alice", "")
	phone.want(t, "POST app2/login from the phone", "user alice")

	want := []string{core.HandleOf(laptop.cookie) + " current", core.HandleOf(phone.cookie)}
	if got := b.do("GET", app1+"/sessions", laptop.cookie); got.status != http.StatusOK || !sameLines(got.body, want) {
		t.Fatalf("GET app1/sessions = %d %q; want 200 with the lines %q", got.status, got.body, want)
	}
	b.do("POST", app1+"/end?id="+core.HandleOf(phone.cookie), laptop.cookie).want(t, "POST app1/end of the phone's session", "ended")
	b.do("GET", app2+"/me", phone.cookie).want(t, "GET app2/me from the phone, after its session was ended", "anonymous")

	before := rt.roundTrips()
	b.do("GET", app1+"/static", laptop.cookie).want(t, "GET app1/static", "static")
	if n := rt.roundTrips() - before; n != 0 {
		t.Errorf("a request that does not touch its session took %d round trips; want 0", n)
	}

	logout := b.do("POST", app2+"/logout", laptop.cookie)
	logout.want(t, "POST app2/logout", "bye")
	if !logout.deleted {
		t.Errorf("POST app2/logout did not expire the session cookie")
	}
	b.do("GET", app1+"/me", laptop.cookie).want(t, "GET app1/me with the logged-out cookie", "anonymous")
	wantNotFound(t, s1, laptop.cookie)
}

// sameLines reports whether body holds the lines of want, in any order.
func sameLines(body string, want []string) bool {
	got := strings.Split(body, "\n")
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			return false
		}
	}
	return true
}
