package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestContract drives the blog's HTTP contract over real HTTP, on every
// framework with every store: Redis is a redis-server of the test's own,
// PostgreSQL a database of the test's own (pgtest), which without
// PostgreSQL installed skips, and fails under CI=true.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("every framework with every store, and a Redis outage: not in -short")
	}
	for _, framework := range frameworks {
		for _, store := range stores {
			t.Run(framework+"/"+store, func(t *testing.T) {
				t.Parallel()
				var redis *redistest.Server
				var storeURL string
				switch store {
				case "redis":
					redis = redistest.StartLocal(t)
					storeURL = redis.URL()
				case "postgres":
					storeURL = pgtest.Start(t).URL()
				}
				base := startBlog(t, framework, store, storeURL)
				testContract(t, base, store != "cookie")
				testAPI(t, base, store != "cookie")
				testRememberMe(t, base)
				testSessions(t, base, store != "cookie")
				if redis != nil {
					testStoreOutage(t, base, redis)
				}
			})
		}
	}
}

// testContract drives the contract as one visitor; serverSide is true for
// a store that can revoke a session.
func testContract(t *testing.T, base string, serverSide bool) {
	c := newClient(t, base)
	const (
		logoutForm = `action="/logout"`
		loginLink  = `href="/login"`
	)

	// Logged out.
	home := c.get("/")
	wantPage(t, home, http.StatusOK, "Transient Blog", loginLink)
	wantNot(t, home, logoutForm)
	wantRedirect(t, c.get("/dashboard"), "/login?next=%2Fdashboard")
	wantRedirect(t, c.get("/articles/new"), "/login?next=%2Farticles%2Fnew")
	login := c.get("/login")
	wantPage(t, login, http.StatusOK, `name="username"`, `name="password"`, `type="hidden" name="csrf_token"`,
		`class="flash flash-warning" role="alert">Please log in first.</p>`)
	if n := strings.Count(login.body, "Please log in first."); n != 1 {
		t.Errorf("GET /login shows %q %d times; want once", "Please log in first.", n)
	}
	token := c.csrfToken("/login")
	wantNot(t, c.get("/login"), "Please log in first.")

	// The CSRF token: missing, forged or another visitor's.
	for _, bad := range []struct{ name, token string }{
		{"missing", ""},
		{"forged", "Zm9yZ2VkLXRva2VuLWZvcmdlZC10b2tlbi1mb3JnZWQ"},
		{"another session's", newClient(t, base).csrfToken("/login")},
	} {
		form := url.Values{"username": {"alice"}, "password": {"wonderland"}}
		if bad.token != "" {
			form.Set("csrf_token", bad.token)
		}
		if r := c.post("/login", form); r.code != http.StatusForbidden {
			t.Fatalf("POST /login with a %s CSRF token = %d; want 403", bad.name, r.code)
		}
	}
	wantPage(t, c.post("/logout", url.Values{}), http.StatusForbidden)
	wantPage(t, c.post("/articles", url.Values{"title": {"Sneaky"}}), http.StatusForbidden)
	wantRedirect(t, c.get("/dashboard"), "/login?next=%2Fdashboard")

	// Wrong credentials.
	for _, creds := range []url.Values{
		{"username": {"alice"}, "password": {"builder"}},
		{"username": {"mallory"}, "password": {"wonderland"}},
	} {
		creds.Set("csrf_token", token)
		r := c.post("/login", creds)
		wantPage(t, r, http.StatusOK, "Invalid credentials", `name="password"`)
	}
	wantRedirect(t, c.get("/dashboard"), "/login?next=%2Fdashboard")
	c.get("/login") // pops the warning

	// Logging in renews the session: its ID and its CSRF token.
	before := c.cookie()
	alice := url.Values{"username": {"alice"}, "password": {"wonderland"}, "csrf_token": {token}}
	wantRedirect(t, c.post("/login", alice), "/dashboard")
	if after := c.cookie(); after == "" || after == before {
		t.Errorf("session cookie after login = %.12q...; want a new one (before: %.12q...)", after, before)
	}
	dash := c.get("/dashboard")
	wantPage(t, dash, http.StatusOK, "Dashboard", "alice", logoutForm,
		`class="flash flash-success" role="alert">Welcome back, alice!</p>`)
	dash = c.get("/dashboard")
	wantPage(t, dash, http.StatusOK, "alice")
	wantNot(t, dash, "Welcome back")
	if r := c.post("/logout", url.Values{"csrf_token": {token}}); r.code != http.StatusForbidden {
		t.Errorf("POST /logout with the CSRF token from before login = %d; want 403", r.code)
	}
	wantPage(t, c.get("/"), http.StatusOK, logoutForm)

	// Articles.
	wantPage(t, c.get("/articles"), http.StatusOK, "Articles")
	token = c.csrfToken("/articles/new")
	r := c.post("/articles", url.Values{"title": {"  "}, "body": {"kept"}, "csrf_token": {token}})
	wantPage(t, r, http.StatusOK, "Title is required", ">kept</textarea>")
	for _, title := range []string{"First <b>post</b>", "Second post"} {
		r := c.post("/articles", url.Values{"title": {title}, "body": {"Some text."}, "csrf_token": {token}})
		wantRedirect(t, r, "/articles")
		list := c.get("/articles")
		wantPage(t, list, http.StatusOK, `class="flash flash-success" role="alert">Article saved successfully!</p>`)
		if n := strings.Count(list.body, "Article saved successfully!"); n != 1 {
			t.Errorf("GET /articles shows the flash %d times; want once", n)
		}
		wantNot(t, c.get("/articles"), "Article saved successfully!")
	}
	list := c.get("/articles")
	wantPage(t, list, http.StatusOK, "First &lt;b&gt;post&lt;/b&gt;", "Second post", "Hello, sessions")
	wantNot(t, list, "<b>post</b>")
	second, first, hello := strings.Index(list.body, "Second post"), strings.Index(list.body, "First &lt;b"), strings.Index(list.body, "Hello, sessions")
	if !(second < first && first < hello) {
		t.Errorf("GET /articles: articles at %d (second), %d (first), %d (oldest); want newest first", second, first, hello)
	}

	// Forms posted from another site are refused, valid token or not.
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Origin": {"http://evil.example"}},
	} {
		r := c.postWith("/articles", url.Values{"title": {"Cross-site"}, "csrf_token": {token}}, h)
		if r.code != http.StatusForbidden {
			t.Errorf("POST /articles with %v = %d; want 403", h, r.code)
		}
	}
	wantNot(t, c.get("/articles"), "Cross-site")

	// Logging out.
	loggedIn := c.cookie()
	wantRedirect(t, c.post("/logout", url.Values{"csrf_token": {token}}), "/")
	home = c.get("/")
	wantPage(t, home, http.StatusOK, `class="flash flash-info" role="alert">You have been logged out.</p>`, loginLink)
	wantNot(t, home, logoutForm)
	wantRedirect(t, c.get("/dashboard"), "/login?next=%2Fdashboard")
	wantPage(t, c.get("/login"), http.StatusOK, "Please log in first.")
	if serverSide {
		// The store deleted the session: a copy of the cookie is worthless.
		// (A cookie store cannot revoke it: it lives until it expires.)
		thief := newClient(t, base)
		thief.setCookie(loggedIn)
		wantRedirect(t, thief.get("/dashboard"), "/login?next=%2Fdashboard")
	}
}

// testStoreOutage logs in, stops Redis, and checks that the blog answers
// 503, never as if the visitor were logged out, and recovers by itself
// once Redis is back.
func testStoreOutage(t *testing.T, base string, redis *redistest.Server) {
	c := newClient(t, base)
	token := c.csrfToken("/login")
	wantRedirect(t, c.post("/login", url.Values{"username": {"bob"}, "password": {"builder"}, "csrf_token": {token}}), "/dashboard")
	wantPage(t, c.get("/dashboard"), http.StatusOK, "bob")

	redis.Kill(t)
	for _, r := range []response{c.get("/dashboard"), c.get("/"), c.post("/login", url.Values{"csrf_token": {token}})} {
		wantPage(t, r, http.StatusServiceUnavailable, "session store is unavailable")
		wantNot(t, r, `href="/login"`, `name="password"`)
	}
	wantStatus(t, c.get("/static/style.css"), http.StatusOK) // no session needed

	redis.Restart(t)
	deadline := time.Now().Add(5 * time.Second)
	for c.get("/").code != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("GET / still fails 5s after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Redis came back empty: bob logs in again.
	wantRedirect(t, c.get("/dashboard"), "/login?next=%2Fdashboard")
	token = c.csrfToken("/login")
	wantRedirect(t, c.post("/login", url.Values{"username": {"bob"}, "password": {"builder"}, "csrf_token": {token}}), "/dashboard")
	wantPage(t, c.get("/dashboard"), http.StatusOK, "Welcome back, bob!")
}

// TestSaveFails checks the page a visitor gets when the store fails while
// saving the session, after the page is done: a real Redis that has reached
// its memory limit answers reads and refuses writes.
func TestSaveFails(t *testing.T) {
	if testing.Short() {
		t.Skip("a Redis that refuses writes, on every framework: not in -short")
	}
	redis := redistest.StartLocal(t)
	admin := redis.Client(t)
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			c := newClient(t, startBlog(t, framework, "redis", redis.URL()))
			token := c.csrfToken("/login")
			wantRedirect(t, c.post("/login", url.Values{"username": {"bob"}, "password": {"builder"}, "csrf_token": {token}}), "/dashboard")
			token = c.csrfToken("/articles/new")

			full(t, admin, true)
			r := c.post("/articles", url.Values{"title": {"Unlucky"}, "csrf_token": {token}})
			wantPage(t, r, http.StatusServiceUnavailable, "session store is unavailable")
			full(t, admin, false)

			wantPage(t, c.get("/dashboard"), http.StatusOK, "bob") // still logged in
		})
	}
}

// full makes Redis refuse writes, as a server out of memory does, or lifts
// the limit.
func full(t *testing.T, admin *goredis.Client, on bool) {
	t.Helper()
	limit := "0" // no limit
	if on {
		limit = "1"
	}
	ctx := context.Background()
	if err := admin.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.ConfigSet(ctx, "maxmemory", limit).Err(); err != nil {
		t.Fatal(err)
	}
}
