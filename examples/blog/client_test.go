package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/transient-go/transient/core"
)

var (
	frameworks = []string{"nethttp", "gin", "echo", "echo5", "fiber"}
	stores     = []string{"cookie", "memory", "redis", "postgres"}
)

func testConfig(framework, store string) config {
	return config{
		framework: framework,
		store:     store,
		secret:    "a test secret of at least 32 bytes: not for production",
		log:       slog.New(slog.DiscardHandler),
	}
}

// carolPassword is the password of carol and dave, accounts of testUsers
// whose hash is quick to check.
const carolPassword = "carol's password"

// testUsers returns the demo accounts and carol, whose password hash, and
// those of the new passwords of all three, have bcrypt.MinCost, so that
// the tests can log in as carol often, and change passwords, even under
// the race detector.
func testUsers(t *testing.T) *users {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(carolPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	us := demoUsers()
	us.cost = bcrypt.MinCost
	us.byName["carol"] = user{ID: 3, Name: "carol", hash: string(hash)}
	us.byName["dave"] = user{ID: 4, Name: "dave", hash: string(hash)} // the API's tests' (api_test.go)
	return us
}

// startBlog serves the blog on a loopback port, as main does, with
// accounts of its own (testUsers), and returns its base URL. The test
// stops it. storeURL is the URL of the Redis or PostgreSQL server of those
// stores.
func startBlog(t *testing.T, framework, store, storeURL string) string {
	t.Helper()
	cfg := testConfig(framework, store)
	cfg.redisURL, cfg.postgresURL = storeURL, storeURL
	cfg.users = testUsers(t)
	st, closeStore, err := newStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeStore) // after the server stops: cleanups run last first
	return serveBlog(t, cfg, st)
}

// serveBlog serves the blog for cfg with sessions kept in st.
func serveBlog(t *testing.T, cfg config, st core.Store) string {
	t.Helper()
	srv, err := newServer(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil && err != http.ErrServerClosed {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// A client is a visitor with a cookie jar that sees redirects rather than
// following them.
type client struct {
	t    *testing.T
	base string
	ua   string // the User-Agent header it sends; "" for Go's
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, http: &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// A response is what the client got.
type response struct {
	req         string // "GET /login", for messages
	code        int
	contentType string
	location    string
	setCookie   string // the Set-Cookie header of the session cookie, if any
	body        string
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post posts form to path from the blog's own pages: its Origin is the
// blog's, as a browser's would be.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.postWith(path, form, http.Header{"Origin": {c.base}})
}

func (c *client) postWith(path string, form url.Values, h http.Header) response {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := response{
		req:         req.Method + " " + req.URL.Path,
		code:        resp.StatusCode,
		contentType: resp.Header.Get("Content-Type"),
		location:    resp.Header.Get("Location"),
		body:        string(body),
	}
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "session=") {
			r.setCookie = sc
		}
	}
	return r
}

// login logs in with the login form, with the fields of extra too, and
// returns the response to the form.
func (c *client) login(name, password string, extra url.Values) response {
	c.t.Helper()
	form := url.Values{"username": {name}, "password": {password}, "csrf_token": {c.csrfToken("/login")}}
	for k, v := range extra {
		form[k] = v
	}
	return c.post("/login", form)
}

// cookie returns the value of the session cookie, or "".
func (c *client) cookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "session" {
			return ck.Value
		}
	}
	return ""
}

// setCookie gives the client a session cookie, such as one stolen from
// another client.
func (c *client) setCookie(value string) {
	u, _ := url.Parse(c.base)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: value, Path: "/"}})
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfToken GETs path and returns the CSRF token of its form.
func (c *client) csrfToken(path string) string {
	c.t.Helper()
	r := c.get(path)
	m := csrfField.FindStringSubmatch(r.body)
	if r.code != http.StatusOK || m == nil {
		c.t.Fatalf("%s = %d without a csrf_token field; want 200 with one:\n%s", r.req, r.code, r.body)
	}
	return m[1]
}

// wantStatus checks r's status code.
func wantStatus(t *testing.T, r response, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s = %d; want %d\n%s", r.req, r.code, code, r.body)
	}
}

// wantPage checks that r is an HTML page with status code that contains
// every one of texts.
func wantPage(t *testing.T, r response, code int, texts ...string) {
	t.Helper()
	wantStatus(t, r, code)
	if r.contentType != "text/html; charset=utf-8" {
		t.Fatalf("%s: Content-Type = %q; want an HTML page", r.req, r.contentType)
	}
	for _, text := range texts {
		if !strings.Contains(r.body, text) {
			t.Fatalf("%s: the page does not contain %q:\n%s", r.req, text, r.body)
		}
	}
}

// wantNot checks that r contains none of texts.
func wantNot(t *testing.T, r response, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if strings.Contains(r.body, text) {
			t.Fatalf("%s: the page contains %q; want it not to:\n%s", r.req, text, r.body)
		}
	}
}

// wantRedirect checks that r redirects to path with 303 See Other (or 302
// Found).
func wantRedirect(t *testing.T, r response, path string) {
	t.Helper()
	if (r.code != http.StatusSeeOther && r.code != http.StatusFound) || r.location != path {
		t.Fatalf("%s = %d to %q; want a redirect to %q\n%s", r.req, r.code, r.location, path, r.body)
	}
}
