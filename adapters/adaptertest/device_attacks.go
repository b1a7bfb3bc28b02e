package adaptertest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
)

// This file holds what an attacker tries against device-bound sessions:
// the cookies of a logged-in browser copied to another machine, and
// proofs that no browser holding the key would send. Each is refused, and
// the device that holds the key carries on, bound: none ends its session
// (with the default DeviceBinding.Unbound), none reaches the
// ErrorHandler.

// boundCookie is the suite's bound cookie name: the default.
const boundCookie = cookieName + "-bound"

// thief sends requests with the cookies it copied, and nothing else.
type thief struct {
	t       *testing.T
	base    string
	cookies string
}

// steal copies b's cookies for base, as malware that reads a browser's
// cookie store does.
func steal(t *testing.T, b *dbsctest.Browser, base string) *thief {
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range b.Client.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return &thief{t: t, base: base, cookies: strings.Join(parts, "; ")}
}

// do sends a request with the thief's cookies and headers, and returns the
// status, the body and the response's headers.
func (th *thief) do(method, path string, header map[string]string) (int, string, http.Header) {
	th.t.Helper()
	c := newClient(th.t, th.base)
	req, err := http.NewRequest(method, th.base+path, nil)
	if err != nil {
		th.t.Fatal(err)
	}
	req.Header.Set("Cookie", th.cookies)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		th.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		th.t.Fatal(err)
	}
	return res.StatusCode, string(body), res.Header
}

// refresh sends a refresh with proof, as the thief, and checks the status
// and that it got no bound cookie.
func (th *thief) refresh(s dbsctest.Session, proof string, status int) http.Header {
	th.t.Helper()
	h := map[string]string{dbsctest.HeaderSessionID: s.ID}
	if proof != "" {
		h[dbsctest.HeaderResponse] = proof
	}
	got, body, header := th.do("POST", s.RefreshURL.Path, h)
	if got != status {
		th.t.Fatalf("refresh = %d %q; want %d", got, body, status)
	}
	for _, c := range (&http.Response{Header: header}).Cookies() {
		if c.Name == boundCookie {
			th.t.Fatalf("a refresh the server refused set the bound cookie: %v", c)
		}
	}
	return header
}

// testStolenCookies copies the cookies of a bound browser to another
// client. They work until the bound cookie expires, and then never again,
// whatever the thief replays; the browser carries on, bound.
func testStolenCookies(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	th := steal(t, b, e.url)
	if status, body, _ := th.do("GET", "/home", nil); status != 200 || body != "alice bound" {
		t.Fatalf("the copied cookies before the bound cookie expires: %d %q; want the session (the window DBSC leaves)", status, body)
	}
	e.clock.Advance(lifetime + 11*time.Second) // past the expiry and its grace
	for range 3 {
		if status, body, header := th.do("GET", "/home", nil); status != 200 || body != "anonymous" || header.Get("Set-Cookie") != "" {
			t.Fatalf("the copied cookies after the bound cookie expired: %d %q, Set-Cookie %q; want anonymous, and no cookie touched",
				status, body, header.Get("Set-Cookie"))
		}
	}
	// The session cookie alone, without the key, gets no new bound cookie.
	s := b.Sessions()[0]
	th.refresh(s, "", http.StatusForbidden)
	// The browser refreshes and is still alice, bound; the thief's old
	// bound cookie is still worthless beside the browser's new one.
	e.wantHome(b, "alice bound")
	if status, body, _ := th.do("GET", "/home", nil); body != "anonymous" {
		t.Fatalf("the copied cookies after the browser refreshed: %d %q; want anonymous", status, body)
	}
	e.noErrors()
}

// testForgedProofs refreshes, with the stolen cookies and a fresh
// challenge of the session, proofs that no browser holding the key sends:
// unsigned, signed with HMAC keyed by the public key, signed for another
// endpoint, signed with another key. Each is refused.
func testForgedProofs(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	s := b.Sessions()[0]
	th := steal(t, b, e.url)
	e.clock.Advance(lifetime + 11*time.Second)
	challenge := func() string {
		h := th.refresh(s, "", http.StatusForbidden)
		c, _, _ := strings.Cut(strings.TrimPrefix(h.Get(dbsctest.HeaderChallenge), `"`), `"`)
		return c
	}
	other, err := dbsctest.NewKey("ES256")
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := json.Marshal(dbsctest.JWK(s.Key))
	for _, tt := range []struct {
		name   string
		proof  func(c string) string
		status int
	}{
		{"alg none", func(c string) string {
			return b64json(map[string]any{"alg": "none", "typ": "dbsc+jwt"}) + "." + b64json(map[string]any{"jti": c}) + "."
		}, http.StatusBadRequest},
		{"HS256 keyed with the public key", func(c string) string {
			input := b64json(map[string]any{"alg": "HS256", "typ": "dbsc+jwt"}) + "." + b64json(map[string]any{"jti": c})
			mac := hmac.New(sha256.New, jwk)
			mac.Write([]byte(input))
			return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
		}, http.StatusBadRequest},
		{"wrong audience", func(c string) string {
			p, err := dbsctest.Proof(s.Key, c, false, func(_, claims map[string]any) {
				claims["aud"] = "https://attacker.example" + s.RefreshURL.Path
			})
			must(err)
			return p
		}, http.StatusUnauthorized},
		{"another key", func(c string) string {
			p, err := dbsctest.Proof(other, c, false, nil)
			must(err)
			return p
		}, http.StatusUnauthorized},
		{"another key, claiming its jwk", func(c string) string {
			p, err := dbsctest.Proof(other, c, true, nil)
			must(err)
			return p
		}, http.StatusUnauthorized},
		{"typ missing", func(c string) string {
			p, err := dbsctest.Proof(s.Key, c, false, func(h, _ map[string]any) { delete(h, "typ") })
			must(err)
			return p
		}, http.StatusBadRequest},
	} {
		th.refresh(s, tt.proof(challenge()), tt.status)
		if status, body, _ := th.do("GET", "/home", nil); body != "anonymous" {
			t.Fatalf("%s: then the copied cookies get %d %q; want anonymous", tt.name, status, body)
		}
	}
	e.wantHome(b, "alice bound")
	e.noErrors()
}

// testReplayedChallenges replays proofs of the browser's own key: one of a
// challenge the browser already used, and one of a challenge gone stale.
// Each is refused with a new challenge, which the thief cannot sign.
func testReplayedChallenges(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	s := b.Sessions()[0]
	// A proof of the challenge the browser will use next, captured on
	// the way (a proxy's log, say).
	captured, err := dbsctest.Proof(s.Key, s.Challenge, false, nil)
	must(err)
	th := steal(t, b, e.url)
	e.clock.Advance(lifetime + 11*time.Second)
	e.wantHome(b, "alice bound") // the browser uses it
	th.refresh(s, captured, http.StatusForbidden)
	th.refresh(s, captured, http.StatusForbidden)

	// A challenge issued and never used, replayed after it went stale.
	s = b.Sessions()[0]
	unused, err := dbsctest.Proof(s.Key, s.Challenge, false, nil)
	must(err)
	e.clock.Advance(lifetime + 2*time.Minute) // past the challenge's lifetime, within the session's
	th.refresh(s, unused, http.StatusForbidden)
	e.wantHome(b, "alice bound") // the browser's own is stale too: it signs a new one
	e.noErrors()
}
