package blog_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/transient-go/transient/bench/internal/blogresult"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestFaultStoreOutage proves that the blog on a server-side store, with
// its defaults (-store redis, -store postgres), under load from visitors
// each with a session of its own, survives a crash (SIGKILL) of the
// store's server on every framework: while the server is down, every page
// that needs the session is a 503 that leaves the visitor's cookie alone,
// answered in under maxOutageLatency, and a request for the stylesheet,
// which needs none, is still served (a visitor's round stops at its first
// 503, so few ask for it then); within maxRecovery of the server coming back,
// every visitor has gone through a full round of pages; no page ever shows
// another user's name or a flash message the visitor did not cause (or
// that a request answered 503 may have saved: see agent.step); and nothing
// panics (the blog logs nothing but the store's failures).
//
// What comes back differs, and each store is held to its own:
//
//   - Redis restarts empty (redistest's Restart keeps nothing): every
//     visitor has lost its session, and must have logged in again.
//   - PostgreSQL keeps what it committed: pgtest runs it with fsync off,
//     which loses nothing when only the process is killed (a crash of the
//     machine is what a real server's fsync is for). Every session that
//     was intact when the server died is intact when it is back: no such
//     visitor is sent to the login page, refused a form for a lost CSRF
//     token, shown a page as nobody, or logs in again. A visitor whose
//     login was under way when the server died may have to log in again
//     (the fault explains it), but here every visitor has logged in
//     before the kill (startScene waits for it).
func TestFaultStoreOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("load and a store outage on every store and framework: not in -short")
	}
	for _, store := range []outageStore{
		{name: "redis", title: "Redis"},
		{name: "postgres", title: "PostgreSQL", keeps: true},
	} {
		for _, framework := range frameworks {
			t.Run(store.name+"/"+framework, func(t *testing.T) {
				t.Parallel() // two at a time on two CPUs
				storeOutage(t, store, framework)
			})
		}
	}
}

// An outageStore is a store TestFaultStoreOutage (or TestFaultHungRedis)
// runs the blog on.
type outageStore struct {
	name  string // the blog's -store
	title string // its server, in messages: "Redis"
	keeps bool   // its sessions survive the fault
	hang  bool   // the fault stops the server (SIGSTOP) and lets it go on (SIGCONT), rather than kill and restart it
}

// maxLatency is the slowest answer allowed while st's server is down or
// hung, and test the name of the run in RESULTS.md.
func (st outageStore) maxLatency() (time.Duration, string) {
	if st.hang {
		return maxHungLatency, "FaultHungRedis"
	}
	return maxOutageLatency, "FaultStoreOutage"
}

// A storeServer is the server of an outageStore, the test's own:
// redistest's or pgtest's.
type storeServer interface {
	Kill(t testing.TB)
	Restart(t testing.TB)
}

// start starts a server of st for t alone, and returns it with the flags
// that put the blog on it. t.Cleanup stops the server.
func (st outageStore) start(t *testing.T) (storeServer, []string) {
	t.Helper()
	switch st.name {
	case "redis":
		s := redistest.StartLocal(t)
		var server storeServer = s
		if st.hang {
			server = hungRedis{s}
		}
		return server, []string{"-store", "redis", "-redis", s.URL()}
	case "postgres":
		s := pgtest.StartLocal(t) // the blog creates its table
		return s, []string{"-store", "postgres", "-postgres", s.URL()}
	}
	t.Fatalf("unknown store %q", st.name)
	return nil, nil
}

// storeOutage runs TestFaultStoreOutage's outage on one store and
// framework.
func storeOutage(t *testing.T, store outageStore, framework string) {
	maxLatency, test := store.maxLatency()
	server, args := store.start(t)
	blog := startBlog(t, append([]string{"-framework", framework}, args...)...)
	sc := startScene(t, blog.url, faultVisitors)

	down := time.Now()
	sc.down.Store(down.UnixNano())
	server.Kill(t)
	killed := time.Now()
	// The outage lasts outageLength, long enough for the store to give
	// up on its server and try it again several times, and until every
	// visitor has had a few answers.
	marks := sc.marks()
	time.Sleep(outageLength)
	if !sc.awaitAnswers(marks, outageAnswers, 30*time.Second) {
		t.Errorf("the visitors did not all get %d answers within 30s of %s going down", outageAnswers, store.title)
	}
	restarting := time.Now()
	server.Restart(t)
	up := time.Now()
	sc.up.Store(up.UnixNano())
	if sc.await(up, maxRecovery+10*time.Second) { // measured below
		sc.await(time.Now(), 30*time.Second) // and one more round, steady again
	}
	sc.halt()

	var (
		latencies  []time.Duration // of the answers given while the server was down
		resumed    []time.Duration // from the server back to each visitor's first page that needs the session
		recoveries []time.Duration // from the server back to the end of each visitor's first full round
		relogins   int             // visitors that logged in again after the outage began
		maybeShown int             // flash messages shown that only a request answered 503 had left
	)
	for _, v := range sc.visitors {
		v.report(t)
		maybeShown += v.maybeShown
		// back is the start of the visitor's first full round of pages
		// after the server came back.
		back := time.Now()
		if i := slices.IndexFunc(v.full, func(s span) bool { return !s.start.Before(up) }); i < 0 {
			t.Errorf("%s: no full round of pages in the %v after %s came back; want one within %v",
				v.name, time.Since(up).Round(time.Millisecond), store.title, maxRecovery)
		} else {
			back = v.full[i].start
			d := v.full[i].end.Sub(up)
			recoveries = append(recoveries, d)
			if d > maxRecovery {
				t.Errorf("%s: first full round of pages %v after %s came back; want within %v", v.name, d, store.title, maxRecovery)
			}
		}
		relogin := slices.IndexFunc(v.logins, func(at time.Time) bool { return at.After(down) })
		if relogin >= 0 {
			relogins++
		}
		switch {
		case !store.keeps && relogin < 0:
			t.Errorf("%s: never logged in again after the outage; want a new login (%s restarts empty)", v.name, store.title)
		case store.keeps && v.intactAtFault && relogin >= 0:
			t.Errorf("%s: logged in again %s, after the outage began; want its session kept (%s keeps its sessions)",
				v.name, since(v.logins[relogin], down), store.title)
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
				if h.latency() > maxLatency {
					wrong = append(wrong, fmt.Sprintf("%s %s took %v while %s was down; want under %v",
						h.req, since(h.start, down), h.latency(), store.title, maxLatency))
				}
			}
			if !h.start.Before(killed) && !h.end.After(restarting) { // all while the server was down
				want := http.StatusServiceUnavailable
				if h.req == "GET /static/style.css" {
					want = http.StatusOK
				}
				if h.code != want {
					wrong = append(wrong, fmt.Sprintf("%s %s = %d while %s was down; want %d",
						h.req, since(h.start, down), h.code, store.title, want))
				}
			}
			if h.fault && (h.end.Before(down) || !h.start.Before(back)) {
				wrong = append(wrong, fmt.Sprintf("%s %s = %d (Location %q) before %s went down (at +0s) or after the visitor recovered (%s); want the page",
					h.req, since(h.start, down), h.code, h.location, store.title, since(back, down)))
			}
			if store.keeps && v.intactAtFault && h.lost && !h.end.Before(down) {
				wrong = append(wrong, fmt.Sprintf("%s %s = %d (Location %q): the session was lost; want it kept (%s keeps its sessions)",
					h.req, since(h.start, down), h.code, h.location, store.title))
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
	logged := fmt.Sprintf("%d store errors", storeErrors)
	if store.name == "redis" {
		logged += fmt.Sprintf(" and %d go-redis lines", countLines(blog, redisLog))
	}
	slices.Sort(latencies)
	slices.Sort(resumed)
	slices.Sort(recoveries)
	res := blogresult.Outage{
		Store: store.name, Framework: framework, Visitors: len(sc.visitors), Requests: sc.requests(),
		OutageSeconds: up.Sub(down).Seconds(), OutageAnswers: len(latencies),
		OutageP50ms: ms(percentile(latencies, 50)), OutageP99ms: ms(percentile(latencies, 99)), OutageMaxms: ms(percentile(latencies, 100)),
		ResumedP50ms: ms(percentile(resumed, 50)), ResumedMaxms: ms(percentile(resumed, 100)),
		RecoveryP50ms: ms(percentile(recoveries, 50)), RecoveryMaxms: ms(percentile(recoveries, 100)),
	}
	t.Logf("%d visitors, %d requests; outage %v: %d answers, latency median %v, p99 %v, max %v; after %s was back, first page served: median %v, max %v; first full round done: median %v, max %v; %d visitors logged in again; %d flash messages of requests answered 503 shown later; %s logged",
		res.Visitors, res.Requests, restarting.Sub(killed).Round(time.Millisecond), res.OutageAnswers,
		percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100), store.title,
		percentile(resumed, 50), percentile(resumed, 100),
		percentile(recoveries, 50), percentile(recoveries, 100), relogins, maybeShown, logged)
	report(t, test, res)
}
