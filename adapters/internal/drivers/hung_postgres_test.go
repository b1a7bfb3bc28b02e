package drivers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// What a hung PostgreSQL may cost the application: requirements, not test
// timeouts.
const (
	hungSessionPage = 1500 * time.Millisecond // a page that uses the session answers 503 within
	hungOtherPage   = 100 * time.Millisecond  // half the pages that do not use it answer within
	hungRecovery    = 5 * time.Second         // once PostgreSQL runs again, session pages answer 200 within
	hungFor         = 4 * time.Second         // how long the test keeps PostgreSQL hung
	hungVisitors    = 3                       // concurrent visitors per adapter
)

// TestHungPostgres stops PostgreSQL (SIGSTOP, every process of it) under
// visitors of every adapter, over real HTTP, with pgstore's defaults: its
// port still accepts connections, but nothing answers. Each page that uses
// the session answers 503 within hungSessionPage, and the error the
// ErrorHandler gets names PostgreSQL's address; the pages that do not use
// the session are not held up; and once PostgreSQL runs again (SIGCONT),
// every visitor's session page answers 200 within hungRecovery, with the
// session it had, without restarting anything.
//
// A busy machine stops the test's process now and then, and every page in
// flight waits: the longest a page that uses no store waited meanwhile is
// allowed on top of hungSessionPage.
func TestHungPostgres(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pgtest pauses a server on Linux only")
	}
	srv := pgtest.StartLocal(t)
	if err := pgstore.Migrate(context.Background(), srv.Pool(t), nil); err != nil {
		t.Fatal(err)
	}
	store, err := pgstore.NewFromURL(srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })

	type visitor struct {
		name    string
		base    string
		browser *http.Client
		errs    *testkit.ErrorLog
		hits    []hit
	}
	var visitors []*visitor
	for _, d := range drivers.All() {
		m, errs := testkit.NewManager(t, store, nil)
		base := drivers.Serve(t, d, []*core.Manager{m}, hungRoutes)
		for i := range hungVisitors {
			v := &visitor{name: fmt.Sprintf("%s visitor %d", d.Name(), i), base: base, browser: testkit.Browser(t), errs: errs}
			if res, body := testkit.Fetch(t, v.browser, "GET", base+"/set?v="+url.QueryEscape(v.name)); res.StatusCode != 200 {
				t.Fatalf("%s: GET /set = %d %q", v.name, res.StatusCode, body)
			}
			visitors = append(visitors, v)
		}
	}

	srv.Pause(t)
	down := time.Now()
	var wg sync.WaitGroup
	for _, v := range visitors {
		wg.Go(func() {
			for time.Since(down) < hungFor {
				v.hits = append(v.hits, get(v.browser, v.base+"/get"), get(v.browser, v.base+"/static"))
			}
		})
	}
	wg.Wait()
	srv.Resume(t)
	up := time.Now()
	for _, v := range visitors {
		wg.Go(func() {
			for time.Since(up) < time.Minute {
				h := get(v.browser, v.base+"/get")
				v.hits = append(v.hits, h)
				if h.code == 200 {
					return
				}
			}
		})
	}
	wg.Wait()

	var session, other []time.Duration
	var resumed time.Duration
	for _, v := range visitors {
		for _, h := range v.hits {
			if h.end.Before(up) && h.path == "/static" {
				other = append(other, h.took())
				if h.code != 200 {
					t.Errorf("%s: GET /static while PostgreSQL hung = %d %q; want 200", v.name, h.code, h.body)
				}
			}
		}
	}
	slices.Sort(other)
	stalls := other[len(other)-1] // the machine's, not the store's
	for _, v := range visitors {
		for _, h := range v.hits {
			switch {
			case h.end.Before(up) && h.path == "/static":
			case h.end.Before(up):
				session = append(session, h.took())
				if h.code != http.StatusServiceUnavailable || h.took() >= hungSessionPage+stalls {
					t.Errorf("%s: GET /get while PostgreSQL hung = %d %q after %v; want 503 within %v (and %v the machine held pages up)",
						v.name, h.code, h.body, h.took(), hungSessionPage, stalls)
				}
			case h.code == 200:
				resumed = max(resumed, h.end.Sub(up))
				if h.body != v.name {
					t.Errorf("%s: GET /get after PostgreSQL resumed = %q; want the session it had, %q", v.name, h.body, v.name)
				}
			}
		}
		if last := v.hits[len(v.hits)-1]; last.code != 200 || last.end.Sub(up) >= hungRecovery {
			t.Errorf("%s: GET /get after PostgreSQL resumed = %d %q, %v after; want 200 within %v", v.name, last.code, last.body, last.end.Sub(up), hungRecovery)
		}
		errs := v.errs.All()
		if i := slices.IndexFunc(errs, func(err error) bool {
			return !errors.Is(err, core.ErrStore) || !strings.Contains(err.Error(), "PostgreSQL at 127.0.0.1:")
		}); i >= 0 {
			t.Errorf("%s: the ErrorHandler got %v; want errors matching core.ErrStore that name PostgreSQL's address", v.name, errs[i])
		}
	}
	slices.Sort(session)
	t.Logf("PostgreSQL hung for %v: %d session pages, 503 after median %v, max %v; %d other pages, median %v, max %v; after SIGCONT every visitor's session page answered within %v",
		up.Sub(down).Round(time.Millisecond), len(session), session[len(session)/2].Round(time.Millisecond), session[len(session)-1].Round(time.Millisecond),
		len(other), other[len(other)/2].Round(time.Microsecond), stalls.Round(time.Millisecond), resumed.Round(time.Millisecond))
	if median := other[len(other)/2]; median >= hungOtherPage {
		t.Errorf("pages that do not use the session answered after a median %v while PostgreSQL hung; want within %v", median, hungOtherPage)
	}
}

// hungRoutes are the pages of TestHungPostgres: /set and /get write and
// read the session, /static does not use it.
var hungRoutes = []adaptertest.Route{
	{Method: "GET", Path: "/set", Handle: func(c adaptertest.Ctx) {
		s, err := c.Session()
		if err != nil {
			c.Fail(err)
			return
		}
		if err := s.Set("v", c.FormValue("v")); err != nil {
			c.Fail(err)
			return
		}
		c.Text(200, "set")
	}},
	{Method: "GET", Path: "/get", Handle: func(c adaptertest.Ctx) {
		s, err := c.Session()
		if err != nil {
			c.Fail(err)
			return
		}
		v, _ := s.String("v")
		c.Text(200, v)
	}},
	{Method: "GET", Path: "/static", Handle: func(c adaptertest.Ctx) { c.Text(200, "static") }},
}

// A hit is one request of a visitor.
type hit struct {
	path       string
	start, end time.Time
	code       int // 0: no answer
	body       string
}

func (h hit) took() time.Duration { return h.end.Sub(h.start) }

// get sends GET url and records it.
func get(c *http.Client, url string) hit {
	h := hit{path: url[strings.LastIndex(url, "/"):], start: time.Now()}
	res, body, err := testkit.Do(c, "GET", url)
	h.end = time.Now()
	if err == nil {
		h.code, h.body = res.StatusCode, body
	} else {
		h.body = err.Error()
	}
	return h
}
