package blog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/transient-go/transient/bench/internal/blogresult"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// The fault tests put the blog under load from many visitors at once, each
// logged in with a session of its own, while something goes wrong
// underneath: the store's server, Redis or PostgreSQL, dies and comes back
// (TestFaultStoreOutage), or the cookie store's secret is rotated
// (TestFaultSecretRotation). Each visitor checks every page it gets as it
// goes: whose name it shows, which flash messages, which status; the test
// then checks the run as a whole (the timing, the blog's log).

const (
	faultVisitors    = 16              // concurrent visitors, each with a session of its own
	outageLength     = 2 * time.Second // how long the store's server stays down, at least
	outageAnswers    = 5               // answers every visitor gets while the server is down, at least
	maxOutageLatency = time.Second     // the slowest answer allowed while the server is down
	maxRecovery      = 5 * time.Second // from the server back to a full round of pages, for every visitor
)

// TestFaultSecretRotation proves that the cookie store's secret can be
// rotated under load on every framework, as the blog's README tells: the
// blog runs with -secret A while visitors, each logged in with a session
// of its own, go round its pages; a new blog process starts with
// -secret B,A and the visitors move over to it, as behind a load balancer
// during a deploy. Every visitor stays logged in, without logging in
// again; the first page it gets from the new blog re-issues its cookie
// under B: that cookie verifies with B alone, and no longer with A alone,
// and so do all the cookies after it. No page is a 5xx or shows another
// user's name or a flash message the visitor did not cause, and nothing
// panics (neither blog logs anything).
func TestFaultSecretRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("load and a secret rotation on every framework: not in -short")
	}
	const (
		secretA = "the secret the blog started with: 32 bytes or more"
		secretB = "the secret it rotated to: also 32 bytes or more"
	)
	onlyA, onlyB := newCookieStore(t, secretA), newCookieStore(t, secretB)
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel()
			blogA := startBlog(t, "-framework", framework, "-store", "cookie", "-secret", secretA)
			sc := startScene(t, blogA.url, faultVisitors)

			blogB := startBlog(t, "-framework", framework, "-store", "cookie", "-secret", secretB+","+secretA)
			moved := time.Now()
			sc.base.Store(&blogB.url)
			for range 2 { // every visitor goes round twice on the new blog
				if !sc.await(time.Now(), 30*time.Second) {
					t.Errorf("the visitors did not all go round the new blog's pages within 30s")
					break
				}
			}
			sc.halt()

			for _, v := range sc.visitors {
				v.report(t)
				if n := len(v.moves); n != 1 {
					t.Errorf("%s moved to the new blog %d times; want once", v.name, n)
					continue
				}
				mv := v.moves[0]
				if slices.ContainsFunc(v.logins, func(at time.Time) bool { return at.After(moved) }) {
					t.Errorf("%s logged in again after the rotation; want its session kept", v.name)
				}
				// The cookie it had is A's; the first page of the new blog
				// re-issues it under B.
				wantCookie(t, v, "the cookie before the rotation", mv.cookie, v.user, onlyA, onlyB)
				if mv.hit >= len(v.hits) {
					t.Errorf("%s made no request after the rotation", v.name)
					continue
				}
				if h := v.hits[mv.hit]; h.req != "GET /dashboard" || h.code != http.StatusOK || h.setCookie == "" {
					t.Errorf("%s: first request after the rotation: %s = %d with Set-Cookie %.20q; want GET /dashboard = 200, logged in, with a new cookie",
						v.name, h.req, h.code, h.setCookie)
				}
				user := "" // until the visitor logs in
				for i, h := range v.hits {
					if h.req == "POST /login" && h.code == http.StatusSeeOther {
						user = v.user
					}
					signer, other, when := onlyA, onlyB, "before"
					if i >= mv.hit {
						signer, other, when = onlyB, onlyA, "after"
					}
					what := fmt.Sprintf("the Set-Cookie of %s (request %d, %s the rotation)", h.req, i+1, when)
					if h.setCookie != "" && !wantCookie(t, v, what, h.setCookie, user, signer, other) {
						break
					}
				}
				wantCookie(t, v, "the cookie at the end", v.c.cookie(), v.user, onlyB, onlyA)
				for i, h := range v.hits {
					if h.fault || h.code >= 500 {
						t.Errorf("%s: %s (request %d) = %d; want no error", v.name, h.req, i+1, h.code)
						break
					}
				}
			}
			blogA.checkLog(t, time.Time{})
			blogB.checkLog(t, time.Time{})
			res := blogresult.Rotation{Framework: framework, Visitors: len(sc.visitors), Requests: sc.requests(),
				MovedSeconds: sc.lastMove().Sub(moved).Seconds()}
			t.Logf("%d visitors, %d requests, all on the new blog within %v of its start",
				res.Visitors, res.Requests, sc.lastMove().Sub(moved).Round(time.Millisecond))
			report(t, "FaultSecretRotation", res)
		})
	}
}

// newCookieStore returns a cookie store that verifies with secret alone.
func newCookieStore(t *testing.T, secret string) core.Store {
	t.Helper()
	st, err := cookiestore.New(&cookiestore.Options{Secrets: []string{secret}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// wantCookie checks that the session cookie value verifies with the store
// signer, as a session of user ("" for a visitor not logged in yet), and
// not with other. It reports whether it does.
func wantCookie(t *testing.T, v *agent, what, value, user string, signer, other core.Store) bool {
	t.Helper()
	name, err := cookieUser(signer, value)
	if err != nil || name != user {
		t.Errorf("%s: %s: user %q, %v with the secret that should sign it; want %q", v.name, what, name, err, user)
		return false
	}
	if name, err := cookieUser(other, value); err == nil {
		t.Errorf("%s: %s verifies with the other secret too (user %q); want %v", v.name, what, name, core.ErrNotFound)
		return false
	}
	return true
}

// cookieUser returns the user name in the session carried by a cookie
// store's cookie value.
func cookieUser(st core.Store, value string) (string, error) {
	payload, _, err := st.Load(context.Background(), value)
	if err != nil {
		return "", err
	}
	var p struct { // the payload's shape, documented in core/payload.go
		Data struct {
			Username string `json:"username"`
		} `json:"d"`
	}
	err = json.Unmarshal(payload, &p)
	return p.Data.Username, err
}
