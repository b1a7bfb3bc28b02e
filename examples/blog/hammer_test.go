package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
	"github.com/transient-go/transient/core/storetest/delayproxy"
)

// hammerWriters is how many goroutines of a thief keep writing to the
// session whose cookie they copied.
const hammerWriters = 24

// TestPasswordChangeUnderHammer has a thief who copied carol's cookie keep
// her session changing from 24 goroutines (an article posted, the page
// after it popping the flash, again and again) while carol changes her
// password, with each server-side store, Redis and PostgreSQL a
// millisecond away: the change lands, the thief's copy is dead afterwards,
// and no request fails.
func TestPasswordChangeUnderHammer(t *testing.T) {
	if testing.Short() {
		t.Skip("three stores under a hammer: not in -short")
	}
	for _, store := range []string{"memory", "redis", "postgres"} {
		t.Run(store, func(t *testing.T) {
			var storeURL string
			switch store {
			case "redis":
				storeURL = delayed(t, redistest.StartLocal(t).URL())
			case "postgres":
				storeURL = delayed(t, pgtest.Start(t).URL())
			}
			testPasswordUnderHammer(t, startBlog(t, "nethttp", store, storeURL))
		})
	}
}

// delayed returns rawURL with its host:port replaced by a delayproxy's, a
// millisecond away each way.
func delayed(t *testing.T, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = delayproxy.Start(t, u.Host, time.Millisecond)
	return u.String()
}

func testPasswordUnderHammer(t *testing.T, base string) {
	carol := newClient(t, base)
	wantRedirect(t, carol.login("carol", carolPassword, nil), "/dashboard")
	stolen := carol.cookie()
	token := carol.csrfToken("/articles/new")

	tr := &http.Transport{MaxIdleConnsPerHost: hammerWriters}
	defer tr.CloseIdleConnections()
	thief := &http.Client{Transport: tr, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	send := func(method, path string, form url.Values) (int, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Cookie", "session="+stolen)
		req.Header.Set("Origin", base)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := thief.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var requests, failed atomic.Int64
	errs := make(chan error, hammerWriters)
	var warm sync.WaitGroup // each writer has written once
	warm.Add(hammerWriters)
	for range hammerWriters {
		wg.Go(func() {
			for n := 0; ; n++ {
				if n == 1 {
					warm.Done()
				}
				select {
				case <-stop:
					return
				default:
				}
				for _, step := range []struct {
					method, path string
					form         url.Values
				}{
					{"POST", "/articles", url.Values{"title": {"noise"}, "body": {"noise"}, "csrf_token": {token}}},
					{"GET", "/articles", nil},
				} {
					code, err := send(step.method, step.path, step.form)
					requests.Add(1)
					if err != nil {
						errs <- err
						if n == 0 {
							warm.Done()
						}
						return
					}
					if code >= 500 {
						failed.Add(1)
					}
				}
			}
		})
	}

	warm.Wait()
	const newPassword = "a new password for carol"
	r := carol.post("/password", url.Values{"current": {carolPassword}, "new": {newPassword}, "csrf_token": {token}})
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wantRedirect(t, r, "/sessions")
	if carol.cookie() == stolen {
		t.Fatalf("the password change kept the session's ID; want a new one")
	}
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of the thief's %d requests answered 5xx; want none", n, requests.Load())
	}
	wantPage(t, carol.get("/sessions"), http.StatusOK, "Password changed; your other sessions were signed out.")
	// The thief's copy is dead: it is sent to the login page.
	copied := newClient(t, base)
	copied.setCookie(stolen)
	wantRedirect(t, copied.get("/dashboard"), "/login?next=%2Fdashboard")
	t.Logf("the thief sent %d requests", requests.Load())
}
