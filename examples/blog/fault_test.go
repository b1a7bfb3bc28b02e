package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// The fault tests put the blog under load from many visitors at once, each
// logged in as a user of its own, while something goes wrong underneath:
// the Redis server dies and comes back (TestFaultRedisOutage), or the
// cookie store's secret is rotated (TestFaultSecretRotation). Each visitor
// checks every page it gets as it goes: whose name it shows, which flash
// messages, which status; the test then checks the run as a whole (the
// timing, the blog's error log).

const (
	faultVisitors    = 16                     // concurrent visitors, each a user of its own
	faultSteady      = 300 * time.Millisecond // load before the fault and after the recovery
	outageLength     = 2 * time.Second        // how long Redis stays down
	maxOutageLatency = time.Second            // the slowest answer allowed while Redis is down
	maxRecovery      = 5 * time.Second        // from Redis back to a full round of pages, for every visitor

	// redisTimeout is the Redis store's deadline in TestFaultRedisOutage,
	// four times the default: on a loaded machine under the race detector,
	// a healthy Redis can take longer than 500ms to answer, and the page
	// would be a 503. It also makes maxOutageLatency mean more: a page
	// answered in less while Redis is down was failed by the refused
	// connection, not by the deadline.
	redisTimeout = 2 * time.Second
)

// TestFaultRedisOutage proves that the blog on the Redis store (with a
// deadline of redisTimeout), under load from visitors each logged in as a
// user of its own, survives a Redis crash (SIGKILL) on every framework:
// while Redis is down, every page that needs the session is a 503 that
// leaves the visitor's cookie alone, answered in under maxOutageLatency,
// and the stylesheet, which needs none, is still served; within
// maxRecovery of Redis coming back (empty: redistest.Restart keeps
// nothing), every visitor has logged in again and gone through a full
// round of pages; no page ever shows another user's name or a flash
// message the visitor did not cause; and nothing panics (the blog logs
// nothing but the store's failures).
func TestFaultRedisOutage(t *testing.T) {
	us := faultUsers(t, faultVisitors)
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel() // two at a time on two CPUs
			redis := redistest.StartLocal(t)
			var log logRecorder
			cfg := testConfig(framework, "redis")
			cfg.users, cfg.log = us, slog.New(&log)
			// The store newStore makes, with a deadline of redisTimeout
			// rather than 500ms.
			st, err := redisstore.NewFromURL(redis.URL(), &redisstore.Options{Timeout: redisTimeout})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			sc := startScene(t, serveBlog(t, cfg, st), us)

			time.Sleep(faultSteady)
			down := time.Now()
			sc.down.Store(down.UnixNano())
			redis.Kill(t)
			killed := time.Now()
			time.Sleep(outageLength)
			restarting := time.Now()
			redis.Restart(t)
			up := time.Now()
			sc.up.Store(up.UnixNano())
			recovered := sc.await(up, maxRecovery+3*time.Second) // measured below
			if recovered {
				time.Sleep(faultSteady)
			}
			sc.halt()

			var (
				latencies  []time.Duration // of the answers given while Redis was down
				recoveries []time.Duration
				requests   int
			)
			for _, v := range sc.visitors {
				v.report(t)
				requests += len(v.hits)
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
			storeErrors := log.check(t, down)
			slices.Sort(latencies)
			slices.Sort(recoveries)
			t.Logf("%d visitors, %d requests; outage %v: %d answers, latency median %v, p99 %v, max %v; recovery after Redis was back: median %v, max %v; %d store errors logged",
				len(sc.visitors), requests, restarting.Sub(killed).Round(time.Millisecond), len(latencies),
				percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100),
				percentile(recoveries, 50), percentile(recoveries, 100), storeErrors)
		})
	}
}

// TestFaultSecretRotation proves that the cookie store's secret can be
// rotated under load on every framework, as README.md tells: the blog runs
// with -secret A while visitors, each logged in as a user of its own, go
// round its pages; a new blog process starts with -secret B,A and the
// visitors move over to it, as behind a load balancer during a deploy.
// Every visitor stays logged in, without logging in again; the first page
// it gets from the new blog re-issues its cookie under B: that cookie
// verifies with B alone, and no longer with A alone, and so do all the
// cookies after it. No page is a 5xx or shows another user's name or a
// flash message the visitor did not cause, and nothing panics (neither
// blog logs anything).
func TestFaultSecretRotation(t *testing.T) {
	const (
		secretA = "the secret the blog started with: 32 bytes or more"
		secretB = "the secret it rotated to: also 32 bytes or more"
	)
	onlyA, onlyB := newCookieStore(t, secretA), newCookieStore(t, secretB)
	us := faultUsers(t, faultVisitors)
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel()
			var logA, logB logRecorder
			cfg := testConfig(framework, "cookie")
			cfg.addr, cfg.secret, cfg.users, cfg.log = "127.0.0.1:0", secretA, us, slog.New(&logA)
			sc := startScene(t, serveCookieBlog(t, cfg), us)
			time.Sleep(faultSteady)

			cfg.secret, cfg.log = secretB+","+secretA, slog.New(&logB) // as -secret B,A
			if err := cfg.check(nil); err != nil {
				t.Fatalf("check(-secret B,A) = %v; want nil", err)
			}
			base := serveCookieBlog(t, cfg)
			moved := time.Now()
			sc.base.Store(&base)
			for range 2 { // every visitor goes round twice on the new blog
				if !sc.await(time.Now(), 10*time.Second) {
					t.Errorf("the visitors did not all go round the new blog's pages within 10s")
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
				wantCookie(t, v, "the cookie before the rotation", mv.cookie, v.name, onlyA, onlyB)
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
						user = v.name
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
				wantCookie(t, v, "the cookie at the end", v.c.cookie(), v.name, onlyB, onlyA)
				for i, h := range v.hits {
					if h.fault || h.code >= 500 {
						t.Errorf("%s: %s (request %d) = %d; want no error", v.name, h.req, i+1, h.code)
						break
					}
				}
			}
			logA.check(t, time.Time{})
			logB.check(t, time.Time{})
			var requests int
			for _, v := range sc.visitors {
				requests += len(v.hits)
			}
			t.Logf("%d visitors, %d requests, all on the new blog within %v of its start",
				len(sc.visitors), requests, sc.lastMove().Sub(moved).Round(time.Millisecond))
		})
	}
}

// serveCookieBlog serves the blog on the cookie store for cfg.
func serveCookieBlog(t *testing.T, cfg config) string {
	t.Helper()
	st, err := newStore(cfg)
	if err != nil {
		t.Fatalf("newStore(-secret %.12q...) = %v", cfg.secret, err)
	}
	return serveBlog(t, cfg, st)
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

// faultUsers returns n accounts, user01, user02..., each with a password
// of its own (see password). Their hashes have bcrypt.MinCost: at the demo
// accounts' cost, a login takes most of a second under the race detector,
// and the visitors log in again after an outage.
func faultUsers(t *testing.T, n int) users {
	t.Helper()
	us := make(users, n)
	for i := range n {
		name := fmt.Sprintf("user%02d", i+1)
		hash, err := bcrypt.GenerateFromPassword([]byte(password(name)), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		us[name] = user{ID: 100 + i, Name: name, hash: string(hash)}
	}
	return us
}

func password(name string) string { return "the password of " + name }

// percentile returns the p-th percentile of sorted durations, or 0.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)].Round(100 * time.Microsecond)
}

// logRecorder is a slog.Handler that keeps what the blog logs: its errors,
// and its server's, such as a handler's panic. It is safe for concurrent
// use.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// WithAttrs and WithGroup drop what they are given: the blog uses neither.
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// check fails t for every record but the blog's reports of a session
// store failure (core.ErrStore) logged from the time from on, and returns
// how many of those there were. A zero from allows none.
func (l *logRecorder) check(t *testing.T, from time.Time) int {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	n, bad := 0, 0
	for _, r := range l.records {
		var err error
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "err" {
				err, _ = a.Value.Any().(error)
			}
			return true
		})
		if !from.IsZero() && !r.Time.Before(from) && r.Message == "session" && errors.Is(err, core.ErrStore) {
			n++
			continue
		}
		if bad++; bad <= 3 {
			var attrs []string
			r.Attrs(func(a slog.Attr) bool {
				attrs = append(attrs, a.String())
				return true
			})
			when := "before the fault"
			if !from.IsZero() && !r.Time.Before(from) {
				when = "during the fault"
			}
			t.Errorf("the blog logged %s %q %s %s; want nothing but store failures during the fault",
				r.Level, r.Message, strings.Join(attrs, " "), when)
		}
	}
	if bad > 3 {
		t.Errorf("and %d more log records", bad-3)
	}
	return n
}
