package adaptertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file holds the cases of one session under many concurrent writers,
// as a busy single-page app's tabs, or a thief who holds a copy of the
// cookie and keeps the session changing, make them: every commit must
// land, whatever the contention (core.LockingStore).

// The pressure cases' sizes.
const (
	pressureWriters = 32 // writers of their own keys
	pressureWrites  = 50 // writes per writer
	hammerWriters   = 24 // writers of noise while a privilege drop and a renewal land
	hammerRounds    = 5  // privilege drops and renewals under one hammer
)

// Pressure runs the pressure cases for d with sessions in store, a
// server-side store: many writers of their own keys on one session, and a
// privilege drop and a renewal under a hammer of writers on the same
// session.
func Pressure(t *testing.T, d Driver, store core.Store) {
	t.Run("Writers", func(t *testing.T) { testWriters(t, d, store) })
	t.Run("Hammer", func(t *testing.T) { testHammer(t, d, store) })
}

// pressureClient sends requests with a raw session cookie (or token
// header) from many goroutines, over kept-alive connections enough for
// all of them.
type pressureClient struct {
	base string
	http *http.Client
	raw  *client // what makes a raw credential of an ID
}

func newPressureClient(t *testing.T, e *env) *pressureClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &pressureClient{base: e.url, raw: e.client(), http: &http.Client{
		Transport:     tr,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request with the session cookie, or token, id; it is safe
// for concurrent use.
func (c *pressureClient) do(method, path string, form url.Values, id string) (*response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if h := c.raw.header; h != "" {
		req.Header.Set(h, c.raw.raw(id))
	} else {
		req.Header.Set("Cookie", c.raw.raw(id))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return &response{status: resp.StatusCode, body: string(b), header: resp.Header, via: c.raw.header}, nil
}

// must is do that fails t unless the answer is 200.
func (c *pressureClient) must(t *testing.T, method, path string, form url.Values, id string) *response {
	t.Helper()
	r, err := c.do(method, path, form, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusOK {
		t.Fatalf("%s %s = %d %q; want 200", method, path, r.status, r.body)
	}
	return r
}

// dumpOf returns the session of id, as /dump shows it.
func (c *pressureClient) dumpOf(t *testing.T, id string) state {
	t.Helper()
	st := newState()
	if err := json.Unmarshal([]byte(c.must(t, "GET", "/dump", nil, id).body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// testWriters has pressureWriters clients of one session each write their
// own key pressureWrites times, all at once: no request fails, none sets a
// cookie, and every key ends at its last value.
func testWriters(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	id := login(t, e.client(), "alice", 1)
	c := newPressureClient(t, e)
	var wg sync.WaitGroup
	fails := make(chan string, pressureWriters)
	for w := range pressureWriters {
		wg.Go(func() {
			key := fmt.Sprint("w", w)
			for i := range pressureWrites {
				r, err := c.do("POST", "/set", url.Values{"key": {key}, "value": {fmt.Sprint(i)}}, id)
				switch {
				case err != nil:
					fails <- err.Error()
					return
				case r.status != http.StatusOK || r.body != "set":
					fails <- fmt.Sprintf("writer %d, write %d: POST /set = %d %q; want 200", w, i, r.status, r.body)
					return
				case len(r.header.Values("Set-Cookie")) > 0 || r.sendsToken():
					fails <- fmt.Sprintf("writer %d, write %d: POST /set sent %q; want no cookie or token", w, i, r.header)
					return
				}
			}
		})
	}
	wg.Wait()
	close(fails)
	for msg := range fails {
		t.Error(msg)
	}
	if t.Failed() {
		t.Fatalf("ErrorHandler got %d errors, the first: %v", len(e.errs.All()), first(e.errs.All()))
	}
	got := c.dumpOf(t, id)
	last := fmt.Sprint(pressureWrites - 1)
	for w := range pressureWriters {
		if v := got.Keys[fmt.Sprint("w", w)]; v != last {
			t.Errorf("key w%d = %q; want its last value %q", w, v, last)
		}
	}
	if got.Keys["username"] != "alice" {
		t.Errorf("the session lost its user: %s", got)
	}
	if errs := e.errs.All(); len(errs) > 0 {
		t.Errorf("ErrorHandler got %d errors, the first: %v", len(errs), errs[0])
	}
}

func first(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// testHammer has hammerWriters clients of one session write noise to it
// without pause, as a thief who holds the cookie can, while its user drops
// a privilege (deletes a key) and renews the session, hammerRounds times:
// each lands every time, the old ID is dead afterwards, and no request
// fails.
func testHammer(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	c := newPressureClient(t, e)
	var current atomic.Value // the session's ID, which the hammer follows
	current.Store(login(t, e.client(), "alice", 1))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var requests, failed atomic.Int64
	fails := make(chan string, hammerWriters)
	for g := range hammerWriters {
		wg.Go(func() {
			key := fmt.Sprint("noise", g)
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				r, err := c.do("POST", "/set", url.Values{"key": {key}, "value": {fmt.Sprint(n)}}, current.Load().(string))
				requests.Add(1)
				if err != nil {
					fails <- err.Error()
					return
				}
				if r.status != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	var ended []string
	for round := range hammerRounds {
		id := current.Load().(string)
		c.must(t, "POST", "/set", url.Values{"key": {"role"}, "value": {"admin"}}, id)
		c.must(t, "POST", "/ops", url.Values{"ops": {"del:role"}}, id)
		if v := c.must(t, "GET", "/get?key=role", nil, id).body; v != "" {
			t.Fatalf("round %d: the deleted role reads %q; want it gone", round, v)
		}
		r := c.must(t, "POST", "/ops", url.Values{"ops": {"renew"}}, id)
		tok, _ := r.token()
		if tok == "" || tok == id {
			t.Fatalf("round %d: the renewal sent %q; want a new session cookie or token", round, r.header)
		}
		current.Store(tok)
		ended = append(ended, id)
		if st := c.dumpOf(t, id); !st.equal(newState()) {
			t.Fatalf("round %d: the renewed session's old ID reads %s; want nothing", round, st)
		}
	}
	close(stop)
	wg.Wait()
	close(fails)
	for msg := range fails {
		t.Error(msg)
	}
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of the hammer's %d requests failed; want none (errors: %v)", n, requests.Load(), first(e.errs.All()))
	}
	// Once the hammer has stopped, every old ID is still dead, and the
	// session is the user's, without the role.
	for _, id := range ended {
		if st := c.dumpOf(t, id); !st.equal(newState()) {
			t.Errorf("an old ID reads %s after the hammer; want nothing", st)
		}
	}
	got := c.dumpOf(t, current.Load().(string))
	if _, ok := got.Keys["role"]; ok || got.Keys["username"] != "alice" {
		t.Errorf("the session holds %s; want alice's, without the role", got)
	}
	if errs := e.errs.All(); len(errs) > 0 {
		t.Errorf("ErrorHandler got %d errors, the first: %v", len(errs), errs[0])
	}
	t.Logf("the hammer sent %d requests", requests.Load())
}
