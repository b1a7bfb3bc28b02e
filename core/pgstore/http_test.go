package pgstore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/cookieclient"
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
	b := cookieclient.New(t)

	laptop := b.Do("POST", app1+"/login?user=alice", "")
	laptop.Want(t, "POST app1/login", "user alice")
	b.Do("GET", app2+"/me", laptop.Cookie).Want(t, "GET app2/me", "user alice")
	phone := b.Do("POST", app2+"/login?user=alice", "")
	phone.Want(t, "POST app2/login from the phone", "user alice")

	want := []string{core.HandleOf(laptop.Cookie) + " current", core.HandleOf(phone.Cookie)}
	if got := b.Do("GET", app1+"/sessions", laptop.Cookie); got.Status != http.StatusOK || !sameLines(got.Body, want) {
		t.Fatalf("GET app1/sessions = %d %q; want 200 with the lines %q", got.Status, got.Body, want)
	}
	b.Do("POST", app1+"/end?id="+core.HandleOf(phone.Cookie), laptop.Cookie).Want(t, "POST app1/end of the phone's session", "ended")
	b.Do("GET", app2+"/me", phone.Cookie).Want(t, "GET app2/me from the phone, after its session was ended", "anonymous")

	before := rt.roundTrips()
	b.Do("GET", app1+"/static", laptop.Cookie).Want(t, "GET app1/static", "static")
	if n := rt.roundTrips() - before; n != 0 {
		t.Errorf("a request that does not touch its session took %d round trips; want 0", n)
	}

	logout := b.Do("POST", app2+"/logout", laptop.Cookie)
	logout.Want(t, "POST app2/logout", "bye")
	if !logout.Deleted {
		t.Errorf("POST app2/logout did not expire the session cookie")
	}
	b.Do("GET", app1+"/me", laptop.Cookie).Want(t, "GET app1/me with the logged-out cookie", "anonymous")
	wantNotFound(t, s1, laptop.Cookie)
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
