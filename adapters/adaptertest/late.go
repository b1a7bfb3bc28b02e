package adaptertest

import (
	"errors"
	"net/http"
	"testing"

	"github.com/transient-go/transient/core"
)

// testLateLogout logs out after the response started (a redirect), then
// flashes: the record ends whatever came after Invalidate, and what cannot
// be saved is reported. A framework that buffers the response (Fiber)
// commits after the handler, and the logout is an ordinary one.
func testLateLogout(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := e.client()
	login(t, c, "alice", 1)
	old := c.cookie()
	r := c.post("/late-logout", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST /late-logout = %d %q; want 303", r.status, r.body)
	}
	var late bool
	for _, err := range e.errs.All() {
		late = late || errors.Is(err, core.ErrLateChange)
	}
	switch {
	case !late:
		// Committed before the response: the visitor has a new session
		// with the flash.
		if !r.sendsToken() {
			t.Fatalf("a logout before the response started sent no cookie or token")
		}
		want(t, c.get("/"), 200, "anonymous bye")
	case isCookieStore(store):
		// A cookie store cannot end a session without a cookie: reported.
		return
	}
	if !isCookieStore(store) {
		want(t, e.whoami(old), 200, "anonymous")
	}
}
