package core_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
)

// This file tests device-bound sessions in the core, without HTTP: a
// request is Begin, ServeDevice or the handler's work, Commit and Finish,
// as an adapter does, so that each interleaving of two requests can be
// forced. The adapters' shared suite drives the protocol over HTTP.

// deviceRequest is a core.DeviceRequest of a test.
type deviceRequest struct {
	method string
	header http.Header
}

func (r deviceRequest) RequestLine() (string, string) { return r.method, "example.com" }
func (r deviceRequest) HeaderValue(name string) string {
	return r.header.Get(name)
}

// device is a Manager with binding on, over a memstore, with a clock, and
// a browser's key and cookies.
type device struct {
	t       *testing.T
	m       *core.Manager
	now     time.Time
	mu      sync.Mutex
	session string // the session cookie
	bound   string // the bound cookie
	id      string // the DBSC session identifier
	key     any
	signer  func(challenge string) string
}

func newDevice(t *testing.T, store core.Store, binding *core.DeviceBinding) *device {
	return newObservedDevice(t, store, binding, nil)
}

func newObservedDevice(t *testing.T, store core.Store, binding *core.DeviceBinding, obs *core.Observer) *device {
	d := &device{t: t, now: time.Unix(1_800_000_000, 0)}
	if binding == nil {
		binding = &core.DeviceBinding{}
	}
	d.m = newManager(t, store, &core.Options{Clock: d.clock, DeviceBinding: binding, Observer: obs})
	return d
}

func (d *device) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *device) advance(by time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(by)
	d.mu.Unlock()
}

var challengeRE = regexp.MustCompile(`challenge="([^"]+)"`)

// login logs in as owner and returns the offer's challenge.
func (d *device) login(owner string) string {
	d.t.Helper()
	r := begin(d.m)
	if err := r.session(d.t).SetOwner(owner, core.Device{}); err != nil {
		d.t.Fatal(err)
	}
	h := r.commit(d.t)
	d.session = sessionCookie(d.t, h)
	m := challengeRE.FindStringSubmatch(h.Get(dbsctest.HeaderRegistration))
	if m == nil {
		d.t.Fatalf("login: %s %q; want an offer", dbsctest.HeaderRegistration, h.Get(dbsctest.HeaderRegistration))
	}
	return m[1]
}

// cookies returns the Cookie header of the device.
func (d *device) cookies() string {
	c := "session=" + d.session
	if d.bound != "" {
		c += "; session-bound=" + d.bound
	}
	return c
}

// serve sends a request to an endpoint with the device's cookies and
// headers, and returns the status, the body and the response headers.
func (d *device) serve(path string, header http.Header) (int, string, http.Header) {
	status, body, h, err := serveDevice(d.m, d.cookies(), path, header)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "session-bound" {
			d.bound = c.Value
		}
	}
	return status, string(body), h
}

// serveDevice sends a request to an endpoint of m, with cookies and
// header, as an adapter does, and returns the status, the body and the
// response headers. It may run on any goroutine.
func serveDevice(m *core.Manager, cookies, path string, header http.Header) (int, string, http.Header, error) {
	r := begin(m, cookies)
	h := http.Header{}
	status, body, err := m.ServeDevice(r.ctx, &r.s, path, deviceRequest{"POST", header}, h)
	if err != nil {
		return 0, "", nil, fmt.Errorf("ServeDevice = %w", err)
	}
	if err := m.Commit(r.ctx, &r.s, status, h); err != nil {
		return 0, "", nil, err
	}
	return status, string(body), h, m.Finish(r.ctx, &r.s)
}

// register registers a key for challenge.
func (d *device) register(challenge string) (int, http.Header) {
	d.t.Helper()
	key, err := dbsctest.NewKey("ES256")
	if err != nil {
		d.t.Fatal(err)
	}
	proof, err := dbsctest.Proof(key, challenge, true, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	status, _, h := d.serve(core.DefaultRegistrationPath, http.Header{dbsctest.HeaderResponse: {proof}})
	if status == http.StatusOK {
		d.key = key
		d.signer = func(c string) string {
			p, err := dbsctest.Proof(key, c, false, nil)
			if err != nil {
				d.t.Fatal(err)
			}
			return p
		}
		d.id = strings.Split(strings.Split(h.Get(dbsctest.HeaderChallenge), `id="`)[1], `"`)[0]
	}
	return status, h
}

// challenge returns the challenge of a Secure-Session-Challenge header.
func challengeOf(h http.Header) string {
	v := h.Get(dbsctest.HeaderChallenge)
	if !strings.HasPrefix(v, `"`) {
		return ""
	}
	c, _, _ := strings.Cut(v[1:], `"`)
	return c
}

// refresh sends a refresh signing challenge ("": no proof).
func (d *device) refresh(challenge string) (int, string, http.Header) {
	h := http.Header{dbsctest.HeaderSessionID: {d.id}}
	if challenge != "" {
		h.Set(dbsctest.HeaderResponse, d.signer(challenge))
	}
	return d.serve(core.DefaultRefreshPath, h)
}

// home loads the session of the device's cookies, and describes it.
func (d *device) home(cookies string) string {
	s := begin(d.m, cookies).session(d.t)
	switch {
	case s.Owner() == "":
		return "anonymous"
	case s.DeviceBound():
		return s.Owner() + " bound"
	}
	return s.Owner() + " unbound"
}

func TestDeviceProtocol(t *testing.T) {
	d := newDevice(t, nil, nil)
	challenge := d.login("alice")
	if status, h := d.register(challenge); status != http.StatusOK || challengeOf(h) == "" {
		t.Fatalf("register = %d, %v; want 200 and the next challenge", status, h)
	}
	if got := d.home(d.cookies()); got != "alice bound" {
		t.Fatalf("after registration: %s; want alice bound", got)
	}
	// Within 10 seconds of the registration, a request without the bound
	// cookie (sent before the browser had it) is the session's, unbound.
	if got := d.home("session=" + d.session); got != "alice unbound" {
		t.Fatalf("just after registration, without the bound cookie: %s; want alice unbound", got)
	}
	d.advance(11 * time.Second)
	if got := d.home("session=" + d.session); got != "anonymous" {
		t.Fatalf("without the bound cookie: %s; want anonymous", got)
	}
	// The bound cookie lasts its lifetime and a grace of 10 seconds.
	d.advance(core.DefaultBoundLifetime - 2*time.Second) // registered 9 seconds past its expiry
	if got := d.home(d.cookies()); got != "alice bound" {
		t.Fatalf("bound cookie within its grace: %s; want alice bound", got)
	}
	d.advance(2 * time.Second)
	if got := d.home(d.cookies()); got != "anonymous" {
		t.Fatalf("bound cookie past its grace: %s; want anonymous", got)
	}
	// The refresh: a 403 with a challenge, then the signed challenge.
	status, _, h := d.refresh("")
	if status != http.StatusForbidden || challengeOf(h) == "" {
		t.Fatalf("refresh without a proof = %d, %v; want 403 and a challenge", status, h)
	}
	status, body, h := d.refresh(challengeOf(h))
	if status != http.StatusOK || !strings.Contains(body, `"session_identifier":"`+d.id+`"`) || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("refresh = %d %s, %v; want 200, the instructions, no-store", status, body, h)
	}
	if got := d.home(d.cookies()); got != "alice bound" {
		t.Fatalf("after the refresh: %s; want alice bound", got)
	}
	// Another DBSC session's identifier is told to end.
	d.id = "another"
	if status, body, _ := d.refresh(""); status != http.StatusOK || body != `{"continue":false}` {
		t.Fatalf("refresh of another identifier = %d %s; want 200 and continue false", status, body)
	}
}

// TestDeviceUnboundObserved checks that the Observer is told of the
// session cookie of a bound session that comes without a valid bound
// cookie, which an operator watches for copied cookies.
func TestDeviceUnboundObserved(t *testing.T) {
	var mu sync.Mutex
	var reasons []string
	d := newObservedDevice(t, nil, nil, &core.Observer{CookieRejected: func(_ context.Context, reason string) {
		mu.Lock()
		reasons = append(reasons, reason)
		mu.Unlock()
	}})
	d.register(d.login("alice"))
	d.home(d.cookies())
	d.advance(core.DefaultBoundLifetime + time.Minute)
	if got := d.home(d.cookies()); got != "anonymous" {
		t.Fatalf("with an expired bound cookie: %s; want anonymous", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(reasons, ",") != "unbound" {
		t.Fatalf("the Observer was told of rejected cookies %q; want one, unbound", reasons)
	}
}
