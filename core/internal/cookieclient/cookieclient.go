// Package cookieclient is the HTTP client of the server-side stores' tests
// that run several app servers on one store: it sends each request with
// the session cookie the test passes, rather than a cookie jar's, so that
// a test can carry a cookie from one app server to another or replay an
// old one.
package cookieclient

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// A Client sends requests for one test.
type Client struct {
	t testing.TB
	c *http.Client
}

// New returns a Client whose connections are closed when t ends.
func New(t testing.TB) *Client {
	c := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return &Client{t: t, c: c}
}

// A Response is what a request returned.
type Response struct {
	Status  int
	Body    string // without surrounding white space
	Cookie  string // the session cookie's new value; "" if the response set none (see Deleted)
	Deleted bool   // the response expired the session cookie
}

// Do sends method to url with the session cookie (core.DefaultCookieName)
// set to cookie, none if cookie is "", and fails the test if the request
// cannot be sent.
func (c *Client) Do(method, url, cookie string) Response {
	c.t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: core.DefaultCookieName, Value: cookie})
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s = %v", method, url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := Response{Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	for _, k := range resp.Cookies() {
		if k.Name == core.DefaultCookieName {
			r.Cookie, r.Deleted = k.Value, k.MaxAge < 0
		}
	}
	return r
}

// Want fails t unless r has status 200 and body.
func (r Response) Want(t testing.TB, what, body string) {
	t.Helper()
	if r.Status != http.StatusOK || r.Body != body {
		t.Fatalf("%s = %d %q; want 200 %q", what, r.Status, r.Body, body)
	}
}
