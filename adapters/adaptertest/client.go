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

// client is a browser: a cookie jar, and redirects left to the test. With
// a token header (core.Options.TokenHeader) it is an API client instead,
// with no cookie jar: it keeps the token the last response gave it, as an
// app does, and sends it in the header.
type client struct {
	t      testing.TB
	base   string
	http   *http.Client
	header string // the token header, canonical; "": the cookie

	mu    sync.Mutex
	token string // with a header: the token the client keeps
}

func newClient(t testing.TB, base string) *client { return newTransportClient(t, base, "") }

// newTransportClient returns a browser, or with header an API client.
func newTransportClient(t testing.TB, base, header string) *client {
	hc := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if header == "" {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		hc.Jar = jar
	}
	return &client{t: t, base: base, http: hc, header: header}
}

// response is what a test looks at.
type response struct {
	status int
	body   string
	header http.Header
	via    string // the token header the response was asked with; "": the cookie
}

// token returns what r gives the client for its session, and whether it
// gives anything: the session cookie's value, or the token header's ("" for
// one that clears or voids the client's).
func (r *response) token() (string, bool) {
	if r.via == "" {
		ck := r.setCookie()
		switch {
		case ck == nil:
			return "", false
		case ck.MaxAge < 0:
			return "", true
		}
		return ck.Value, true
	}
	v, ok := r.header[r.via]
	if !ok || len(v) == 0 {
		return "", false
	}
	if r.via == "Authorization" {
		return strings.TrimPrefix(v[0], "Bearer "), true
	}
	return v[0], true
}

// sendsToken reports whether r gives the client a token, or voids its own.
func (r *response) sendsToken() bool {
	_, ok := r.token()
	return ok
}

// raw returns the raw credential that carries token in c's transport: a
// Cookie header, or the token header's value.
func (c *client) raw(token string) string {
	switch c.header {
	case "":
		return cookieName + "=" + token
	case "Authorization":
		return "Bearer " + token
	}
	return token
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

// do sends a request; a non-empty raw replaces the credential the client
// keeps (see client.raw), which it leaves as it was.
func (c *client) do(method, path string, form url.Values, raw string) *response {
	c.t.Helper()
	r, err := c.try(method, path, form, raw)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// try is do for any goroutine: it returns its error rather than failing
// the test. With a token header, a response that sets a cookie is an
// error.
func (c *client) try(method, path string, form url.Values, raw string) (*response, error) {
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
	keep := raw == "" // the client keeps what the response gives it
	switch {
	case c.header != "":
		if tok := c.cookie(); keep && tok != "" {
			raw = c.raw(tok)
		}
		if raw != "" {
			req.Header.Set(c.header, raw)
		}
	case raw != "":
		req.Header.Set("Cookie", raw)
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
	r := &response{status: resp.StatusCode, body: string(b), header: resp.Header, via: c.header}
	if c.header != "" {
		if v := resp.Header.Values("Set-Cookie"); len(v) > 0 {
			return nil, fmt.Errorf("%s %s: a Manager with the token header %s sent Set-Cookie %q", method, path, c.header, v)
		}
		if tok, ok := r.token(); ok && keep {
			c.setCookie(tok)
		}
	}
	return r, nil
}

// cookie returns the session cookie's value in the jar, or "", or with a
// token header the token the client keeps.
func (c *client) cookie() string {
	if c.header != "" {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.token
	}
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == cookieName {
			return ck.Value
		}
	}
	return ""
}

// setCookie puts value in the jar as the session cookie, or with a token
// header keeps it as the token.
func (c *client) setCookie(value string) {
	if c.header != "" {
		c.mu.Lock()
		c.token = value
		c.mu.Unlock()
		return
	}
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
