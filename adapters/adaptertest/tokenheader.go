package adaptertest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file holds the cases of a Manager that carries its token in a
// header (core.Options.TokenHeader), for API clients: RunStore runs the
// life cycle and concurrency cases again with one, whose clients keep no
// cookies, and the cases below, which only such a Manager has.

// headerDriver is a Driver whose cases' Managers carry the token in the
// header name.
type headerDriver struct {
	Driver
	name string
}

func (d headerDriver) options(o *core.Options) {
	if inner, ok := d.Driver.(optioned); ok {
		inner.options(o)
	}
	o.TokenHeader, o.Insecure = d.name, false
}

// headerChanges are the changes the pairs of ConcurrentChanges take with a
// token header: what sends a token (renew, invalidate, a logout that
// flashes) against what does not (set, pop). The merging itself does not
// depend on the transport, and the cookie's run takes every pair.
var headerChanges = []change{"set", "pop", "renew", "invalidate", "logout"}

// runTokenHeader runs, for d with sessions in store (a server-side store),
// the cases of the life cycle, the attacks and the concurrency with the
// token in the Authorization header, then the cases of a token header.
// Every response to a client of these cases is checked for a Set-Cookie,
// which fails the case.
//
// It is a subset of RunStore's cases, chosen to keep the suite's time in
// CI: those that concern the token's transport (issued, renewed, voided,
// sent by racing requests, forged) run, those of the session's contents
// (flash queues, values, errors, panics), which do not depend on it, do
// not; ConcurrentChanges takes the pairs of headerChanges.
func runTokenHeader(t *testing.T, d Driver, store core.Store) {
	bearer := headerDriver{d, "Authorization"}
	tests := []struct {
		name string
		fn   func(*testing.T, Driver, core.Store)
	}{
		{"FlashAfterRedirectShownOnce", testFlashOnce},
		{"UntouchedWritesNothing", testUntouched},
		{"NewVisitorGetsNoToken", testNewVisitor},
		{"UnchangedSessionWritesNothing", testUnchanged},
		{"Renew", testRenew},
		{"InvalidateThenFlash", testInvalidate},
		{"FixationBeforeLogin", testFixation},
		{"ReplayAfterLogout", testReplay},
		{"UnknownIDFlood", testFlood},
		{"LogoutRacesSlowRequest", testLogoutRace},
		{"ChangeAfterResponseStarted", testLate},
		{"LateLogoutThenFlash", testLateLogout},
		{"IdleTimeout", testIdle},
		{"AbsoluteTimeout", testAbsolute},
		{"ReissueThrottling", testReissue},
		{"ConcurrentClients", testConcurrent},
		{"ConcurrentChanges", testConcurrentChanges},
		{"StaleRequest", testStaleRequest},
		{"Randomized", testRandomized},
		{"UserSessions", testUserSessions},
		{"EndWhileRunning", testEndWhileRunning},
		{"StoreDown", testStoreDown},
		{"TokenResponse", testTokenResponse},
		{"HostileHeaders", testHostileHeaders},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, bearer, store) })
	}
	t.Run("CrossSiteFormPost", func(t *testing.T) { testCrossSiteForm(t, d, store) })
	t.Run("TransportsApart", func(t *testing.T) { testTransportsApart(t, d, store) })
}

// runNamedHeader runs a few cases with the bare token in a header of the
// application's: what differs from Authorization is how the header is
// read and written, not the store, so Run runs them with a memory store
// only.
func runNamedHeader(t *testing.T, d Driver, store core.Store) {
	named := headerDriver{d, "X-Session-Token"}
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, Driver, core.Store)
	}{
		{"FlashAfterRedirectShownOnce", testFlashOnce},
		{"NewVisitorGetsNoToken", testNewVisitor},
		{"Renew", testRenew},
		{"InvalidateThenFlash", testInvalidate},
		{"TokenResponse", testTokenResponse},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, named, store) })
	}
}

// send sends a request to e with exactly the headers h (and the form's
// Content-Type), as an attacker or a broken client does, and returns the
// response; a Set-Cookie in it fails t when e's Manager has a token header.
func (e *env) send(t *testing.T, method, path string, form url.Values, h http.Header) *response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Header.Values("Set-Cookie"); e.header != "" && len(v) > 0 {
		t.Fatalf("%s %s: a Manager with the token header %s sent Set-Cookie %q", method, path, e.header, v)
	}
	return &response{status: res.StatusCode, body: string(b), header: res.Header, via: e.header}
}

// testTokenResponse checks the headers of the responses that give and void
// a token: the token header, Cache-Control: no-store so that no cache
// keeps it, Vary naming the header, and no Set-Cookie; and that the
// client forgets a token an empty header voids.
func testTokenResponse(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	r := c.post("/login", url.Values{"username": {"alice"}, "id": {"7"}})
	tok, _ := r.token()
	raw := r.header.Values(e.header)
	switch {
	case r.status != http.StatusSeeOther || !core.ValidID(tok) || len(raw) != 1 || raw[0] != c.raw(tok):
		t.Fatalf("POST /login = %d, %s %q; want 303 and one header with a session ID", r.status, e.header, raw)
	case !strings.Contains(strings.Join(r.header.Values("Cache-Control"), ","), "no-store"):
		t.Fatalf("a response with a token has Cache-Control %q; want no-store", r.header.Values("Cache-Control"))
	case !strings.Contains(strings.Join(r.header.Values("Vary"), ","), e.header):
		t.Fatalf("Vary = %q; want %s", r.header.Values("Vary"), e.header)
	}
	want(t, c.get("/dashboard"), 200, "alice(7) Welcome back, alice!")

	// A logout that leaves nothing in the session voids the token.
	r = c.post("/ops", url.Values{"ops": {"invalidate"}})
	if v, ok := r.header[e.header]; r.status != 200 || !ok || len(v) != 1 || v[0] != "" || c.cookie() != "" {
		t.Fatalf("a logout = %d with %s %q; want 200 and one empty header, the client's token gone", r.status, e.header, v)
	}
	want(t, e.whoami(tok), 200, "anonymous")

	// So does a token the server does not know, once the session is used.
	r = e.send(t, "GET", "/whoami", nil, http.Header{e.header: {c.raw(core.NewID())}})
	if v, ok := r.header[e.header]; r.body != "anonymous" || !ok || len(v) != 1 || v[0] != "" {
		t.Fatalf("an unknown token = %q with %s %q; want anonymous and one empty header", r.body, e.header, v)
	}
}

// issueToken returns a valid token for mallory's session, issued by a
// Manager with the token header name on store, on a clock d from the
// suite's.
func issueToken(t *testing.T, store core.Store, name string, d time.Duration) string {
	t.Helper()
	h := commitMallory(t, store, &core.Options{TokenHeader: name, Clock: func() time.Time { return newClock().Now().Add(d) }})
	return strings.TrimPrefix(h.Get(name), "Bearer ")
}

// testHostileHeaders sends the Authorization headers a client made up or mangled:
// each gives a fresh anonymous session, never a 5xx, never an error, and
// is never adopted: a write gives a new token.
func testHostileHeaders(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	valid := issueToken(t, store, e.header, 0)
	if r := e.whoami(valid); r.body != "mallory(666)" {
		t.Fatalf("the valid token the cases derive from reads as %q", r.body)
	}
	if r := e.send(t, "GET", "/whoami", nil, http.Header{e.header: {"bearer " + valid}}); r.body != "mallory(666)" {
		t.Fatalf("the valid token with the scheme in lower case reads as %q; want mallory (RFC 9110: schemes ignore case)", r.body)
	}
	flipped := []byte(valid)
	if i := len(flipped) / 2; flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	cookieID := issue(t, store, offsetClock(0)) // a cookie Manager's session of the same store
	cases := []struct {
		name  string
		lines []string
	}{
		{"garbage", []string{"Bearer garbage"}},
		{"tampered", []string{"Bearer " + string(flipped)}},
		{"truncated", []string{"Bearer " + valid[:len(valid)/2]}},
		{"extended", []string{"Bearer " + valid + "AAAA"}},
		{"oversized", []string{"Bearer " + strings.Repeat("A", 9000)}},
		{"empty", []string{""}},
		{"scheme only", []string{"Bearer"}},
		{"wrong scheme", []string{"Basic " + valid}},
		{"no scheme", []string{valid}},
		{"quoted", []string{`Bearer "` + valid + `"`}},
		{"non-ASCII", []string{"Bearer " + valid[:10] + "é" + valid[10:]}},
		{"two in one line", []string{"Bearer " + valid + ", Bearer " + valid}},
		{"several headers", []string{"Bearer " + valid, "Bearer " + valid}},
		{"several schemes", []string{"Basic YWxpY2U6d29uZGVybGFuZA==", "Bearer " + valid}},
		{"issued in the future", []string{"Bearer " + issueToken(t, store, e.header, 2*time.Hour)}},
		{"expired (idle)", []string{"Bearer " + issueToken(t, store, e.header, -core.DefaultIdleTimeout-time.Minute)}},
		{"expired (absolute)", []string{"Bearer " + issueToken(t, store, e.header, -core.DefaultAbsoluteTimeout-time.Hour)}},
		{"unknown ID", []string{"Bearer " + core.NewID()}},
		{"another store's ID", []string{"Bearer " + foreignStoreID(t)}},
		{"a cookie session's ID", []string{"Bearer " + cookieID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{e.header: tc.lines}
			want(t, e.send(t, "GET", "/whoami", nil, h), 200, "anonymous")
			r := e.send(t, "POST", "/set", url.Values{"key": {"k"}, "value": {"v"}}, h)
			want(t, r, 200, "set")
			if tok, _ := r.token(); !core.ValidID(tok) || strings.Contains(strings.Join(tc.lines, " "), tok) {
				t.Fatalf("after writing to a session with a %s token: %s %q; want a new token", tc.name, e.header, r.header.Values(e.header))
			}
		})
	}
	t.Run("in the URL", func(t *testing.T) {
		want(t, e.client().get("/whoami?"+url.Values{"access_token": {valid}, cookieName: {valid}}.Encode()), 200, "anonymous")
	})
	t.Run("in a cookie", func(t *testing.T) {
		want(t, e.send(t, "GET", "/whoami", nil, http.Header{"Cookie": {cookieName + "=" + valid}}), 200, "anonymous")
	})
	if errs := e.errs.All(); len(errs) > 0 {
		t.Fatalf("hostile token headers reached the ErrorHandler: %v", errs)
	}
}

// testCrossSiteForm serves one store to a site with the session cookie and
// an API with the token in Authorization, as an application does that has
// both, and forges the form posts another site can make its visitor's
// browser send to the API: they carry the browser's cookies (the site's
// session; the API's token, had an app put it in a cookie) but never the
// Authorization header, which only the page's own script can add. None
// acts on the API session: each is anonymous, and the session is left as
// it was.
func testCrossSiteForm(t *testing.T, d Driver, store core.Store) {
	api := newEnv(t, headerDriver{d, "Authorization"}, store, nil)
	site := newEnv(t, d, store, nil)
	app := api.client()
	login(t, app, "alice", 7)
	tok := app.cookie()
	want(t, app.post("/set", url.Values{"key": {"k"}, "value": {"v"}}), 200, "set")
	browser := site.client()
	cookie := login(t, browser, "alice", 7)

	for _, jar := range []string{cookieName + "=" + cookie, cookieName + "=" + tok} {
		for _, forged := range []struct {
			path string
			form url.Values
		}{
			{"/set", url.Values{"key": {"k"}, "value": {"forged"}}},
			{"/logout", url.Values{}},
			{"/ops", url.Values{"ops": {"invalidate"}}},
			{"/renew", url.Values{}},
		} {
			r := api.send(t, "POST", forged.path, forged.form, http.Header{
				"Cookie":  {jar},
				"Origin":  {"https://evil.example"},
				"Referer": {"https://evil.example/form"},
			})
			if r.status >= 500 || strings.Contains(r.body, "alice") {
				t.Fatalf("a cross-site POST %s with the cookie %.20q = %d %q; want an anonymous session", forged.path, jar, r.status, r.body)
			}
		}
	}
	want(t, app.get("/whoami"), 200, "alice(7)")
	want(t, app.get("/get?key=k"), 200, "v")
	want(t, browser.get("/whoami"), 200, "alice(7)")
}

// testTransportsApart runs a Manager with the cookie and one with the
// header over one store: neither reads the other's transport, even with a
// token the other issued, so a cookie never authenticates the API and a
// header never authenticates the site.
func testTransportsApart(t *testing.T, d Driver, store core.Store) {
	api := newEnv(t, headerDriver{d, "Authorization"}, store, nil)
	site := newEnv(t, d, store, nil)
	app := api.client()
	login(t, app, "alice", 7)
	tok := app.cookie()
	cookie := login(t, site.client(), "bob", 8)
	for _, tc := range []struct {
		name string
		e    *env
		h    http.Header
	}{
		{"the API's token, as the API's cookie", api, http.Header{"Cookie": {cookieName + "=" + tok}}},
		{"the site's cookie, to the API", api, http.Header{"Cookie": {cookieName + "=" + cookie}}},
		{"the site's session ID, in the API's header", api, http.Header{"Authorization": {"Bearer " + cookie}}},
		{"the API's token, in a header to the site", site, http.Header{"Authorization": {"Bearer " + tok}}},
		{"the API's token, as the site's cookie", site, http.Header{"Cookie": {cookieName + "=" + tok}}},
		{"the site's session ID, in a header to the site", site, http.Header{"Authorization": {"Bearer " + cookie}}},
	} {
		r := tc.e.send(t, "GET", "/whoami", nil, tc.h)
		if r.status != 200 || r.body != "anonymous" {
			t.Errorf("%s: GET /whoami = %d %q; want 200 anonymous", tc.name, r.status, r.body)
		}
		if tc.e == site && (r.header.Get("Authorization") != "" || strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Authorization")) {
			t.Errorf("%s: the site's answer has headers %q; want nothing of the Authorization header", tc.name, r.header)
		}
	}
	want(t, app.get("/whoami"), 200, "alice(7)")
	want(t, site.whoami(cookie), 200, "bob(8)")
	if errs := append(api.errs.All(), site.errs.All()...); len(errs) > 0 {
		t.Fatalf("ErrorHandler got %v; want nothing", errs)
	}
}
