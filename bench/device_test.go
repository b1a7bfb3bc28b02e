package bench_test

import (
	"crypto"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkDevice measures device-bound sessions (DBSC) on net/http with
// memstore. Every session is a login's, with an owner; rows:
//
//   - off/<shape>: a Manager without DeviceBinding, the baseline;
//   - unbound/<shape>: binding on, a session whose browser never
//     registered (a browser without DBSC);
//   - bound/<shape>: a bound session, each request carrying its bound
//     cookie, which the Manager checks;
//   - refresh-es256, refresh-rs256: the refresh endpoint answering a proof
//     of the challenge the previous refresh left: the proof parsed and
//     verified, the session written, a bound cookie and the next challenge
//     issued. The browser's signing is not timed.
//
// with shapes read-only and read-write, as the other rows.
func BenchmarkDevice(b *testing.B) {
	ms, err := memstore.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	runDevice(b, ms, nil)
}

// BenchmarkDeviceRedis is BenchmarkDevice with redisstore, on a
// redis-server of its own, with round trips and bytes on the wire.
func BenchmarkDeviceRedis(b *testing.B) {
	store, rt := ourRedis(b, redistest.StartLocal(b))
	runDevice(b, store, rt)
}

func runDevice(b *testing.B, store core.Store, rt counter) {
	off := deviceMux(newManager(b, store))
	on := deviceMux(newDeviceManager(b, store))
	for _, sh := range []shape{readOnly, readWrite} {
		b.Run("off/"+sh.name, func(b *testing.B) {
			measureDevice(b, off, rt, sh, deviceLogin(b, off, "", false))
		})
		b.Run("unbound/"+sh.name, func(b *testing.B) {
			measureDevice(b, on, rt, sh, deviceLogin(b, on, "", false))
		})
		b.Run("bound/"+sh.name, func(b *testing.B) {
			measureDevice(b, on, rt, sh, deviceLogin(b, on, "ES256", true))
		})
	}
	for _, alg := range []string{"ES256", "RS256"} {
		b.Run("refresh-"+strings.ToLower(alg), func(b *testing.B) {
			benchRefresh(b, on, rt, alg)
		})
	}
}

// newDeviceManager is newManager with DeviceBinding on.
func newDeviceManager(b *testing.B, store core.Store) *core.Manager {
	m, err := core.NewManager(store, &core.Options{Logger: slog.New(slog.DiscardHandler), Clock: benchClock, DeviceBinding: &core.DeviceBinding{}})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// deviceMux is ourHTTP with a login that marks the session as the user's.
func deviceMux(m *core.Manager) http.Handler {
	mux := untouchedMux()
	handle := func(pattern string, h func(http.ResponseWriter, *core.Session)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s, err := sessionhttp.Session(r)
			if err != nil {
				http.Error(w, err.Error(), core.StatusCode(err))
				return
			}
			h(w, s)
		})
	}
	handle("POST /login", func(w http.ResponseWriter, s *core.Session) {
		ourLogin(s)
		_ = s.SetOwner(userName, core.Device{UserAgent: "bench"})
		ok(w)
	})
	handle("GET /read", func(w http.ResponseWriter, s *core.Session) {
		if msg := ourCheck(s); msg != "" {
			fail(w, msg)
			return
		}
		ok(w)
	})
	handle("POST /write", func(w http.ResponseWriter, s *core.Session) {
		if msg := ourCheck(s) + ourWrite(s); msg != "" {
			fail(w, msg)
			return
		}
		ok(w)
	})
	return sessionhttp.Middleware(m, nil)(mux)
}

// device is a logged-in browser: its cookies and, once registered, its
// DBSC session.
type device struct {
	jar       jar
	key       crypto.Signer
	id        string // the DBSC session identifier
	challenge string // the next refresh's challenge
}

var (
	challengeParam = regexp.MustCompile(`challenge="([^"]+)"`)
	challengeItem  = regexp.MustCompile(`^"([^"]+)";id="([^"]+)"`)
)

// deviceLogin logs in through h and, if register, registers a key of alg.
func deviceLogin(b *testing.B, h http.Handler, alg string, register bool) *device {
	d := &device{jar: jar{}}
	res := d.send(b, h, "POST", "/login", nil)
	if !register {
		return d
	}
	offer := challengeParam.FindStringSubmatch(res.Header.Get(dbsctest.HeaderRegistration))
	if offer == nil {
		b.Fatalf("the login made no offer: %v", res.Header)
	}
	key, err := dbsctest.NewKey(alg)
	if err != nil {
		b.Fatal(err)
	}
	proof, err := dbsctest.Proof(key, offer[1], true, nil)
	if err != nil {
		b.Fatal(err)
	}
	d.key = key
	d.next(b, d.send(b, h, "POST", core.DefaultRegistrationPath, http.Header{dbsctest.HeaderResponse: {proof}}))
	return d
}

// send serves one request with the device's cookies and header, fails b
// unless it answers 200, and keeps the cookies it sets.
func (d *device) send(b *testing.B, h http.Handler, method, path string, header http.Header) *http.Response {
	b.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Cookie", d.jar.header())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s = %d %q", method, path, rec.Code, rec.Body)
	}
	res := rec.Result()
	d.jar.add(res.Header["Set-Cookie"])
	return res
}

// next keeps the DBSC session identifier and the challenge of a
// registration's or refresh's response.
func (d *device) next(b *testing.B, res *http.Response) {
	m := challengeItem.FindStringSubmatch(res.Header.Get(dbsctest.HeaderChallenge))
	if m == nil {
		b.Fatalf("no next challenge: %v", res.Header)
	}
	d.challenge, d.id = m[1], m[2]
}

// measureDevice measures requests of shape sh by d, after a warm-up write
// for read-write, as the other rows do.
func measureDevice(b *testing.B, h http.Handler, rt counter, sh shape, d *device) {
	if sh == readWrite {
		d.send(b, h, sh.method, sh.path, nil)
	}
	req := httptest.NewRequest(sh.method, sh.path, nil)
	req.Header.Set("Cookie", d.jar.header())
	measure(b, row{rt: rt}, func() {
		r := new(http.Request)
		*r = *req
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s = %d %q", sh.method, sh.path, rec.Code, rec.Body)
		}
	})
}

// benchRefresh measures refreshes of a session bound to a key of alg, each
// signing the challenge the previous one left (untimed).
func benchRefresh(b *testing.B, h http.Handler, rt counter, alg string) {
	d := deviceLogin(b, h, alg, true)
	delete(d.jar, "session-bound") // expired: what a refresh is for
	cookie := d.jar.header()
	var start int64
	if rt != nil {
		start = rt.trips()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		proof, err := dbsctest.Proof(d.key, d.challenge, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest("POST", core.DefaultRefreshPath, nil)
		req.Header.Set("Cookie", cookie)
		req.Header.Set(dbsctest.HeaderSessionID, d.id)
		req.Header.Set(dbsctest.HeaderResponse, proof)
		rec := httptest.NewRecorder()
		b.StartTimer()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("refresh = %d %q", rec.Code, rec.Body)
		}
		d.next(b, rec.Result())
	}
	if rt != nil {
		b.ReportMetric(float64(rt.trips()-start)/float64(b.N), "roundtrips/op")
	}
}
