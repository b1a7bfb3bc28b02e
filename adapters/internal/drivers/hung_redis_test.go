package drivers_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

const (
	// redisHungSessionPage is the longest a page that needs the session may
	// take while Redis is hung: the store's answer budget (1s), and room
	// for a busy machine.
	redisHungSessionPage = 1500 * time.Millisecond

	// redisHungPlainPage is the longest a page that needs no session may take
	// while Redis is hung: it must not wait for Redis at all.
	redisHungPlainPage = 500 * time.Millisecond

	// redisHungResume is the longest the app may take to serve sessions
	// again once a hung Redis answers.
	redisHungResume = 5 * time.Second

	redisHungVisitors = 4               // each logged in, with a session of its own
	redisHungFor      = 2 * time.Second // how long Redis stays stopped: several breaker cooldowns
)

// TestHungRedis stops redis-server (SIGSTOP) under visitors of a server on
// every adapter, with the store NewFromURL builds, as the example blog
// does: the kernel still accepts connections, and Redis answers nothing.
// Every page that needs the session answers 503 within the store's answer
// budget, the error handler gets an error that names the store and the
// server, a page that needs no session is served as fast as ever, and once
// Redis goes on (SIGCONT) every visitor is served again within seconds,
// still logged in.
func TestHungRedis(t *testing.T) {
	srv := redistest.StartLocal(t)
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) { testHungRedis(t, d, srv) })
	}
}

func testHungRedis(t *testing.T, d adaptertest.Driver, srv *redistest.Server) {
	store, err := redisstore.NewFromURL(srv.URL(), &redisstore.Options{Prefix: "hung:" + core.NewID()[:8] + ":"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m, errs := testkit.NewManager(t, store, nil)
	base := drivers.Serve(t, d, []*core.Manager{m}, redisHungRoutes())
	visitors := make([]*http.Client, redisHungVisitors)
	for i := range visitors {
		visitors[i] = testkit.Browser(t)
		if res, body := testkit.Fetch(t, visitors[i], "POST", fmt.Sprintf("%s/login?user=u%d", base, i)); res.StatusCode != 200 {
			t.Fatalf("login = %d %q", res.StatusCode, body)
		}
	}

	var (
		stop     atomic.Bool
		failed   atomic.Int64 // session pages answered 503
		plain    atomic.Int64 // pages without a session served
		mu       sync.Mutex
		problems []string
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	srv.Pause(t)
	var wg sync.WaitGroup
	for i, c := range visitors {
		wg.Go(func() {
			for !stop.Load() {
				start := time.Now()
				res, body, err := testkit.Do(c, "GET", base+"/me")
				switch d := time.Since(start); {
				case err != nil:
					problem("visitor %d: GET /me: %v", i, err)
				case res.StatusCode != http.StatusServiceUnavailable:
					problem("visitor %d: GET /me = %d %q while Redis was hung; want 503", i, res.StatusCode, body)
				case d > redisHungSessionPage:
					problem("visitor %d: GET /me took %v while Redis was hung; want within %v", i, d, redisHungSessionPage)
				default:
					failed.Add(1)
				}
				start = time.Now()
				res, body, err = testkit.Do(c, "GET", base+"/plain")
				switch d := time.Since(start); {
				case err != nil || res.StatusCode != http.StatusOK || body != "plain":
					problem("visitor %d: GET /plain = %v %q while Redis was hung; want 200", i, err, body)
				case d > redisHungPlainPage:
					problem("visitor %d: GET /plain took %v while Redis was hung; want within %v", i, d, redisHungPlainPage)
				default:
					plain.Add(1)
				}
				time.Sleep(10 * time.Millisecond) // a visitor's pace
			}
		})
	}
	time.Sleep(redisHungFor) // the length of the fault
	stop.Store(true)
	wg.Wait()
	srv.Resume(t)
	back := time.Now()
	for _, p := range problems {
		t.Error(p)
	}
	if failed.Load() == 0 || plain.Load() == 0 {
		t.Errorf("%d session pages answered 503 and %d pages without a session were served while Redis was hung; want some of each", failed.Load(), plain.Load())
	}
	for _, err := range errs.All() {
		if msg := err.Error(); !strings.Contains(msg, "redisstore: ") || !strings.Contains(msg, "Redis at "+srv.Addr()) {
			t.Errorf("the error handler got %q; want an error that names the store and %s", msg, srv.Addr())
			break
		}
	}

	for i, c := range visitors {
		want := fmt.Sprintf("user u%d", i)
		for {
			res, body, err := testkit.Do(c, "GET", base+"/me")
			if err == nil && res.StatusCode == http.StatusOK {
				if body != want {
					t.Fatalf("visitor %d: GET /me after Redis went on = %q; want %q, still logged in", i, body, want)
				}
				break
			}
			if time.Since(back) > redisHungResume {
				t.Fatalf("visitor %d: GET /me %v after Redis went on = %v %v; want 200 within %v", i, time.Since(back), res, err, redisHungResume)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Logf("while Redis was hung: %d session pages answered 503, %d pages without a session served; all visitors served again %v after it went on",
		failed.Load(), plain.Load(), time.Since(back).Round(time.Millisecond))
}

// redisHungRoutes are the routes of TestHungRedis: /login?user=U logs U in,
// /me shows who is logged in, /plain needs no session.
func redisHungRoutes() []adaptertest.Route {
	return []adaptertest.Route{
		{Method: "POST", Path: "/login", Handle: func(c adaptertest.Ctx) {
			s, err := c.Session()
			if err != nil {
				c.Fail(err)
				return
			}
			s.Renew()
			if err := s.Set("user", c.FormValue("user")); err != nil {
				c.Fail(err)
				return
			}
			c.Text(http.StatusOK, "ok")
		}},
		{Method: "GET", Path: "/me", Handle: func(c adaptertest.Ctx) {
			s, err := c.Session()
			if err != nil {
				c.Fail(err)
				return
			}
			u, _ := s.String("user")
			c.Text(http.StatusOK, "user "+u)
		}},
		{Method: "GET", Path: "/plain", Handle: func(c adaptertest.Ctx) { c.Text(http.StatusOK, "plain") }},
	}
}
