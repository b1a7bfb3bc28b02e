package blog_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/bench/internal/blogresult"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// burstLogins is how many visitors log in at the same moment.
const burstLogins = 200

// TestLoginBurst proves that a healthy Redis or PostgreSQL does not turn a
// burst of logins into errors. On every framework, the blog runs on the
// store with its defaults (-store redis, -store postgres); 200 visitors
// open the login form, then all post it at the same moment. Each login
// checks a bcrypt hash of the default cost, so the burst keeps both CPUs
// busy for seconds, and the blog's calls to the store wait for a CPU and
// for a pooled connection: they may be slow, but every login must succeed
// (303 to /dashboard, no 5xx), and every visitor's next page must show it
// logged in, with its welcome message.
func TestLoginBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("a burst of 200 logins per framework and store takes about a minute: not in -short")
	}
	for _, store := range []string{"redis", "postgres"} {
		for _, framework := range frameworks {
			t.Run(store+"/"+framework, func(t *testing.T) { // one at a time: each burst takes every CPU
				loginBurst(t, framework, store)
			})
		}
	}
}

// loginBurst runs TestLoginBurst's burst on one framework and store.
func loginBurst(t *testing.T, framework, store string) {
	var blog *blogProc
	switch store {
	case "redis":
		redis := redistest.StartLocal(t)
		blog = startBlog(t, "-framework", framework, "-store", "redis", "-redis", redis.URL())
	case "postgres":
		db := pgtest.Start(t)
		blog = startBlog(t, "-framework", framework, "-store", "postgres", "-postgres", db.URL())
	}
	names := slices.Sorted(maps.Keys(accounts))

	type visitor struct {
		user  string
		c     *client
		token string
		r     response
		err   error
		took  time.Duration
	}
	vs := make([]*visitor, burstLogins)
	for i := range vs {
		v := &visitor{user: names[i%len(names)], c: newClient(t, blog.url)}
		r, err := v.c.send("GET", "/login", nil)
		if err != nil || r.code != http.StatusOK || csrfToken(r) == "" {
			t.Fatalf("visitor %d: GET /login = %d, %v; want 200 with a login form:\n%s", i, r.code, err, r.body)
		}
		v.token = csrfToken(r)
		vs[i] = v
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, v := range vs {
		wg.Go(func() {
			form := url.Values{"username": {v.user}, "password": {accounts[v.user]}, "csrf_token": {v.token}}
			<-start
			t0 := time.Now()
			v.r, v.err = v.c.send("POST", "/login", form)
			v.took = time.Since(t0)
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)

	res := blogresult.Burst{Framework: framework, Store: store, Logins: len(vs), Seconds: elapsed.Seconds()}
	var latencies []time.Duration
	var wrong []string
	for i, v := range vs {
		latencies = append(latencies, v.took)
		switch {
		case v.err != nil:
			res.Failed++
			wrong = append(wrong, fmt.Sprintf("visitor %d (%s): POST /login: %v", i, v.user, v.err))
		case v.r.code >= 500:
			res.Failed++
			res.Errors5xx++
			wrong = append(wrong, fmt.Sprintf("visitor %d (%s): POST /login = %d after %v: %s", i, v.user, v.r.code, v.took.Round(time.Millisecond), pageError(v.r.body)))
		case v.r.code != http.StatusSeeOther || v.r.location != "/dashboard":
			res.Failed++
			wrong = append(wrong, fmt.Sprintf("visitor %d (%s): POST /login = %d to %q; want 303 to /dashboard", i, v.user, v.r.code, v.r.location))
		}
	}
	slices.Sort(latencies)
	res.P50ms, res.P90ms, res.Maxms = ms(percentile(latencies, 50)), ms(percentile(latencies, 90)), ms(percentile(latencies, 100))
	t.Logf("%d logins at once in %v: %d failed (%d 5xx); latency p50 %v, p90 %v, max %v; %d store errors logged",
		len(vs), elapsed.Round(time.Millisecond), res.Failed, res.Errors5xx,
		percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 100), countLines(blog, storeFailure))
	report(t, "LoginBurst", res)
	for i, w := range wrong {
		if i == 5 {
			t.Errorf("and %d more", len(wrong)-i)
			break
		}
		t.Error(w)
	}
	if len(wrong) > 0 {
		return
	}

	// Every session was saved: the next page shows the visitor
	// logged in, with the welcome message the login left.
	for i, v := range vs {
		r, err := v.c.send("GET", "/dashboard", nil)
		welcome := "Welcome back, " + v.user + "!"
		if err != nil || r.code != http.StatusOK || !strings.Contains(r.body, welcome) {
			t.Fatalf("visitor %d (%s): GET /dashboard after the burst = %d, %v; want 200 with %q:\n%s", i, v.user, r.code, err, welcome, r.body)
		}
	}
	blog.checkLog(t, time.Time{})
}

// pageError returns the message of the blog's error page in body, or the
// start of body.
func pageError(body string) string {
	if _, after, ok := strings.Cut(body, `<p class="lead">`); ok {
		if msg, _, ok := strings.Cut(after, "<"); ok {
			return msg
		}
	}
	return fmt.Sprintf("%.200q", body)
}
