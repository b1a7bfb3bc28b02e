package adaptertest

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// This file holds the suite's attacks on the session life cycle; hostile.go
// holds the hostile cookies.

// counter is a store that can count its records: memstore.Store, and the
// Redis store of the suite's own test.
type counter interface{ Len() int }

// testFixation plants session IDs in the victim's browser before login
// (session fixation): one the attacker made up, and the attacker's own,
// genuine session. The login must issue a new ID, and the planted one must
// never give access to the victim's session.
func testFixation(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	attacker := e.client()
	attacker.post("/flash", url.Values{"msg": {"the attacker's own session"}})
	own := attacker.cookie()
	if own == "" {
		t.Fatalf("the attacker got no session cookie")
	}
	for _, tc := range []struct{ name, planted string }{
		{"made-up ID", core.NewID()},
		{"attacker's session", own},
	} {
		t.Run(tc.name, func(t *testing.T) {
			victim := e.client()
			victim.setCookie(tc.planted)
			if got := login(t, victim, "alice", 42); got == tc.planted {
				t.Fatalf("login kept the planted cookie %.20q; want a new one", got)
			}
			want(t, victim.get("/whoami"), 200, "alice(42)")
			want(t, e.whoami(tc.planted), 200, "anonymous")
		})
	}
}

// testReplay replays the cookie a client held before it logged out. A
// server-side store refuses it at once; a cookie store cannot revoke it,
// which is its documented limit, but refuses it once IdleTimeout has
// passed since it was issued.
func testReplay(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	stolen := c.cookie()
	if r := c.post("/logout", nil); r.status != 303 {
		t.Fatalf("POST /logout = %d; want 303", r.status)
	}
	if !isCookieStore(store) {
		want(t, e.whoami(stolen), 200, "anonymous")
		return
	}
	want(t, e.whoami(stolen), 200, "alice(7)") // the limit SECURITY.md states
	e.clock.Advance(core.DefaultIdleTimeout)
	want(t, e.whoami(stolen), 200, "anonymous")
}

// testFlood sends many random session IDs, as an attacker guessing or
// filling the store would: every one gives an anonymous session, none is
// adopted, and the store holds no more records afterwards.
func testFlood(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	count := func() int { return 0 }
	if c, ok := store.(counter); ok {
		count = c.Len
	}
	before := count()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			c := e.client()
			for range 50 {
				r, err := c.try("GET", "/whoami", nil, c.raw(core.NewID()))
				if err != nil {
					errs <- err.Error()
					return
				}
				if tok, _ := r.token(); tok != "" {
					errs <- fmt.Sprintf("an unknown ID got a session: %q", r.header)
					return
				}
				if r.status != 200 || r.body != "anonymous" {
					errs <- fmt.Sprintf("GET /whoami with an unknown ID = %d %q; want 200 anonymous", r.status, r.body)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
	if after := count(); after > before {
		t.Fatalf("the store held %d records before 400 unknown IDs and %d after; want no more", before, after)
	}
}

// testLogoutRace logs out while a slow request of the same session is
// still running: the slow request must not bring the session back. On a
// server-side store it writes to the session after the logout, and the
// write is discarded; a cookie store cannot tell, so there it only reads
// (a write would re-send the old session, the limit SECURITY.md states).
func testLogoutRace(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	stolen := c.cookie()
	type result struct {
		*response
		err error
	}
	done := make(chan result, 1)
	go func() {
		form := url.Values{}
		if !isCookieStore(store) {
			form.Set("write", "1")
		}
		slow := e.client()
		r, err := slow.try("POST", "/slow", form, slow.raw(stolen))
		done <- result{r, err}
	}()
	slow := e.gates.get("slow")
	<-slow.entered
	if r := c.post("/logout", nil); r.status != 303 {
		close(slow.release)
		t.Fatalf("POST /logout = %d; want 303", r.status)
	}
	close(slow.release)
	r := <-done
	if r.err != nil || r.status != 200 || r.body != "alice(7)" {
		t.Fatalf("the slow request = %+v, %v; want 200 alice(7) (errors: %v)", r.response, r.err, e.errs.All())
	}
	if tok, _ := r.token(); tok != "" {
		t.Fatalf("the slow request, finishing after the logout, set the session %.20q; want none, or one that clears it", tok)
	}
	want(t, c.get("/whoami"), 200, "anonymous")
	if !isCookieStore(store) {
		want(t, e.whoami(stolen), 200, "anonymous")
	}
	if errs := e.errs.All(); len(errs) > 0 {
		t.Fatalf("ErrorHandler got %v; want nothing: discarding the slow request's change is not an error", errs)
	}
}

// testUnencodable sets values JSON cannot encode: each Set fails with
// core.ErrInvalidValue and changes nothing, and the session is saved
// as it was.
func testUnencodable(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	before := c.cookie()
	want(t, c.post("/set-unencodable", nil), 200, "6")
	if c.cookie() != before {
		t.Fatalf("failed Sets changed the session cookie")
	}
	want(t, c.get("/whoami"), 200, "alice(7)")
	if len(e.errs.All()) != 0 {
		t.Fatalf("ErrorHandler got %v; want nothing: Set returned the errors", e.errs.All())
	}
}

// testParallelUse has 100 goroutines of one request set keys, flash, read
// and peek on its session at once (run with -race): nothing is lost and
// everything is saved.
func testParallelUse(t *testing.T, d Driver, store core.Store) {
	c := newEnv(t, d, store, nil).client()
	want(t, c.post("/parallel", nil), 200, fmt.Sprintf("%d keys, 0 wrong", parallelUsers))
	want(t, c.get("/parallel"), 200, fmt.Sprintf("%d keys, %d flashes", parallelUsers, parallelUsers))
}

// foreignStoreID returns a genuine ID of another server-side store.
func foreignStoreID(t *testing.T) string {
	return issue(t, testkit.Memstore(t), offsetClock(0))
}

// testDeepValue sets values nested close to, at and beyond the depth the
// session's decoder reads: what Set accepts, the next request must read
// back, and what it refuses must leave the session as it was. A value that
// Set took but the next request could not decode would log the visitor out.
func testDeepValue(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 7)
	for _, n := range []int{10, 1000, 1001, 1002, 5000, 20000} {
		got := c.post("/set-deep", url.Values{"n": {fmt.Sprint(n)}})
		switch got.body {
		case "set":
			want(t, c.get("/get-deep"), 200, fmt.Sprint(n))
		case "rejected":
		default:
			t.Fatalf("POST /set-deep?n=%d = %d %q", n, got.status, got.body)
		}
		want(t, c.get("/whoami"), 200, "alice(7)")
	}
}

// testCookieTossing plants a second cookie of the session's name, as a
// sibling subdomain can with Domain=, next to the victim's own: the server
// cannot tell which it issued, so it uses neither, and it must not answer
// with a Set-Cookie either, expiring or new, which would replace the
// victim's host-only cookie and leave the planted one in charge.
func testCookieTossing(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	victim := e.client()
	own := login(t, victim, "alice", 7)
	planted := issue(t, store, offsetClock(0))
	for _, header := range []string{
		cookieName + "=" + planted + "; " + cookieName + "=" + own,
		cookieName + "=" + own + "; " + cookieName + "=" + planted,
	} {
		for _, r := range []*response{
			victim.do("GET", "/whoami", nil, header),
			victim.do("POST", "/set", url.Values{"key": {"k"}, "value": {"v"}}, header),
			victim.do("POST", "/flash", url.Values{"msg": {"hi"}}, header),
		} {
			if r.status >= 500 || strings.Contains(r.body, "mallory") {
				t.Fatalf("duplicated cookies gave %d %q", r.status, r.body)
			}
			if v := r.header.Values("Set-Cookie"); len(v) > 0 {
				t.Fatalf("duplicated cookies were answered with Set-Cookie %q; want none", v)
			}
		}
	}
	want(t, victim.get("/whoami"), 200, "alice(7)")
}
