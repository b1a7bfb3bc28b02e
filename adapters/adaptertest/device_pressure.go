package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// testDeviceTwoServers serves one origin from two app servers over the
// same store, behind a proxy that sends each request to the next server
// in turn: registration and every refresh work whichever server answers,
// since the session carries its binding.
func testDeviceTwoServers(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	m2, errs2 := testkit.NewManager(t, store, func(o *core.Options) {
		o.Clock, o.DeviceBinding = e.clock.Now, &core.DeviceBinding{}
	})
	second := serve(t, d, []*core.Manager{m2}, deviceRoutes(m2, e.prefix))
	var turn atomic.Uint64
	targets := []string{e.url, second}
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		u, _ := url.Parse(targets[turn.Add(1)%2])
		r.SetURL(u)
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(proxy.Close)
	lb := &deviceEnv{t: t, url: proxy.URL, clock: e.clock, errs: e.errs, m: e.m, prefix: e.prefix}
	b := e.browser()
	lb.loginBound(b, "alice")
	for range 5 {
		e.clock.Advance(lifetime + time.Second)
		lb.wantHome(b, "alice bound")
		lb.wantHome(b, "alice bound")
	}
	e.noErrors()
	if errs := errs2.All(); len(errs) > 0 {
		t.Fatalf("the second server's ErrorHandler got %v", errs)
	}
}

// testDeviceTabs runs tabs of one browser that each refresh on their own
// when the bound cookie expires (a browser that does not wait for one
// refresh, as the draft advises): they send the same cached challenge or
// none, at once, and the server takes one proof per challenge. Every tab
// ends bound, none is locked out, round after round.
func testDeviceTabs(t *testing.T, d Driver, store core.Store) {
	e := newDeviceEnv(t, d, store, nil)
	b := e.browser()
	b.ConcurrentRefreshes = true
	e.loginBound(b, "alice")
	const tabs, rounds = 4, 5
	for round := range rounds {
		e.clock.Advance(lifetime + time.Second)
		start := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]string, tabs)
		for i := range tabs {
			wg.Go(func() {
				<-start
				status, body, err := tryFetch(b, http.MethodGet, e.url+"/home", nil)
				if err != nil || status != http.StatusOK {
					results[i] = "error"
					return
				}
				results[i] = body
			})
		}
		close(start)
		wg.Wait()
		for i, r := range results {
			if r != "alice bound" {
				t.Fatalf("round %d, tab %d got %q; want alice bound (every tab: %q, stats %+v)", round, i, r, results, b.Stats())
			}
		}
	}
	e.wantHome(b, "alice bound")
	e.noErrors()
}
