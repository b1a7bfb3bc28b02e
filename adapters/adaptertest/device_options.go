package adaptertest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
)

// testDeviceOffer chooses whom to offer binding (DeviceBinding.Offer), and
// turns binding on for a session that logged in before it was on: its
// requests are not offered binding (one may come from a copy of the
// cookie), its next login is.
func testDeviceOffer(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, func(b *core.DeviceBinding) {
		b.Offer = func(_ context.Context, owner string) bool { return !strings.HasSuffix(owner, ":bob") }
	})
	c := newClient(t, e.url)
	if r := c.post("/login", url.Values{"username": {"bob"}}); r.header.Get(dbsctest.HeaderRegistration) != "" {
		t.Fatalf("bob's login offered binding, which Offer refuses: %q", r.header.Get(dbsctest.HeaderRegistration))
	}
	e.loginBound(e.browser(), "alice")

	// A server without binding, over the same store (cookies on
	// 127.0.0.1 go to every port), and the browser logs in there.
	before, _ := testkit.NewManager(t, store, func(o *core.Options) { o.Clock = e.clock.Now })
	old := serve(t, d, []*core.Manager{before}, deviceRoutes(before, e.prefix))
	b := e.browser()
	if status, _ := fetch(t, b, "POST", old+"/login", url.Values{"username": {"carol"}}); status != http.StatusSeeOther || len(b.Sessions()) != 0 {
		t.Fatalf("POST /login without binding = %d, %d DBSC sessions; want 303 and none", status, len(b.Sessions()))
	}
	// Binding is now on: requests are not offered it, a login is.
	for range 2 {
		e.wantHome(b, "carol unbound")
	}
	if len(b.Sessions()) != 0 {
		t.Fatalf("requests of a session logged in before binding registered %d sessions; want 0", len(b.Sessions()))
	}
	e.loginBound(b, "carol")
	e.noErrors()
}

// testDeviceUnbound checks what each DeviceBinding.Unbound makes of the
// stolen cookies of a bound session, once its bound cookie expired.
func testDeviceUnbound(t *testing.T, d Driver, store core.Store) {
	t.Run("Allow", func(t *testing.T) {
		e := newDeviceEnv(t, d, store, func(b *core.DeviceBinding) { b.Unbound = core.UnboundAllow })
		b := e.browser()
		e.loginBound(b, "alice")
		th := steal(t, b, e.url)
		e.clock.Advance(lifetime + 11*time.Second)
		if status, body, _ := th.do("GET", "/home", nil); status != 200 || body != "alice unbound" {
			t.Fatalf("UnboundAllow: the copied cookies = %d %q; want the session, not device-bound", status, body)
		}
		e.wantHome(b, "alice bound")
		e.noErrors()
	})
	t.Run("End", func(t *testing.T) {
		e := newDeviceEnv(t, d, store, func(b *core.DeviceBinding) { b.Unbound = core.UnboundEnd })
		b := e.browser()
		e.loginBound(b, "alice")
		th := steal(t, b, e.url)
		e.clock.Advance(lifetime + 11*time.Second)
		status, body, header := th.do("GET", "/home", nil)
		if status != 200 || body != "anonymous" || header.Get("Set-Cookie") == "" {
			t.Fatalf("UnboundEnd: the copied cookies = %d %q, Set-Cookie %q; want anonymous, the cookie cleared", status, body, header.Get("Set-Cookie"))
		}
		// The session is over for the browser too. (Its refresh is told
		// to try later while the store remembers the ended record, as it
		// would be after a renewal, and that the session is over after.)
		e.wantHome(b, "anonymous")
		e.noErrors()
	})
	t.Run("EndOnAnotherKey", func(t *testing.T) {
		e := newDeviceEnv(t, d, store, func(b *core.DeviceBinding) { b.Unbound = core.UnboundEnd })
		b := e.browser()
		e.loginBound(b, "alice")
		s := b.Sessions()[0]
		other, err := dbsctest.NewKey("ES256")
		must(err)
		proof, err := dbsctest.Proof(other, s.Challenge, false, nil)
		must(err)
		steal(t, b, e.url).refresh(s, proof, http.StatusUnauthorized)
		e.clock.Advance(lifetime + time.Second)
		e.wantHome(b, "anonymous")
		e.noErrors()
	})
}

// testDeviceRenew renews a bound session: the binding moves with it, and
// the bound cookie stays valid.
func testDeviceRenew(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	if status, body := fetch(t, b, "POST", e.url+"/renew", nil); status != 200 || body != "alice bound" {
		t.Fatalf("POST /renew = %d %q; want 200 %q", status, body, "alice bound")
	}
	e.wantHome(b, "alice bound")
	e.clock.Advance(lifetime + time.Second)
	e.wantHome(b, "alice bound")
	e.noErrors()
}

// testDeviceLogout ends a bound session: the browser's next refresh is
// told the session is over, and it forgets it.
func testDeviceLogout(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	fetch(t, b, "POST", e.url+"/logout", nil)
	e.clock.Advance(lifetime + time.Second)
	e.wantHome(b, "anonymous")
	if n := len(b.Sessions()); n != 0 {
		t.Fatalf("after logout the browser holds %d DBSC sessions; want 0", n)
	}
	// Logging in again binds a new session.
	e.loginBound(b, "alice")
	e.noErrors()
}
