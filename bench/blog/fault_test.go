package blog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// The fault tests put the blog under load from many visitors at once, each
// logged in with a session of its own, while something goes wrong
// underneath: the Redis server dies and comes back (TestFaultRedisOutage),
// or the cookie store's secret is rotated (TestFaultSecretRotation). Each
// visitor checks every page it gets as it goes: whose name it shows, which
// flash messages, which status; the test then checks the run as a whole
// (the timing, the blog's log).

const (
	faultVisitors    = 16              // concurrent visitors, each with a session of its own
	outageLength     = 2 * time.Second // how long Redis stays down, at least
	outageAnswers    = 5               // answers every visitor gets while Redis is down, at least
	maxOutageLatency = time.Second     // the slowest answer allowed while Redis is down
	maxRecovery      = 5 * time.Second // from Redis back to a full round of pages, for every visitor
)

// TestFaultRedisOutage proves that the blog on the Redis store, with its
// defaults (-store redis), under load from visitors each with a session of
// its own, survives a Redis crash (SIGKILL) on every framework: while
// Redis is down, every page that needs the session is a 503 that leaves
// the visitor's cookie alone, answered in under maxOutageLatency, and the
// stylesheet, which needs none, is still served; within maxRecovery of
// Redis coming back (empty: redistest.Restart keeps nothing), every
// visitor has logged in again and gone through a full round of pages; no
// page ever shows another user's name or a flash message the visitor did
// not cause; and nothing panics (the blog logs nothing but the store's
// failures).
func TestFaultRedisOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("load and a Redis outage on every framework: not in -short")
	}
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel() // two at a time on two CPUs
			redis := redistest.StartLocal(t)
			blog := startBlog(t, "-framework", framework, "-store", "redis", "-redis", redis.URL())
			sc := startScene(t, blog.url, faultVisitors)

			down := time.Now()
			sc.down.Store(down.UnixNano())
			redis.Kill(t)
			killed := time.Now()
			// The outage lasts outageLength, long enough for the store to
			// give up on Redis and try it again several times, and until
			// every visitor has had a few answers.
			marks := sc.marks()
			time.Sleep(outageLength)
			if !sc.awaitAnswers(marks, outageAnswers, 30*time.Second) {
				t.Errorf("the visitors did not all get %d answers within 30s of Redis going down", outageAnswers)
			}
			restarting := time.Now()
			redis.Restart(t)
			up := time.Now()
			sc.up.Store(up.UnixNano())
			if sc.await(up, maxRecovery+10*time.Second) { // measured below
				sc.await(time.Now(), 30*time.Second) // and one more round, steady again
			}
			sc.halt()

			var (
				latencies  []time.Duration // of the answers given while Redis was down
				resumed    []time.Duration // from Redis back to each visitor's first page that needs the session
				recoveries []time.Duration // from Redis back to the end of each visitor's first full round
			)
			for _, v := range sc.visitors {
				v.report(t)
				// back is the start of the visitor's first full round
				// of pages after Redis came back.
				back := time.Now()
				if i := slices.IndexFunc(v.full, func(s span) bool { return !s.start.Before(up) }); i < 0 {
					t.Errorf("%s: no full round of pages in the %v after Redis came back; want one within %v",
						v.name, time.Since(up).Round(time.Millisecond), maxRecovery)
				} else {
					back = v.full[i].start
					d := v.full[i].end.Sub(up)
					recoveries = append(recoveries, d)
					if d > maxRecovery {
						t.Errorf("%s: first full round of pages %v after Redis came back; want within %v", v.name, d, maxRecovery)
					}
				}
				if !slices.ContainsFunc(v.logins, func(at time.Time) bool { return at.After(down) }) {
					t.Errorf("%s: never logged in again after the outage; want a new login (Redis restarts empty)", v.name)
				}
				if i := slices.IndexFunc(v.hits, func(h hit) bool {
					return !h.start.Before(up) && h.req != "GET /static/style.css" && h.code != 0 && h.code != http.StatusServiceUnavailable
				}); i >= 0 {
					resumed = append(resumed, v.hits[i].end.Sub(up))
				}
				var wrong []string
				for _, h := range v.hits {
					if !h.end.Before(down) && !h.start.After(up) {
						latencies = append(latencies, h.latency())
						if h.latency() > maxOutageLatency {
							wrong = append(wrong, fmt.Sprintf("%s %s took %v while Redis was down; want under %v",
								h.req, since(h.start, down), h.latency(), maxOutageLatency))
						}
					}
					if !h.start.Before(killed) && !h.end.After(restarting) { // all while Redis was down
						want := http.StatusServiceUnavailable
						if h.req == "GET /static/style.css" {
							want = http.StatusOK
						}
						if h.code != want {
							wrong = append(wrong, fmt.Sprintf("%s %s = %d while Redis was down; want %d",
								h.req, since(h.start, down), h.code, want))
						}
					}
					if h.fault && (h.end.Before(down) || !h.start.Before(back)) {
						wrong = append(wrong, fmt.Sprintf("%s %s = %d (Location %q) before Redis went down (at +0s) or after the visitor recovered (%s); want the page",
							h.req, since(h.start, down), h.code, h.location, since(back, down)))
					}
				}
				for i, w := range wrong {
					if i == 3 {
						t.Errorf("%s: and %d more", v.name, len(wrong)-i)
						break
					}
					t.Errorf("%s: %s", v.name, w)
				}
			}
			storeErrors := blog.checkLog(t, down)
			dialErrors := countLines(blog, redisLog)
			slices.Sort(latencies)
			slices.Sort(resumed)
			slices.Sort(recoveries)
			res := outageResult{
				Framework: framework, Visitors: len(sc.visitors), Requests: sc.requests(),
				OutageSeconds: restarting.Sub(killed).Seconds(), OutageAnswers: len(latencies),
				OutageP50ms: ms(percentile(latencies, 50)), OutageP99ms: ms(percentile(latencies, 99)), OutageMaxms: ms(percentile(latencies, 100)),
				ResumedP50ms: ms(percentile(resumed, 50)), ResumedMaxms: ms(percentile(resumed, 100)),
				RecoveryP50ms: ms(percentile(recoveries, 50)), RecoveryMaxms: ms(percentile(recoveries, 100)),
			}
			t.Logf("%d visitors, %d requests; outage %v: %d answers, latency median %v, p99 %v, max %v; after Redis was back, first page served: median %v, max %v; first full round done: median %v, max %v; %d store errors and %d go-redis lines logged",
				res.Visitors, res.Requests, restarting.Sub(killed).Round(time.Millisecond), res.OutageAnswers,
				percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100),
				percentile(resumed, 50), percentile(resumed, 100),
				percentile(recoveries, 50), percentile(recoveries, 100), storeErrors, dialErrors)
			report(t, "FaultRedisOutage", res)
		})
	}
}

// outageResult is what TestFaultRedisOutage measured on one framework.
type outageResult struct {
	Framework     string  `json:"framework"`
	Visitors      int     `json:"visitors"`
	Requests      int     `json:"requests"`
	OutageSeconds float64 `json:"outage_seconds"`
	OutageAnswers int     `json:"outage_answers"`
	OutageP50ms   float64 `json:"outage_p50_ms"`
	OutageP99ms   float64 `json:"outage_p99_ms"`
	OutageMaxms   float64 `json:"outage_max_ms"`
	ResumedP50ms  float64 `json:"resumed_p50_ms"`
	ResumedMaxms  float64 `json:"resumed_max_ms"`
	RecoveryP50ms float64 `json:"recovery_p50_ms"`
	RecoveryMaxms float64 `json:"recovery_max_ms"`
}

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
			res := rotationResult{Framework: framework, Visitors: len(sc.visitors), Requests: sc.requests(),
				MovedSeconds: sc.lastMove().Sub(moved).Seconds()}
			t.Logf("%d visitors, %d requests, all on the new blog within %v of its start",
				res.Visitors, res.Requests, sc.lastMove().Sub(moved).Round(time.Millisecond))
			report(t, "FaultSecretRotation", res)
		})
	}
}

// rotationResult is what TestFaultSecretRotation measured on one
// framework.
type rotationResult struct {
	Framework    string  `json:"framework"`
	Visitors     int     `json:"visitors"`
	Requests     int     `json:"requests"`
	MovedSeconds float64 `json:"moved_seconds"`
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
