package adaptertest

import (
	"net"
	"net/url"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// Run runs the suite for d: every case with a cookie store and with a
// memory store (RunStore), then the pressure cases with a memory store
// (Pressure), with the session cookie and with the token in the
// Authorization header, and a few cases with the token in a header the
// application names. Its subtests are named after the store:
// "cookiestore/Renew", "memstore/Pressure/Hammer",
// "memstore/TokenHeader/Renew".
func Run(t *testing.T, d Driver) {
	for _, st := range testkit.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			RunStore(t, d, st.Store)
			if !isCookieStore(st.Store) {
				t.Run("Pressure", func(t *testing.T) { Pressure(t, d, testkit.Memstore(t)) })
				t.Run("TokenHeader/Pressure", func(t *testing.T) {
					Pressure(t, headerDriver{d, "Authorization"}, testkit.Memstore(t))
				})
				t.Run("TokenHeader/NamedHeader", func(t *testing.T) { runNamedHeader(t, d, testkit.Memstore(t)) })
			}
		})
	}
}

// serve serves routes through d on a new loopback listener until the test
// ends, and returns the server's base URL.
func serve(t testing.TB, d Driver, ms []*core.Manager, routes []Route) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := d.Serve(ln, ms, routes)
	t.Cleanup(stop)
	return "http://" + ln.Addr().String()
}

// Interchange checks that a session written through any of drivers is read
// through every other, all with the same Manager settings and store, as
// when an application moves from one framework to another, or serves one
// site with two. RunStore checks it for its driver and [NetHTTP].
func Interchange(t *testing.T, store core.Store, drivers ...Driver) {
	servers := make([]*env, len(drivers))
	for i, d := range drivers {
		servers[i] = newEnv(t, d, store, nil)
	}
	for i, a := range servers {
		for j, b := range servers {
			if i == j {
				continue
			}
			t.Run(drivers[i].Name()+"->"+drivers[j].Name(), func(t *testing.T) {
				ca := newClient(t, a.url)
				login(t, ca, "alice", 42)
				cb := newClient(t, b.url)
				cb.setCookie(ca.cookie())
				want(t, cb.get("/dashboard"), 200, "alice(42) Welcome back, alice!")
				cb.post("/flash", url.Values{"queue": {"q"}, "msg": {"from " + drivers[j].Name()}})
				ca.setCookie(cb.cookie())
				want(t, ca.get("/pop?queue=q"), 200, "from "+drivers[j].Name())
			})
		}
	}
}

// testInterchange checks that d's sessions are read by the net/http
// adapter, and the net/http adapter's by d.
func testInterchange(t *testing.T, d Driver, store core.Store) {
	Interchange(t, store, d, NetHTTP{})
}
