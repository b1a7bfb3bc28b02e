package blog_test

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// What a hung PostgreSQL may cost the blog: requirements, not test
// timeouts.
const (
	hungLength      = 4 * time.Second         // how long PostgreSQL stays hung, at least
	hungSessionPage = 1500 * time.Millisecond // a page that uses the session answers 503 within
)

// TestFaultStoreHung proves that the blog on PostgreSQL, with its defaults
// (-store postgres), under load from visitors each with a session of its
// own, survives PostgreSQL hanging on every framework: the server is
// stopped (SIGSTOP, every process of it), so that its port still accepts
// connections but nothing answers, then continued (SIGCONT). While it
// hangs, every page that needs the session is a 503 that leaves the
// visitor's cookie alone, answered within hungSessionPage (and the
// longest the machine stopped the test's own process meanwhile), and the
// stylesheet, which needs none, is served; within maxRecovery of the
// server answering again, every visitor has gone through a full round of
// pages, with the session it had: PostgreSQL lost nothing, so no visitor
// intact when it hung is sent to the login page or logs in again.
func TestFaultStoreHung(t *testing.T) {
	if testing.Short() {
		t.Skip("load and a hung PostgreSQL on every framework: not in -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("pgtest pauses a server on Linux only")
	}
	for _, framework := range frameworks {
		t.Run("postgres/"+framework, func(t *testing.T) {
			t.Parallel() // two at a time on two CPUs
			storeHung(t, framework)
		})
	}
}

// storeHung runs TestFaultStoreHung's fault on one framework.
func storeHung(t *testing.T, framework string) {
	server := pgtest.StartLocal(t) // the blog creates its table
	blog := startBlog(t, "-framework", framework, "-store", "postgres", "-postgres", server.URL())
	sc := startScene(t, blog.url, faultVisitors)
	stalls := startStallMeter(t)

	down := time.Now()
	sc.down.Store(down.UnixNano())
	server.Pause(t)
	paused := time.Now()
	marks := sc.marks()
	time.Sleep(hungLength) // the fault lasts, for the store to give up on the server and probe it again: not synchronisation
	if !sc.awaitAnswers(marks, outageAnswers, 30*time.Second) {
		t.Errorf("the visitors did not all get %d answers within 30s of PostgreSQL hanging", outageAnswers)
	}
	resuming := time.Now()
	server.Resume(t)
	up := time.Now()
	sc.up.Store(up.UnixNano())
	if sc.await(up, maxRecovery+10*time.Second) { // measured below
		sc.await(time.Now(), 30*time.Second) // and one more round, steady again
	}
	sc.halt()

	allowed := hungSessionPage + stalls.max()
	var latencies, recoveries []time.Duration
	for _, v := range sc.visitors {
		v.report(t)
		if i := slices.IndexFunc(v.full, func(s span) bool { return !s.start.Before(up) }); i < 0 {
			t.Errorf("%s: no full round of pages in the %v after PostgreSQL answered again; want one within %v", v.name, time.Since(up).Round(time.Millisecond), maxRecovery)
		} else {
			d := v.full[i].end.Sub(up)
			recoveries = append(recoveries, d)
			if d > maxRecovery {
				t.Errorf("%s: first full round of pages %v after PostgreSQL answered again; want within %v", v.name, d, maxRecovery)
			}
		}
		if relogin := slices.IndexFunc(v.logins, func(at time.Time) bool { return at.After(down) }); v.intactAtFault && relogin >= 0 {
			t.Errorf("%s: logged in again %s, after PostgreSQL hung; want its session kept", v.name, since(v.logins[relogin], down))
		}
		var wrong []string
		for _, h := range v.hits {
			if !h.end.Before(paused) && !h.start.After(resuming) {
				latencies = append(latencies, h.latency())
				if h.latency() >= allowed {
					wrong = append(wrong, fmt.Sprintf("%s %s took %v while PostgreSQL hung; want under %v", h.req, since(h.start, down), h.latency(), allowed))
				}
			}
			if !h.start.Before(paused) && !h.end.After(resuming) {
				want := http.StatusServiceUnavailable
				if h.req == "GET /static/style.css" {
					want = http.StatusOK
				}
				if h.code != want {
					wrong = append(wrong, fmt.Sprintf("%s %s = %d while PostgreSQL hung; want %d", h.req, since(h.start, down), h.code, want))
				}
			}
			if v.intactAtFault && h.lost && !h.end.Before(down) {
				wrong = append(wrong, fmt.Sprintf("%s %s = %d (Location %q): the session was lost; want it kept", h.req, since(h.start, down), h.code, h.location))
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
	slices.Sort(latencies)
	slices.Sort(recoveries)
	t.Logf("%d visitors, %d requests; PostgreSQL hung %v: %d answers, latency median %v, p99 %v, max %v (the machine stalled the test for %v at most); after it answered again, first full round done: median %v, max %v; %d store errors logged",
		len(sc.visitors), sc.requests(), resuming.Sub(paused).Round(time.Millisecond), len(latencies),
		percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100), stalls.max().Round(time.Millisecond),
		percentile(recoveries, 50), percentile(recoveries, 100), storeErrors)
}

// A stallMeter measures how long the machine stops the test's process at
// worst: a goroutine that sleeps 5ms at a time records the longest it
// overslept. The blog, on the same machine, is stopped as long.
type stallMeter struct{ worst atomic.Int64 }

// startStallMeter starts a stallMeter, stopped by t.Cleanup.
func startStallMeter(t *testing.T) *stallMeter {
	m := &stallMeter{}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		const tick = 5 * time.Millisecond
		for {
			start := time.Now()
			select {
			case <-stop:
				return
			case <-time.After(tick):
			}
			if over := int64(time.Since(start) - tick); over > m.worst.Load() {
				m.worst.Store(over)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return m
}

// max returns the longest stall so far.
func (m *stallMeter) max() time.Duration { return time.Duration(m.worst.Load()) }
