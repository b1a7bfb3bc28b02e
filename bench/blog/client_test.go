package blog_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// accounts are the blog's demo accounts, by name. Their bcrypt hashes have
// the default cost: a login takes tens of milliseconds of CPU, as in
// production.
var accounts = map[string]string{"alice": "wonderland", "bob": "builder"}

// A client is a visitor: a cookie jar and a connection of its own, and it
// sees redirects rather than following them.
type client struct {
	base string
	http *http.Client
}

// newClient returns a visitor of the blog at base. t.Cleanup closes its
// connection.
func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A transport of its own, which keeps its one connection open: the
	// default transport, shared, keeps two idle connections per host, so
	// the visitors would open and close thousands.
	tr := new(http.Transport)
	t.Cleanup(tr.CloseIdleConnections)
	return &client{base: base, http: &http.Client{
		Jar:       jar,
		Transport: tr,
		Timeout:   2 * time.Minute, // slow answers are measured, not cut short
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
	setCookie   string // the value of the session cookie it sets, if any
	sessionSets int    // how many Set-Cookie headers name the session cookie
	body        string
}

// send sends a request; form, if not nil, is posted from the blog's own
// pages (its Origin is the blog's, as a browser's would be).
func (c *client) send(method, path string, form url.Values) (response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return response{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.base)
	}
	r := response{req: method + " " + path}
	resp, err := c.http.Do(req)
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return r, err
	}
	r.code, r.body = resp.StatusCode, string(b)
	r.contentType, r.location = resp.Header.Get("Content-Type"), resp.Header.Get("Location")
	for _, ck := range resp.Cookies() {
		if ck.Name == "session" {
			r.setCookie = ck.Value
			r.sessionSets++
		}
	}
	return r, nil
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

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfToken returns the CSRF token of the form on r's page, or "".
func csrfToken(r response) string {
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	return ""
}

// loginRedirect is where loginRequired sends a visitor who is not logged in
// from path.
func loginRedirect(path string) string {
	return "/login?next=" + url.QueryEscape(path)
}
