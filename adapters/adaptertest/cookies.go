package adaptertest

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file holds the cases of the cookie's lifetime: a browser-session
// cookie by default, a persistent one with Options.MaxAge or RememberMe.

// wantLifetime checks that r's session cookie lasts maxAge from the
// suite's clock, with Max-Age and Expires both, or is a browser-session
// cookie, with neither, when maxAge is 0.
func wantLifetime(t *testing.T, e *env, r *response, maxAge time.Duration) {
	t.Helper()
	raw := r.header.Get("Set-Cookie")
	ck := r.setCookie()
	if ck == nil {
		t.Fatalf("no session cookie; want one lasting %v", maxAge)
	}
	wantExpires := e.clock.Now().Add(maxAge).UTC().Format(http.TimeFormat)
	switch {
	case maxAge == 0 && (ck.MaxAge != 0 || ck.RawExpires != ""):
		t.Fatalf("Set-Cookie %q; want a browser-session cookie, without Max-Age or Expires", raw)
	case maxAge > 0 && (ck.MaxAge != int(maxAge/time.Second) || ck.RawExpires != wantExpires):
		t.Fatalf("Set-Cookie %q; want Max-Age=%d and Expires=%s", raw, int(maxAge/time.Second), wantExpires)
	}
}

// testPersistentCookie sets Options.MaxAge: every cookie carries Max-Age
// and Expires, for clients that only read Expires.
func testPersistentCookie(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, func(o *core.Options) { o.MaxAge = time.Hour })
	c := e.client()
	r := c.post("/login", url.Values{"username": {"alice"}, "id": {"7"}})
	wantLifetime(t, e, r, time.Hour)
}

// testRememberMe makes one visitor's cookie persistent and back, and
// checks that the server still enforces the idle timeout.
func testRememberMe(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	r := c.post("/login", url.Values{"username": {"alice"}, "id": {"7"}})
	wantLifetime(t, e, r, 0)
	r = c.post("/remember", url.Values{"on": {"1"}})
	want(t, r, 200, "alice(7)")
	wantLifetime(t, e, r, core.DefaultAbsoluteTimeout) // until the absolute timeout
	e.clock.Advance(10 * time.Minute)
	r = c.post("/set", url.Values{"key": {"k"}, "value": {"v"}})
	wantLifetime(t, e, r, core.DefaultAbsoluteTimeout-10*time.Minute) // the expiry does not move
	other := e.client()
	other.post("/login", url.Values{"username": {"bob"}, "id": {"8"}})
	if ck := other.post("/set", url.Values{"key": {"k"}, "value": {"v"}}).setCookie(); ck != nil && ck.MaxAge != 0 {
		t.Fatalf("another visitor's cookie became persistent: %v", ck)
	}
	r = c.post("/remember", url.Values{"on": {"0"}})
	wantLifetime(t, e, r, 0)
	c.post("/remember", url.Values{"on": {"1"}})
	// A persistent cookie does not outlive the server's idle timeout.
	e.clock.Advance(core.DefaultIdleTimeout + time.Minute)
	want(t, c.get("/whoami"), 200, "anonymous")
}
