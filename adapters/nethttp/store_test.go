package sessionhttp_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// app serves /login, which stores a user, and /whoami, which reads it.
func app(m *core.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return
		}
		s.Set("user", "alice")
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return
		}
		user, _ := s.String("user")
		io.WriteString(w, user)
	})
	return sessionhttp.Middleware(m, nil)(mux)
}

func get(t *testing.T, c *http.Client, url string) (string, *http.Response) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp
}

// TestKeyRotationOverHTTP rotates the cookie store's secret under a
// browser's feet: its session survives, is re-issued under the new secret,
// and then no longer needs the old one.
func TestKeyRotationOverHTTP(t *testing.T) {
	const oldSecret, newSecret = "the secret we used until yesterday, 32+ bytes", "the secret we rotated to this morning, 32+ bytes"
	serve := func(secrets ...string) string {
		store, err := cookiestore.New(&cookiestore.Options{Secrets: secrets})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app(manager(t, store, nil)))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	before, during, after := serve(oldSecret), serve(newSecret, oldSecret), serve(newSecret)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}

	get(t, browser, before+"/login")
	if user, resp := get(t, browser, during+"/whoami"); user != "alice" || resp.Header.Get("Set-Cookie") == "" {
		t.Fatalf("after rotation: user %q, Set-Cookie %q; want alice, re-issued", user, resp.Header.Get("Set-Cookie"))
	}
	if user, resp := get(t, browser, during+"/whoami"); user != "alice" || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("second request after rotation: user %q, Set-Cookie %q; want alice, no re-issue", user, resp.Header.Get("Set-Cookie"))
	}
	if user, _ := get(t, browser, after+"/whoami"); user != "alice" {
		t.Fatalf("without the old secret: user %q; want alice", user)
	}
	get(t, browser, before+"/login") // a cookie signed with the old secret only
	if user, _ := get(t, browser, after+"/whoami"); user != "" {
		t.Fatalf("a cookie signed with a dropped secret reads as %q; want no session", user)
	}
}

// TestUnknownIDCreatesNothing sends session IDs the server never issued:
// the store gains no record, and the ID is never adopted.
func TestUnknownIDCreatesNothing(t *testing.T) {
	store := testkit.Memstore(t)
	srv := httptest.NewServer(app(manager(t, store, nil)))
	t.Cleanup(srv.Close)
	for range 100 {
		req, _ := http.NewRequest("GET", srv.URL+"/whoami", nil)
		req.Header.Set("Cookie", "session="+core.NewID())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := store.Len(); n != 0 {
		t.Fatalf("100 unknown IDs left %d records; want 0", n)
	}
	forged := core.NewID()
	req, _ := http.NewRequest("GET", srv.URL+"/login", nil)
	req.Header.Set("Cookie", "session="+forged)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Value == forged || store.Len() != 1 {
		t.Fatalf("login with a forged ID: cookies %v, %d records; want one new ID", cookies, store.Len())
	}
}
