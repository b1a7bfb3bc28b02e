package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// An apiClient is a program that uses the blog's JSON API with a plain
// http.Client: no cookie jar, the token of the last response that carried
// one, sent in the Authorization header.
type apiClient struct {
	t     *testing.T
	base  string
	http  *http.Client
	token string
}

func newAPIClient(t *testing.T, base string) *apiClient {
	return &apiClient{t: t, base: base, http: &http.Client{Timeout: 10 * time.Second}}
}

// apiResponse is what the client got: the status, the headers, and the
// JSON body decoded.
type apiResponse struct {
	req    string
	code   int
	header http.Header
	body   map[string]any
}

// do sends a request with the client's token, if it has one, and keeps
// the token the response gives: a new one, or none when the header comes
// empty.
func (c *apiClient) do(method, path, contentType, body string) apiResponse {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := apiResponse{req: method + " " + path, code: res.StatusCode, header: res.Header}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Fatalf("%s = %d, Content-Type %q; want JSON:\n%s", r.req, r.code, ct, b)
	}
	if err := json.Unmarshal(b, &r.body); err != nil {
		c.t.Fatalf("%s = %d %q: %v", r.req, r.code, b, err)
	}
	if v := res.Header.Values("Set-Cookie"); len(v) > 0 {
		c.t.Fatalf("%s sent Set-Cookie %q; the API's sessions have no cookie", r.req, v)
	}
	if v, ok := res.Header["Authorization"]; ok {
		c.token = strings.TrimPrefix(v[0], "Bearer ")
	}
	return r
}

func (c *apiClient) login(name, password string) apiResponse {
	c.t.Helper()
	creds, _ := json.Marshal(map[string]string{"username": name, "password": password})
	return c.do("POST", "/api/login", "application/json", string(creds))
}

// want checks r's status and that its body holds field with the value v.
func (r apiResponse) want(t *testing.T, code int, field string, v any) {
	t.Helper()
	got, _ := json.Marshal(r.body[field])
	want, _ := json.Marshal(v)
	if r.code != code || string(got) != string(want) {
		t.Fatalf("%s = %d %v; want %d with %s %s", r.req, r.code, r.body, code, field, want)
	}
}

// testAPI drives the JSON API as dave, from a program: log in, read the
// dashboard's data, log out. The API's token never authenticates the pages
// nor their cookie the API, a form that another site posts cannot use the
// API's session, and the sessions page lists and signs out the API's
// clients. serverSide is false for the cookie store, which the API says it
// cannot work with.
func testAPI(t *testing.T, base string, serverSide bool) {
	t.Helper()
	c := newAPIClient(t, base)
	if !serverSide {
		r := c.login("dave", carolPassword)
		msg, _ := r.body["error"].(string)
		if r.code != http.StatusNotImplemented || !strings.Contains(msg, "-store memory, redis or postgres") {
			t.Fatalf("%s with the cookie store = %d %v; want 501 saying which stores the API needs", r.req, r.code, r.body)
		}
		return
	}

	// Without a token, or with bad credentials: 401, with the Bearer
	// challenge.
	r := c.do("GET", "/api/dashboard", "", "")
	r.want(t, http.StatusUnauthorized, "error", "log in first: POST /api/login")
	if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="blog"` {
		t.Fatalf("%s: WWW-Authenticate %q; want the Bearer challenge", r.req, got)
	}
	c.login("dave", "wrong").want(t, http.StatusUnauthorized, "error", "invalid credentials")
	c.do("POST", "/api/login", "application/json", "{").want(t, http.StatusBadRequest, "error", `send {"username": "...", "password": "..."}`)
	form := url.Values{"username": {"dave"}, "password": {carolPassword}}.Encode()
	c.do("POST", "/api/login", "application/x-www-form-urlencoded", form).
		want(t, http.StatusUnsupportedMediaType, "error", "send the credentials as JSON, with Content-Type: application/json")
	if c.token != "" {
		t.Fatalf("the failed logins gave the client the token %.12q...", c.token)
	}

	// Logging in gives a token, in the Authorization header only.
	r = c.login("dave", carolPassword)
	r.want(t, http.StatusOK, "user", "dave")
	if !core.ValidID(c.token) || !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
		t.Fatalf("%s: Authorization %q, Cache-Control %q; want a session token, not to be cached", r.req, r.header.Get("Authorization"), r.header.Get("Cache-Control"))
	}
	token := c.token
	r = c.do("GET", "/api/dashboard", "", "")
	r.want(t, http.StatusOK, "user", "dave")
	r.want(t, http.StatusOK, "user_id", 4)
	r.want(t, http.StatusOK, "articles", []any{})

	// The token is not a cookie of the pages, nor the pages' cookie a
	// token of the API.
	browser := newClient(t, base)
	browser.setCookie(token)
	wantRedirect(t, browser.get("/dashboard"), "/login?next=%2Fdashboard")
	browser = newClient(t, base)
	browser.ua = firefoxLinux
	wantRedirect(t, browser.login("dave", carolPassword, nil), "/dashboard")
	stranger := newAPIClient(t, base)
	stranger.token = browser.cookie()
	stranger.do("GET", "/api/dashboard", "", "").want(t, http.StatusUnauthorized, "error", "log in first: POST /api/login")

	// A form that another site posts to the API carries the browser's
	// cookies, never the API's header. Browsers that send Origin are
	// refused outright; without it, the form reaches the API, which does
	// not see the browser's session.
	evil := browser.postWith("/api/logout", url.Values{}, http.Header{"Origin": {"https://evil.example"}})
	wantStatus(t, evil, http.StatusForbidden)
	creds := url.Values{"username": {"dave"}, "password": {carolPassword}}
	wantStatus(t, browser.postWith("/api/login", creds, http.Header{}), http.StatusUnsupportedMediaType)
	if r := browser.postWith("/api/logout", url.Values{}, http.Header{}); r.code != http.StatusOK {
		t.Fatalf("a form posted to /api/logout = %d %s; want 200, the logout of a new, anonymous session", r.code, r.body)
	}
	r = c.do("GET", "/api/dashboard", "", "")
	r.want(t, http.StatusOK, "user", "dave")

	// The sessions page lists the API's client beside the browser, and
	// "Sign out everywhere else" signs it out.
	page := browser.get("/sessions")
	wantPage(t, page, http.StatusOK, `title="A client of the JSON API, with a token rather than a cookie.">API</span>`)
	wantDevices(t, page, "Firefox on Linux", "Go-http-client/1.1")
	csrf := csrfField.FindStringSubmatch(page.body)[1]
	wantRedirect(t, browser.post("/sessions/end-others", url.Values{"csrf_token": {csrf}}), "/sessions")
	c.do("GET", "/api/dashboard", "", "").want(t, http.StatusUnauthorized, "error", "log in first: POST /api/login")

	// Logging out: the response's empty Authorization header tells the
	// client to forget its token, which is worthless anyway.
	c.token = ""
	c.login("dave", carolPassword).want(t, http.StatusOK, "user", "dave")
	token = c.token
	r = c.do("POST", "/api/logout", "", "")
	r.want(t, http.StatusOK, "logged_out", true)
	if v, ok := r.header["Authorization"]; !ok || len(v) != 1 || v[0] != "" || c.token != "" {
		t.Fatalf("%s: Authorization %q; want one empty value", r.req, v)
	}
	c.token = token
	c.do("GET", "/api/dashboard", "", "").want(t, http.StatusUnauthorized, "error", "log in first: POST /api/login")
	wantRedirect(t, browser.post("/logout", url.Values{"csrf_token": {browser.csrfToken("/dashboard")}}), "/")
}
