package memstore_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// The scenarios of a login form under a flood, over HTTP: MaxSessions 400,
// 320 users logged in.
const (
	floodBound    = 400
	floodUsers    = 320
	floodVisitors = 4000
)

// site serves a login form over a memory store bounded to floodBound
// records, and returns its URL, the store, and a function that moves the
// clock on. GET /form starts a session
// (the form's CSRF token), POST /login logs the form's user in (SetOwner,
// which gives the session a new ID), POST /logout logs out, and GET
// /whoami answers the user's name. The Manager and the store share a
// clock that moves a microsecond a call, so that nothing expires unless
// the test moves it on.
func site(t *testing.T, log *evictionLog) (string, *memstore.Store, func(time.Duration)) {
	t.Helper()
	var ticks atomic.Int64
	start := time.Unix(1_700_000_000, 0)
	now := func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Microsecond) }
	store := newStore(t, &memstore.Options{MaxSessions: floodBound, Clock: now, Logger: slog.New(log)})
	m, err := core.NewManager(store, &core.Options{Insecure: true, Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	handle := func(pattern string, h func(w http.ResponseWriter, r *http.Request, s *core.Session)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s, err := sessionhttp.Session(r)
			if err != nil {
				http.Error(w, err.Error(), core.StatusCode(err))
				return
			}
			h(w, r, s)
		})
	}
	handle("GET /form", func(_ http.ResponseWriter, _ *http.Request, s *core.Session) { s.CSRFToken() })
	handle("POST /login", func(_ http.ResponseWriter, r *http.Request, s *core.Session) {
		s.SetOwner(r.FormValue("user"), core.Device{})
	})
	handle("POST /logout", func(_ http.ResponseWriter, _ *http.Request, s *core.Session) { s.Invalidate() })
	handle("GET /whoami", func(w http.ResponseWriter, _ *http.Request, s *core.Session) { io.WriteString(w, s.Owner()) })
	srv := httptest.NewServer(sessionhttp.Middleware(m, nil)(mux))
	t.Cleanup(srv.Close)
	return srv.URL, store, func(d time.Duration) { ticks.Add(int64(d / time.Microsecond)) }
}

// browser is a visitor with a cookie jar.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: time.Minute}}
}

// do sends a request and returns the body and the response, failing the
// test on an error or a status other than 200.
func (b *browser) do(method, path string, form url.Values) (string, *http.Response) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s %s: %d %s, %v; want 200", method, path, resp.StatusCode, got, err)
	}
	return string(got), resp
}

// login opens the form and logs user in, and returns the session cookie
// the form's session had.
func (b *browser) login(user string) (preLogin string) {
	b.t.Helper()
	b.do("GET", "/form", nil)
	preLogin = b.cookie()
	b.do("POST", "/login", url.Values{"user": {user}})
	return preLogin
}

// cookie returns the session cookie in the jar.
func (b *browser) cookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

// loginUsers logs floodUsers users in, each in a browser of its own, and
// returns the browsers and the last one's cookie from before its login.
func loginUsers(t *testing.T, base string) (users []*browser, lastPreLogin string) {
	for i := range floodUsers {
		b := newBrowser(t, base)
		lastPreLogin = b.login(userName(i))
		users = append(users, b)
	}
	return users, lastPreLogin
}

func userName(i int) string { return fmt.Sprint("user", i) }

// checkUsers fails t unless every user is still logged in.
func checkUsers(t *testing.T, users []*browser) {
	t.Helper()
	for i, b := range users {
		if got, _ := b.do("GET", "/whoami", nil); got != userName(i) {
			t.Fatalf("%s after the flood is logged in as %q; want still logged in", userName(i), got)
		}
	}
}

// flood sends n cookieless requests to the form, each of which starts a
// session, from four clients at once.
func flood(t *testing.T, base string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			b := &browser{t: t, base: base, c: &http.Client{Timeout: time.Minute}}
			for range n/4 + min(1, max(0, n%4-w)) {
				resp, err := b.c.Get(base + "/form")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 1 {
					t.Errorf("GET /form without a cookie: %d, cookies %v; want 200 and a new session", resp.StatusCode, resp.Cookies())
					return
				}
			}
		})
	}
	wg.Wait()
}

// report has the store report its evictions, which it does at most once a
// minute: it moves the clock on and starts one more session.
func report(t *testing.T, base string, advance func(time.Duration)) {
	t.Helper()
	advance(2 * time.Minute)
	flood(t, base, 1)
}

// TestAnonymousFlood logs 320 users in and then sends 4,000 cookieless
// requests to the login form, each of which starts a session, to a store
// bounded to 400 records: the anonymous sessions are evicted, and every
// user stays logged in. The marker the last login left stays too: a
// request that was still on its way with that visitor's cookie from before
// the login neither clears nor replaces the new cookie.
func TestAnonymousFlood(t *testing.T) {
	log := new(evictionLog)
	base, store, advance := site(t, log)
	users, preLogin := loginUsers(t, base)
	flood(t, base, floodVisitors)
	if n := store.Len(); n > floodBound {
		t.Fatalf("Len() = %d after the flood; want at most %d", n, floodBound)
	}
	t.Run("the marker of a login stays", func(t *testing.T) {
		last := users[len(users)-1]
		stale := &browser{t: t, base: base, c: &http.Client{Timeout: time.Minute}}
		req, _ := http.NewRequest("GET", base+"/whoami", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: preLogin})
		resp, err := stale.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("a request with the cookie from before the login answered Set-Cookie %q; want none, which would clear the new cookie", sc)
		}
		if _, _, err := store.Load(req.Context(), preLogin); !errors.Is(err, core.ErrGone) {
			t.Fatalf("Load of the cookie from before the login: %v; want core.ErrGone", err)
		}
		if got, _ := last.do("GET", "/whoami", nil); got != userName(len(users)-1) {
			t.Fatalf("the user who logged in last is logged in as %q; want still logged in", got)
		}
	})
	t.Run("users stay logged in", func(t *testing.T) {
		checkUsers(t, users)
		report(t, base, advance)
		if log.count("anonymous") < floodVisitors-floodBound || log.count("users") != 0 {
			t.Fatalf("reported evictions: %d anonymous sessions, %d users'; want the flood's, and no user's", log.count("anonymous"), log.count("users"))
		}
	})
}

// TestLoginLogoutCycles logs 320 users in, and then one account logs in
// and out 2,400 times (six times the bound of 400 records), each time
// from a new form session: its login and its logout each leave a marker,
// which are evicted before any other user's session.
func TestLoginLogoutCycles(t *testing.T) {
	log := new(evictionLog)
	base, store, advance := site(t, log)
	users, _ := loginUsers(t, base)
	mallory := newBrowser(t, base)
	for range 6 * floodBound {
		mallory.login("mallory")
		mallory.do("POST", "/logout", nil)
	}
	if n := store.Len(); n > floodBound {
		t.Fatalf("Len() = %d after the cycles; want at most %d", n, floodBound)
	}
	checkUsers(t, users)
	report(t, base, advance)
	if log.count("ended") == 0 || log.count("users") != 0 {
		t.Fatalf("reported evictions: %d markers, %d users' sessions; want markers only", log.count("ended"), log.count("users"))
	}
}
