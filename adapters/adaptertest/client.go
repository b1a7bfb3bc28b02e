package adaptertest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// cookieName is the session cookie's name in every suite Manager.
const cookieName = "session"

// client is a browser: a cookie jar, and redirects left to the test.
type client struct {
	t    testing.TB
	base string
	http *http.Client
}

func newClient(t testing.TB, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, http: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a test looks at.
type response struct {
	status int
	body   string
	header http.Header
}

// setCookie returns the Set-Cookie of the session cookie, or nil.
func (r *response) setCookie() *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == cookieName {
			return c
		}
	}
	return nil
}

func (c *client) get(path string) *response { return c.do(http.MethodGet, path, nil, "") }

func (c *client) post(path string, form url.Values) *response {
	return c.do(http.MethodPost, path, form, "")
}

// do sends a request; a non-empty rawCookie replaces the jar's cookies.
func (c *client) do(method, path string, form url.Values, rawCookie string) *response {
	c.t.Helper()
	r, err := c.try(method, path, form, rawCookie)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// try is do for any goroutine: it returns its error rather than failing
// the test.
func (c *client) try(method, path string, form url.Values, rawCookie string) (*response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	hc := c.http
	if rawCookie != "" {
		req.Header.Set("Cookie", rawCookie)
		hc = &http.Client{Timeout: hc.Timeout, CheckRedirect: hc.CheckRedirect}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return &response{status: resp.StatusCode, body: string(b), header: resp.Header}, nil
}

// cookie returns the session cookie's value in the jar, or "".
func (c *client) cookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == cookieName {
			return ck.Value
		}
	}
	return ""
}

// setCookie puts value in the jar as the session cookie.
func (c *client) setCookie(value string) {
	u, _ := url.Parse(c.base)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: value, Path: "/"}})
}

// clock is a settable clock for Options.Clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
