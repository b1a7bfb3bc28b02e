package adaptertest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
)

// This file holds registrations replayed where they do not belong, and
// garbage where a proof goes.

// testRegistrationAttacks replays registrations: a browser's proof posted
// with another session's cookie, a second registration of a bound
// session, and one of a session that was never offered binding.
func testRegistrationAttacks(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	path := core.DefaultRegistrationPath
	// Mallory logs in with a client that does not register, and keeps
	// her session's offer; alice's browser registers.
	mallory := newClient(t, e.url)
	offer := mallory.post("/login", url.Values{"username": {"mallory"}}).header.Get(dbsctest.HeaderRegistration)
	_, rest, _ := strings.Cut(offer, `challenge="`)
	malloryChallenge, _, _ := strings.Cut(rest, `"`)
	b := e.browser()
	e.loginBound(b, "alice")
	alice := steal(t, b, e.url)

	key, err := dbsctest.NewKey("ES256")
	must(err)
	proof, err := dbsctest.Proof(key, malloryChallenge, true, nil)
	must(err)
	// Mallory's valid proof, onto alice's (bound) session.
	if status, body, _ := alice.do("POST", path, map[string]string{dbsctest.HeaderResponse: proof}); status != http.StatusForbidden {
		t.Fatalf("a registration onto a bound session = %d %q; want 403", status, body)
	}
	// Carol's challenge, onto mallory's session, offered and not bound.
	carol := newClient(t, e.url)
	carolOffer := carol.post("/login", url.Values{"username": {"carol"}}).header.Get(dbsctest.HeaderRegistration)
	_, rest, _ = strings.Cut(carolOffer, `challenge="`)
	carolChallenge, _, _ := strings.Cut(rest, `"`)
	onto := &thief{t: t, base: e.url, cookies: cookieName + "=" + mallory.cookie()}
	proof, err = dbsctest.Proof(key, carolChallenge, true, nil)
	must(err)
	if status, body, _ := onto.do("POST", path, map[string]string{dbsctest.HeaderResponse: proof}); status != http.StatusForbidden {
		t.Fatalf("carol's registration replayed onto mallory's session = %d %q; want 403", status, body)
	}
	// No session, no registration.
	if status, _, _ := (&thief{t: t, base: e.url}).do("POST", path, map[string]string{dbsctest.HeaderResponse: proof}); status != http.StatusForbidden {
		t.Fatalf("a registration without a session = %d; want 403", status)
	}
	// Mallory's own proof registers her own session, once.
	proof, err = dbsctest.Proof(key, malloryChallenge, true, nil)
	must(err)
	mine := &thief{t: t, base: e.url, cookies: cookieName + "=" + mallory.cookie()}
	if status, body, _ := mine.do("POST", path, map[string]string{dbsctest.HeaderResponse: proof}); status != http.StatusOK {
		t.Fatalf("mallory's own registration = %d %q; want 200", status, body)
	}
	if status, _, _ := mine.do("POST", path, map[string]string{dbsctest.HeaderResponse: proof}); status != http.StatusForbidden {
		t.Fatalf("the same registration again = %d; want 403", status)
	}
	e.wantHome(b, "alice bound")
	e.noErrors()
}

// testHostileProofs sends garbage where a proof goes: each is a 4xx,
// never a 5xx, and the browser carries on.
func testHostileProofs(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	s := b.Sessions()[0]
	th := steal(t, b, e.url)
	for _, proof := range []string{
		strings.Repeat("a", core.MaxProofSize+1),
		strings.Repeat("eyJhbGciOiJFUzI1NiJ9.", 300),
		"a.b.c", "...", "\"", "eyJ9.eyJ9.AA", "%00",
		b64json(map[string]any{"alg": "ES256", "typ": "dbsc+jwt", "crit": []string{"x"}}) + "." + b64json(map[string]any{"jti": "x"}) + ".AAAA",
	} {
		status, body, _ := th.do("POST", s.RefreshURL.Path, map[string]string{dbsctest.HeaderSessionID: s.ID, dbsctest.HeaderResponse: proof})
		if status < 400 || status >= 500 {
			t.Fatalf("refresh with proof %.40q = %d %q; want a 4xx", proof, status, body)
		}
		status, body, _ = th.do("POST", core.DefaultRegistrationPath, map[string]string{dbsctest.HeaderResponse: proof})
		if status < 400 || status >= 500 {
			t.Fatalf("registration with proof %.40q = %d %q; want a 4xx", proof, status, body)
		}
	}
	for _, method := range []string{"GET", "PUT"} {
		if status, _, header := th.do(method, s.RefreshURL.Path, nil); status != http.StatusMethodNotAllowed || header.Get("Allow") != "POST" {
			t.Fatalf("%s of the refresh endpoint = %d, Allow %q; want 405 and POST", method, status, header.Get("Allow"))
		}
	}
	e.clock.Advance(lifetime + time.Second)
	e.wantHome(b, "alice bound")
	e.noErrors()
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}
