package adaptertest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// env is one server of the suite: a driver's routes with its own Manager.
type env struct {
	t     *testing.T
	store core.Store
	clock *clock
	errs  *testkit.ErrorLog
	m     *core.Manager
	gates *gates
	url   string

	header string // the Manager's token header (core.Options.TokenHeader); "": the cookie
}

func newEnv(t *testing.T, d Driver, store core.Store, edit func(*core.Options)) *env {
	t.Helper()
	e := &env{t: t, store: store, clock: newClock(), gates: new(gates)}
	e.m, e.errs = testkit.NewManager(t, store, func(o *core.Options) {
		o.Clock = e.clock.Now
		if od, ok := d.(optioned); ok {
			od.options(o)
		}
		if edit != nil {
			edit(o)
		}
		if o.TokenHeader != "" {
			e.header = http.CanonicalHeaderKey(o.TokenHeader)
		}
	})
	e.url = serve(t, d, []*core.Manager{e.m}, routes(e.gates, e.m))
	return e
}

// client returns a new browser, or an API client when the Manager carries
// its token in a header.
func (e *env) client() *client { return newTransportClient(e.t, e.url, e.header) }

// whoami asks, from a new client, who the session token names.
func (e *env) whoami(token string) *response {
	c := e.client()
	return c.do("GET", "/whoami", nil, c.raw(token))
}

// vary is what the Vary header of a response that used the session names.
func (e *env) vary() string {
	if e.header != "" {
		return e.header
	}
	return "Cookie"
}

func isCookieStore(s core.Store) bool {
	_, ok := s.(core.CookieStore)
	return ok
}

// login logs c in as name and returns the session cookie it got.
func login(t *testing.T, c *client, name string, id int) string {
	t.Helper()
	r := c.post("/login", url.Values{"username": {name}, "id": {fmt.Sprint(id)}})
	if r.status != 303 || r.header.Get("Location") != "/dashboard" {
		t.Fatalf("POST /login = %d %q, Location %q; want 303 to /dashboard", r.status, r.body, r.header.Get("Location"))
	}
	if c.cookie() == "" {
		t.Fatalf("POST /login set no session cookie")
	}
	return c.cookie()
}

func want(t *testing.T, r *response, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Fatalf("got %d %q; want %d %q", r.status, r.body, status, body)
	}
}

// RunStore runs every case of the suite for d with sessions kept in store,
// which Run does with a cookie store and a memory store. A test of an
// adapter calls RunStore for another store it supports, such as Redis or
// PostgreSQL; a new store of its own is proven by package storetest. With
// a server-side store it then runs, under "TokenHeader", the cases of the
// life cycle, the attacks and the concurrency again with the session token
// in the Authorization header (core.Options.TokenHeader), with API
// clients that keep no cookies, and the cases only a token header has: no
// cookie ever set or read, hostile headers, a cross-site form post. The
// cases of the session's contents, which do not depend on the token's
// transport, run with the cookie only.
func RunStore(t *testing.T, d Driver, store core.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, Driver, core.Store)
	}{
		{"FlashAfterRedirectShownOnce", testFlashOnce},
		{"CookieAttributes", testAttributes},
		{"LocalDevWarning", testLocalDevWarning},
		{"PersistentCookie", testPersistentCookie},
		{"RememberMe", testRememberMe},
		{"QueuesAreIndependent", testQueues},
		{"FlashUnique", testUnique},
		{"PeekDoesNotConsume", testPeek},
		{"UntouchedWritesNothing", testUntouched},
		{"NewVisitorGetsNoCookie", testNewVisitor},
		{"UnchangedSessionWritesNothing", testUnchanged},
		{"Renew", testRenew},
		{"InvalidateThenFlash", testInvalidate},
		{"HostileCookies", testHostile},
		{"CookieTossing", testCookieTossing},
		{"FixationBeforeLogin", testFixation},
		{"ReplayAfterLogout", testReplay},
		{"UnknownIDFlood", testFlood},
		{"LogoutRacesSlowRequest", testLogoutRace},
		{"UnencodableValue", testUnencodable},
		{"DeepValue", testDeepValue},
		{"ParallelUseInOneRequest", testParallelUse},
		{"ChangeAfterResponseStarted", testLate},
		{"LateLogoutThenFlash", testLateLogout},
		{"ContextCarriesSession", testContext},
		{"IdleTimeout", testIdle},
		{"AbsoluteTimeout", testAbsolute},
		{"ReissueThrottling", testReissue},
		{"CookieSizeLimit", testSize},
		{"ConcurrentClients", testConcurrent},
		{"ConcurrentChanges", testConcurrentChanges},
		{"StaleRequest", testStaleRequest},
		{"Randomized", testRandomized},
		{"UserSessions", testUserSessions},
		{"TwoSessions", testTwoSessions},
		{"CookieNameBound", testCookieNameBound},
		{"EndWhileRunning", testEndWhileRunning},
		{"StoreDown", testStoreDown},
		{"ErrorsLogged", testErrorsLogged},
		{"Panic", testPanic},
		{"SessionEndsWithRequest", testEnded},
		{"ErrorPage", testErrorPage},
		{"SkipOnServerError", testSkipOnServerError},
		{"NilManager", testNilManager},
		{"NoMiddleware", testNoMiddleware},
		{"Interchange", testInterchange},
		{"DeviceBinding", testDevice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, d, store) })
	}
	if !isCookieStore(store) {
		t.Run("TokenHeader", func(t *testing.T) { runTokenHeader(t, d, store) })
	}
}

func testFlashOnce(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	login(t, c, "alice", 42)
	want(t, c.get("/dashboard"), 200, "alice(42) Welcome back, alice!")
	want(t, c.get("/dashboard"), 200, "alice(42) ")
}

func testAttributes(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	r := c.post("/login", url.Values{"username": {"alice"}, "id": {"1"}})
	ck := r.setCookie()
	if ck == nil || !ck.HttpOnly || ck.Path != "/" || ck.SameSite != 2 || ck.MaxAge != 0 {
		t.Fatalf("Set-Cookie = %v; want HttpOnly, Path=/, SameSite=Lax, no Max-Age", r.header.Values("Set-Cookie"))
	}
	if v := r.header.Values("Set-Cookie"); len(v) != 1 {
		t.Fatalf("got %d Set-Cookie headers %q; want exactly one", len(v), v)
	}
}

func testQueues(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	for _, f := range [][2]string{{"a", "one"}, {"b", "two"}, {"", "default"}, {"a", "three"}} {
		if r := c.post("/flash", url.Values{"queue": {f[0]}, "msg": {f[1]}}); r.status != 302 {
			t.Fatalf("POST /flash = %d", r.status)
		}
	}
	want(t, c.get("/pop?queue=a"), 200, "one|three")
	want(t, c.get("/pop?queue=a"), 200, "")
	want(t, c.get("/pop?queue=b"), 200, "two")
	want(t, c.get("/pop?queue="), 200, "default")
}

func testUnique(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	for range 2 {
		c.post("/flash", url.Values{"queue": {"q"}, "msg": {"once"}, "unique": {"1"}})
		c.post("/flash", url.Values{"queue": {"q"}, "msg": {"twice"}})
	}
	want(t, c.get("/pop?queue=q"), 200, "once|twice|twice")
}

func testPeek(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	c.post("/flash", url.Values{"queue": {"q"}, "msg": {"kept"}})
	want(t, c.get("/peek?queue=q"), 200, "kept")
	want(t, c.get("/peek?queue=q"), 200, "kept")
	want(t, c.get("/pop?queue=q"), 200, "kept")
	want(t, c.get("/peek?queue=q"), 200, "")
}

func testUntouched(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	for _, step := range []string{"without a session", "with a session"} {
		for _, path := range []string{"/untouched", "/untouched-redirect", "/untouched-fail"} {
			r := c.get(path)
			if r.header.Get("Set-Cookie") != "" || r.sendsToken() || strings.Contains(strings.Join(r.header.Values("Vary"), ","), e.vary()) {
				t.Fatalf("%s, GET %s (%d): headers %q; want no Set-Cookie, no token, no Vary: %s", step, path, r.status, r.header, e.vary())
			}
		}
		login(t, c, "alice", 1)
	}
}

func testNewVisitor(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	r := c.get("/whoami")
	want(t, r, 200, "anonymous")
	if r.sendsToken() {
		t.Fatalf("a visitor with no data got a session: %q", r.header)
	}
	if !strings.Contains(strings.Join(r.header.Values("Vary"), ","), e.vary()) {
		t.Fatalf("Vary = %q; want %s for a response that read the session", r.header.Values("Vary"), e.vary())
	}
	c.post("/flash", url.Values{"msg": {"hi"}})
	want(t, c.get("/pop"), 200, "hi")
	// The session is empty again: the cookie is cleared, not kept.
	if r := c.get("/whoami"); r.sendsToken() {
		t.Fatalf("reading an unchanged session sent %q", r.header)
	}
}

func testUnchanged(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	login(t, c, "alice", 1)
	c.get("/dashboard") // pops the welcome flash
	for _, path := range []string{"/whoami", "/pop?queue=empty", "/peek?queue=empty", "/get?key=username"} {
		if r := c.get(path); r.status != 200 || r.sendsToken() {
			t.Fatalf("GET %s = %d, headers %q; want 200 and no cookie or token", path, r.status, r.header)
		}
	}
	// Setting a key to the value it holds changes nothing either.
	if r := c.post("/set", url.Values{"key": {"username"}, "value": {"alice"}}); r.sendsToken() {
		t.Fatalf("re-setting an equal value sent %q", r.header)
	}
}

func testRenew(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	token := c.post("/csrf", nil).body
	old := c.cookie()
	r := c.post("/renew", nil)
	want(t, r, 200, "alice(7)")
	if !r.sendsToken() || c.cookie() == old {
		t.Fatalf("Renew kept the cookie %q; want a new one", old)
	}
	want(t, c.get("/whoami"), 200, "alice(7)")
	if got := c.post("/csrf", nil).body; got == token {
		t.Fatalf("Renew kept the CSRF token")
	}
	if !isCookieStore(store) {
		want(t, e.whoami(old), 200, "anonymous")
	}
}

func testInvalidate(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	old := c.cookie()
	r := c.post("/logout", nil)
	if r.status != 303 || r.header.Get("Location") != "/" {
		t.Fatalf("POST /logout = %d, Location %q; want 303 to /", r.status, r.header.Get("Location"))
	}
	if c.cookie() == old {
		t.Fatalf("logout kept the session cookie")
	}
	want(t, c.get("/"), 200, "anonymous You have been logged out.")
	want(t, c.get("/"), 200, "anonymous ")
	// ReplayAfterLogout replays the old cookie.
}

func testLate(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 1)
	want(t, c.post("/late", nil), 200, "body first")
	saved := c.get("/get?key=late").body == "saved"
	var reported bool
	for _, err := range e.errs.All() {
		reported = reported || errors.Is(err, core.ErrLateChange)
	}
	switch {
	case saved == reported:
		t.Fatalf("a change after the body: saved %v, reported %v; want exactly one", saved, reported)
	case !isCookieStore(store) && !saved:
		t.Fatalf("a server-side store did not save a change made after the body")
	}
}

func testContext(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	want(t, c.get("/context"), 200, "true")
}

func testIdle(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 1)
	e.clock.Advance(19 * time.Minute)
	want(t, c.get("/whoami"), 200, "alice(1)")
	e.clock.Advance(21 * time.Minute)
	want(t, c.get("/whoami"), 200, "anonymous")
}

func testAbsolute(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, func(o *core.Options) { o.AbsoluteTimeout = time.Hour })
	c := e.client()
	login(t, c, "alice", 1)
	for i := 0; i < 5; i++ { // active every 10 minutes, re-issued each time
		e.clock.Advance(10 * time.Minute)
		want(t, c.get("/whoami"), 200, "alice(1)")
	}
	e.clock.Advance(10 * time.Minute)
	want(t, c.get("/whoami"), 200, "anonymous")
}

func testReissue(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, func(o *core.Options) { o.ReissueTime = 5 * time.Minute })
	c := e.client()
	login(t, c, "alice", 1)
	e.clock.Advance(4 * time.Minute)
	if r := c.get("/whoami"); r.sendsToken() {
		t.Fatalf("re-issued before ReissueTime: %q", r.header)
	}
	e.clock.Advance(time.Minute)
	r := c.get("/whoami")
	if isCookieStore(store) && r.setCookie() == nil {
		t.Fatalf("a cookie session was not re-issued after ReissueTime")
	}
	// Re-issued at 5 minutes, the session lives until 25: at 24 it is
	// alive, though 24 minutes passed since login.
	e.clock.Advance(19 * time.Minute)
	want(t, c.get("/whoami"), 200, "alice(1)")
}

func testSize(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 1)
	big := strings.Repeat("x", 5000)
	r := c.post("/set", url.Values{"key": {"big"}, "value": {big}})
	if !isCookieStore(store) {
		want(t, r, 200, "set")
		want(t, c.get("/get?key=big"), 200, big)
		return
	}
	if r.status != 500 || r.header.Get("Set-Cookie") != "" {
		t.Fatalf("oversized cookie: %d, Set-Cookie %.40q; want 500 and no cookie", r.status, r.header.Get("Set-Cookie"))
	}
	var tooLarge *core.CookieTooLargeError
	for _, err := range e.errs.All() {
		errors.As(err, &tooLarge)
	}
	if tooLarge == nil || tooLarge.Size <= core.MaxCookieSize || tooLarge.Limit != core.MaxCookieSize {
		t.Fatalf("ErrorHandler got %v; want a *core.CookieTooLargeError with the size and limit", e.errs.All())
	}
	want(t, c.get("/whoami"), 200, "alice(1)")
	want(t, c.get("/get?key=big"), 200, "")
}

func testConcurrent(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 16 {
		wg.Go(func() {
			c := e.client()
			name := fmt.Sprintf("user%d", i)
			for round := range 5 {
				r := c.post("/login", url.Values{"username": {name}, "id": {fmt.Sprint(i)}})
				if r.status != 303 {
					errs <- fmt.Sprintf("%s: login %d", name, r.status)
					return
				}
				if r = c.post("/set", url.Values{"key": {"round"}, "value": {fmt.Sprint(round)}}); r.status != 200 {
					errs <- fmt.Sprintf("%s: set %d", name, r.status)
					return
				}
				got := c.get("/whoami").body + " " + c.get("/get?key=round").body
				if w := fmt.Sprintf("%s(%d) %d", name, i, round); got != w {
					errs <- fmt.Sprintf("%s saw %q; want %q", name, got, w)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// testStoreDown uses a store whose Redis is down, whatever store the suite
// runs with: loading and saving fail with 503, never as an anonymous
// session, and a failed save discards the handler's response.
func testStoreDown(t *testing.T, d Driver, _ core.Store) {
	e := newEnv(t, d, testkit.DownStore(t), nil)
	c := e.client()
	r := c.do("GET", "/whoami", nil, c.raw(core.NewID()))
	if r.status != 503 || strings.Contains(r.body, "anonymous") {
		t.Fatalf("loading from a store that is down: %d %q; want 503, never an anonymous session", r.status, r.body)
	}
	r = c.post("/login", url.Values{"username": {"alice"}, "id": {"1"}})
	if r.status != 503 || r.sendsToken() || r.header.Get("Location") != "" {
		t.Fatalf("saving to a store that is down: %d, headers %q; want 503, no session and no Location",
			r.status, r.header)
	}
	errs := e.errs.All()
	if len(errs) != 2 || !errors.Is(errs[0], core.ErrStore) || !errors.Is(errs[1], core.ErrStore) {
		t.Fatalf("ErrorHandler got %v; want two errors matching core.ErrStore", errs)
	}
}
