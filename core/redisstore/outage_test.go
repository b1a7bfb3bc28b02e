package redisstore_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestOutage kills redis-server under a run of concurrent clients, each
// its own user, and starts it again: while it is down requests fail fast
// with 503; once it is back they succeed without restarting the app, as
// anonymous visitors since the empty server lost every session; no
// response ever carries another user's data; and no goroutine is left
// behind.
func TestOutage(t *testing.T) {
	srv := redistest.StartLocal(t)
	base := runtime.NumGoroutine()
	store, err := redisstore.NewFromURL(srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := (&app{}).serve(t, newManager(t, store))
	tr := &http.Transport{}

	const users = 8
	var (
		down      atomic.Bool
		stop      atomic.Bool
		ok, anon  atomic.Int64
		failed    atomic.Int64 // 503s while Redis was down
		back      atomic.Int64 // Unix nanoseconds when Redis was back
		firstAnon atomic.Int64 // Unix nanoseconds of the first anonymous answer
		recovered atomic.Int64 // clients answered 200 since Redis was back
		mu        sync.Mutex
		problems  []string
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	clients := make([]*userClient, users)
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		clients[i] = &userClient{base: hs.URL, user: fmt.Sprint("u", i), c: &http.Client{Transport: tr, Jar: jar}}
		if code, body := clients[i].login(); code != http.StatusOK {
			t.Fatalf("login = %d %q", code, body)
		}
	}

	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			counted := false
			for n := 0; n < 5000 && !stop.Load(); n++ {
				start := time.Now()
				code, body := c.get("/me")
				if b := back.Load(); code == http.StatusOK && b != 0 && start.UnixNano() > b && !counted {
					counted = true
					recovered.Add(1)
				}
				if d := time.Since(start); d > time.Second {
					problem("%s: GET /me took %v", c.user, d)
				}
				switch {
				case code == http.StatusOK && body == "user "+c.user:
					ok.Add(1)
				case code == http.StatusOK && body == "anonymous":
					anon.Add(1)
					firstAnon.CompareAndSwap(0, time.Now().UnixNano())
					c.login() // its outcome is checked by the next GET
				case code == http.StatusOK:
					problem("%s: GET /me = %q: another user's data", c.user, body)
				case code == http.StatusServiceUnavailable:
					if down.Load() {
						failed.Add(1)
					}
				default:
					problem("%s: GET /me = %d %q; want 200 or 503", c.user, code, body)
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	down.Store(true)
	srv.Kill(t)
	time.Sleep(500 * time.Millisecond)
	srv.Restart(t)
	down.Store(false)
	back.Store(time.Now().UnixNano())
	// go-redis probes a server that refused it about once a second.
	for deadline := time.Now().Add(10 * time.Second); recovered.Load() < users && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("ok=%d anonymous=%d 503-while-down=%d; first answer after the restart in %v",
		ok.Load(), anon.Load(), failed.Load(), time.Duration(firstAnon.Load()-back.Load()))
	if failed.Load() == 0 {
		t.Error("no request failed with 503 while Redis was down")
	}
	if anon.Load() < users {
		t.Errorf("%d anonymous answers after the restart; want one per client at least (every session was lost)", anon.Load())
	}

	// After the restart every client works again, in the same app.
	for _, c := range clients {
		code, body := c.get("/me")
		for code != http.StatusOK && time.Since(time.Unix(0, back.Load())) < 5*time.Second {
			time.Sleep(50 * time.Millisecond)
			code, body = c.get("/me")
		}
		if body == "anonymous" {
			code, body = c.login()
		}
		if code != http.StatusOK || body != "user "+c.user {
			t.Fatalf("%s after the restart: %d %q; want 200 %q", c.user, code, body, "user "+c.user)
		}
		if code, body := c.get("/me"); code != http.StatusOK || body != "user "+c.user {
			t.Fatalf("%s: GET /me after the restart = %d %q; want 200 %q", c.user, code, body, "user "+c.user)
		}
	}

	hs.Close()
	tr.CloseIdleConnections()
	if err := store.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	waitGoroutines(t, base)
}

// waitGoroutines fails t unless the number of goroutines falls back to
// base within a few seconds.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			var buf bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
			t.Fatalf("%d goroutines; want %d at most. Goroutines:\n%s", runtime.NumGoroutine(), base, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// userClient is one user's browser.
type userClient struct {
	base, user string
	c          *http.Client
}

func (c *userClient) login() (int, string)          { return c.send("POST", "/login?user="+c.user) }
func (c *userClient) get(path string) (int, string) { return c.send("GET", path) }

func (c *userClient) send(method, path string) (int, string) {
	req, _ := http.NewRequest(method, c.base+path, nil)
	resp, err := c.c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}
