package adaptertest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
)

// This file holds the cases of device-bound sessions (DBSC,
// core.DeviceBinding), driven by a client that behaves as the draft's
// browser (package dbsctest): registration at login, refreshes of the
// bound cookie as the clock moves, the sessions of a browser without DBSC,
// and the end of a bound session. device_attacks.go holds what an
// attacker tries, device_pressure.go two app servers and concurrent tabs.

// lifetime is the bound cookie's lifetime in the suite: the default.
const lifetime = core.DefaultBoundLifetime

// deviceRoutes are the pages of the DBSC cases. Owners are the user names
// with prefix before them, so that the cases that share a store do not
// list each other's sessions.
func deviceRoutes(m *core.Manager, prefix string) []Route {
	return []Route{
		{"POST", "/login", func(c Ctx) {
			if s := session(c); s != nil {
				if err := s.SetOwner(prefix+c.FormValue("username"), core.Device{UserAgent: "dbsctest"}); err != nil {
					c.Text(http.StatusBadRequest, err.Error())
					return
				}
				c.Redirect(http.StatusSeeOther, "/home")
			}
		}},
		{"GET", "/home", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, describeBound(s, prefix))
			}
		}},
		{"POST", "/renew", func(c Ctx) {
			if s := session(c); s != nil {
				s.Renew()
				c.Text(http.StatusOK, describeBound(s, prefix))
			}
		}},
		{"POST", "/logout", func(c Ctx) {
			if s := session(c); s != nil {
				s.Invalidate()
				c.Redirect(http.StatusSeeOther, "/home")
			}
		}},
		{"GET", "/sessions", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			infos, err := m.Sessions(c.Context(), s.Owner())
			if err != nil {
				c.Fail(err)
				return
			}
			var b strings.Builder
			for _, info := range infos {
				fmt.Fprintf(&b, "bound=%v current=%v\n", info.DeviceBound, info.Current)
			}
			c.Text(http.StatusOK, b.String())
		}},
	}
}

// describeBound is what /home shows of a session: "anonymous", or its
// user and whether the request was device-bound.
func describeBound(s *core.Session, prefix string) string {
	user, ok := strings.CutPrefix(s.Owner(), prefix)
	switch {
	case s.Owner() == "" || !ok:
		return "anonymous"
	case s.DeviceBound():
		return user + " bound"
	}
	return user + " unbound"
}

// deviceEnv is a server with device binding on, and its clock.
type deviceEnv struct {
	t      *testing.T
	url    string
	clock  *clock
	errs   *testkit.ErrorLog
	m      *core.Manager
	prefix string // of the owners: see deviceRoutes
}

func newDeviceEnv(t *testing.T, d Driver, store core.Store, edit func(*core.DeviceBinding)) *deviceEnv {
	t.Helper()
	e := &deviceEnv{t: t, clock: newClock(), prefix: rand.Text()[:8] + ":"}
	binding := &core.DeviceBinding{}
	if edit != nil {
		edit(binding)
	}
	e.m, e.errs = testkit.NewManager(t, store, func(o *core.Options) {
		o.Clock, o.DeviceBinding = e.clock.Now, binding
		if od, ok := d.(observed); ok {
			o.Observer = od.obs
		}
	})
	e.url = serve(t, d, []*core.Manager{e.m}, deviceRoutes(e.m, e.prefix))
	return e
}

// browser returns a new browser with DBSC on the server's clock.
func (e *deviceEnv) browser() *dbsctest.Browser {
	b := dbsctest.New()
	b.Clock = e.clock.Now
	return b
}

// fetch sends a request with b and returns the status and the body.
func fetch(t testing.TB, b *dbsctest.Browser, method, url string, form url.Values) (int, string) {
	t.Helper()
	status, body, err := tryFetch(b, method, url, form)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

func tryFetch(b *dbsctest.Browser, method, url string, form url.Values) (int, string, error) {
	var res *http.Response
	var err error
	if method == http.MethodPost {
		res, err = b.PostForm(url, form)
	} else {
		res, err = b.Get(url)
	}
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}

// loginBound logs b in as name and checks that it registered a session.
func (e *deviceEnv) loginBound(b *dbsctest.Browser, name string) {
	e.t.Helper()
	if status, _ := fetch(e.t, b, "POST", e.url+"/login", url.Values{"username": {name}}); status != http.StatusSeeOther {
		e.t.Fatalf("POST /login = %d; want 303", status)
	}
	if n := len(b.Sessions()); n != 1 {
		e.t.Fatalf("after login the browser holds %d DBSC sessions; want 1 (stats %+v)", n, b.Stats())
	}
	e.wantHome(b, name+" bound")
}

// wantHome checks what /home shows b.
func (e *deviceEnv) wantHome(b *dbsctest.Browser, want string) {
	e.t.Helper()
	if status, body := fetch(e.t, b, "GET", e.url+"/home", nil); status != http.StatusOK || body != want {
		e.t.Fatalf("GET /home = %d %q; want 200 %q (stats %+v)", status, body, want, b.Stats())
	}
}

// noErrors checks that nothing reached the ErrorHandler: every attack is
// a 4xx or an anonymous request, never a failure of the server.
func (e *deviceEnv) noErrors() {
	e.t.Helper()
	if errs := e.errs.All(); len(errs) > 0 {
		e.t.Fatalf("the ErrorHandler got %v; want nothing", errs)
	}
}

// testDevice runs the cases of device-bound sessions. A cookie store
// refuses them.
func testDevice(t *testing.T, d Driver, store core.Store) {
	if isCookieStore(store) {
		_, err := core.NewManager(store, &core.Options{Insecure: true, DeviceBinding: &core.DeviceBinding{}})
		if !errors.Is(err, core.ErrConfig) {
			t.Fatalf("NewManager with a cookie store and DeviceBinding = %v; want an error matching ErrConfig", err)
		}
		return
	}
	cases := []struct {
		name string
		fn   func(*testing.T, Driver, core.Store)
	}{
		{"RegisterAndRefresh", testDeviceRefresh},
		{"RS256", testDeviceRS256},
		{"WithoutDBSC", testDeviceWithout},
		{"RenewKeepsBinding", testDeviceRenew},
		{"Logout", testDeviceLogout},
		{"Offer", testDeviceOffer},
		{"Unbound", testDeviceUnbound},
		{"StolenCookies", testStolenCookies},
		{"ForgedProofs", testForgedProofs},
		{"ReplayedChallenges", testReplayedChallenges},
		{"Registrations", testRegistrationAttacks},
		{"HostileProofs", testHostileProofs},
		{"TwoAppServers", testDeviceTwoServers},
		{"TwoTabs", testDeviceTabs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, d, store) })
	}
}

// testDeviceRefresh logs in and lives through several bound cookie
// lifetimes: each expiry defers a request for one refresh, answered with
// the challenge the previous one left, so one round trip; the sessions
// page shows the session as bound.
func testDeviceRefresh(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	e.loginBound(b, "alice")
	before := b.Stats()
	const cycles = 6
	for range cycles {
		e.clock.Advance(lifetime - time.Second)
		e.wantHome(b, "alice bound") // still valid: no refresh
		e.clock.Advance(2 * time.Second)
		e.wantHome(b, "alice bound") // expired: one refresh first
	}
	after := b.Stats()
	if got := after.Refreshes - before.Refreshes; got != cycles {
		t.Errorf("%d bound cookie lifetimes took %d refresh requests; want %d, one each", cycles, got, cycles)
	}
	if got := after.Deferred - before.Deferred; got != cycles {
		t.Errorf("%d requests waited for a refresh; want %d", got, cycles)
	}
	if status, body := fetch(t, b, "GET", e.url+"/sessions", nil); status != 200 || body != "bound=true current=true\n" {
		t.Fatalf("GET /sessions = %d %q; want the session, bound and current", status, body)
	}
	e.noErrors()
}

// testDeviceRS256 registers and refreshes with an RSA key.
func testDeviceRS256(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	b.Algorithm = "RS256"
	e.loginBound(b, "alice")
	e.clock.Advance(lifetime + time.Second)
	e.wantHome(b, "alice bound")
	e.noErrors()
}

// testDeviceWithout logs in with a client that ignores DBSC, as a browser
// without it does: the session works as it always has, unbound.
func testDeviceWithout(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	c := newClient(t, e.url)
	r := c.post("/login", url.Values{"username": {"bob"}})
	if r.status != http.StatusSeeOther || r.header.Get(dbsctest.HeaderRegistration) == "" {
		t.Fatalf("POST /login = %d, %s %q; want 303 and an offer", r.status, dbsctest.HeaderRegistration, r.header.Get(dbsctest.HeaderRegistration))
	}
	for range 4 {
		want(t, c.get("/home"), 200, "bob unbound")
		e.clock.Advance(lifetime + time.Second)
	}
	// Offered once: later writes do not ask again.
	if r := c.post("/renew", nil); r.header.Get(dbsctest.HeaderRegistration) != "" {
		t.Fatalf("a later write offered binding again: %q", r.header.Get(dbsctest.HeaderRegistration))
	}
	want(t, c.get("/sessions"), 200, "bound=false current=true\n")
	e.noErrors()
}
