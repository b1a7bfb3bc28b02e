package blog_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// An agent is one visitor of a fault test: it logs in and goes round the
// blog's pages until the test stops it, checking every page as it goes
// (see step). Its fields belong to its goroutine while it runs, and to the
// test's once the scene is halted, except lastFull and answers.
type agent struct {
	name     string       // "alice-03": the visitor
	user     string       // "alice": the account it logs in to
	c        *client      // its cookie jar; c.base is the blog it visits
	lastFull atomic.Int64 // start (UnixNano) of its last full round of pages
	answers  atomic.Int64 // responses it got

	loggedIn bool
	healthy  bool           // its session is intact, what it holds known: nothing met the fault since it logged in (see step)
	pending  map[string]int // the flash messages it caused and has not seen yet, as "queue: message"
	maybe    map[string]int // flash messages of requests answered 503, which the session may hold all the same (see step)
	title    string         // of its last article the blog took
	articles int
	hits     []hit
	full     []span      // its full rounds of pages
	logins   []time.Time // when it posted the login form, each time the blog took it
	moves    []move
	problems []string
	more     int // problems beyond the first few, not kept

	metFault      bool // a request of its met the fault
	intactAtFault bool // it was logged in and healthy when the first request of its that met the fault began
	maybeShown    int  // flash messages of maybe that a page showed
}

// A hit is a request a visitor made.
type hit struct {
	req        string // "GET /dashboard"
	code       int    // 0 when the request failed
	location   string
	start, end time.Time
	fault      bool   // a 503, or the sign of a session lost: a fault can explain it, nothing else can
	lost       bool   // the sign of a session lost: a redirect to the login page, a form refused (403), a page that shows nobody logged in
	setCookie  string // the session cookie the response sets, if any
}

func (h *hit) latency() time.Duration { return h.end.Sub(h.start) }

// since says when t was, relative to t0: "at +1.234s".
func since(t, t0 time.Time) string {
	return fmt.Sprintf("at %+.3fs", t.Sub(t0).Seconds())
}

type span struct{ start, end time.Time }

// A move is the visitor going to another blog: when, the session cookie it
// held then and the index in hits of its first request there.
type move struct {
	at     time.Time
	cookie string
	hit    int
}

func (v *agent) run(sc *scene) {
	defer sc.running.Done()
	for {
		select {
		case <-sc.stop:
			return
		default:
		}
		start := time.Now()
		if base := *sc.base.Load(); base != v.c.base {
			v.moves = append(v.moves, move{at: start, cookie: v.c.cookie(), hit: len(v.hits)})
			v.c.base = base
		}
		if v.round(sc) {
			v.full = append(v.full, span{start, time.Now()})
			v.lastFull.Store(start.UnixNano())
		} else {
			time.Sleep(10 * time.Millisecond) // then reload, as a visitor would
		}
	}
}

// round goes round the pages once as a logged-in user, logging in first
// if need be: the dashboard, a new article and the list that shows it,
// with the flash message that says it was saved, and the stylesheet. It
// reports whether every page was the one a logged-in user gets.
func (v *agent) round(sc *scene) bool {
	if !v.loggedIn && !v.login(sc) {
		return false
	}
	if _, ok := v.step(sc, "GET", "/dashboard", nil, http.StatusOK, "", ""); !ok {
		return false
	}
	r, ok := v.step(sc, "GET", "/articles/new", nil, http.StatusOK, "", "")
	if !ok {
		return false
	}
	v.articles++
	title := fmt.Sprintf("Article %d of %s", v.articles, v.name)
	form := url.Values{"title": {title}, "body": {"Written under load."}, "csrf_token": {v.token(r)}}
	if _, ok := v.step(sc, "POST", "/articles", form, http.StatusSeeOther, "/articles", "success: Article saved successfully!"); !ok {
		return false
	}
	v.title = title
	if _, ok := v.step(sc, "GET", "/articles", nil, http.StatusOK, "", ""); !ok {
		return false
	}
	_, ok = v.step(sc, "GET", "/static/style.css", nil, http.StatusOK, "", "")
	return ok
}

// login logs in with the login form, and reports whether the blog took it.
func (v *agent) login(sc *scene) bool {
	r, ok := v.step(sc, "GET", "/login", nil, http.StatusOK, "", "")
	if !ok {
		return false
	}
	form := url.Values{"username": {v.user}, "password": {accounts[v.user]}, "csrf_token": {v.token(r)}}
	n := len(v.hits)
	if _, ok := v.step(sc, "POST", "/login", form, http.StatusSeeOther, "/dashboard", "success: Welcome back, "+v.user+"!"); !ok {
		return false
	}
	v.loggedIn = true
	// The login page popped every flash message, and the login renewed
	// the session: what it holds now is known, unless the fault
	// interfered.
	get, post := v.hits[n-1], v.hits[n]
	v.healthy = !sc.inFault(get.start, get.end) && !sc.inFault(post.start, post.end)
	v.logins = append(v.logins, post.start)
	return true
}

// token returns the CSRF token of the form on r's page.
func (v *agent) token(r response) string {
	tok := csrfToken(r)
	if tok == "" {
		v.problem("%s: no csrf_token field:\n%s", r.req, r.body)
	}
	return tok
}

var (
	whoName    = regexp.MustCompile(`<span class="who">([^<]*)</span>`)
	helloName  = regexp.MustCompile(`Hello, <strong>([^<]*)</strong>`)
	homeName   = regexp.MustCompile(`logged in as <strong>([^<]*)</strong>`)
	authorName = regexp.MustCompile(`<p class="meta">by ([^ <]*) ·`)
	flashRE    = regexp.MustCompile(`<p class="flash flash-([a-z]+)" role="alert">([^<]*)</p>`)
)

// step sends a request and checks the response. want and loc are the
// status and Location a logged-in visitor gets, flash the message the
// request leaves in the session for the next page. It reports whether the
// response was that one. Otherwise the visitor takes what the fault can
// explain in its stride: a 503, a redirect to the login page or a form
// refused (403) because its session was lost, which it notes and recovers
// from; anything else is a problem. Whatever the status, a page that
// shows another user's name, or a flash message the visitor did not
// cause, is a problem.
//
// A 503 does not tell the visitor what became of the request's changes.
// The store failed somewhere between loading the session and answering
// the commit: if the write reached the server, which did it and then
// died before its answer came back (a COMMIT that PostgreSQL made durable
// just before the kill), or if the store gave up on an answer the server
// went on to give, the change is saved although the request was answered
// 503. The flash message it left ("Article saved successfully!") is then
// in the session, and a later page shows it; or the write never got
// there, and none does. Either is right, so the visitor allows that
// message on its next pages (maybe) without requiring it. A page answered
// 503 may likewise have popped the messages it had pending, saved or not:
// the visitor is no longer healthy, so it no longer requires them. On a
// store that loses its sessions in the fault (Redis restarts empty) the
// session is gone anyway; on one that keeps them (PostgreSQL) this is
// the only thing the fault may have changed unseen, and a page served
// once the fault is over, which pops every message and shows the visitor
// logged in, makes it healthy again.
func (v *agent) step(sc *scene, method, path string, form url.Values, want int, loc, flash string) (response, bool) {
	h := hit{req: method + " " + path, start: time.Now()}
	r, err := v.c.send(method, path, form)
	h.end = time.Now()
	v.answers.Add(1)
	fault := sc.inFault(h.start, h.end)
	if fault && !v.metFault {
		v.metFault, v.intactAtFault = true, v.loggedIn && v.healthy
	}
	if err != nil {
		h.fault = true
		v.hits = append(v.hits, h)
		v.healthy = false
		v.problem("%s: %v", h.req, err)
		return response{}, false
	}
	h.code, h.location, h.setCookie = r.code, r.location, r.setCookie
	strict := v.healthy && !fault // the response is fully known: nothing can have been lost

	for _, re := range []*regexp.Regexp{whoName, helloName, homeName} {
		for _, m := range re.FindAllStringSubmatch(r.body, -1) {
			if m[1] != v.user {
				v.problem("%s shows the user %q; want %q, its own:\n%s", h.req, m[1], v.user, r.body)
			}
		}
	}
	if path == "/dashboard" {
		for _, m := range authorName.FindAllStringSubmatch(r.body, -1) {
			if m[1] != v.user {
				v.problem("%s lists an article by %q among those of %q:\n%s", h.req, m[1], v.user, r.body)
			}
		}
	}

	ok := r.code == want && r.location == loc
	switch {
	case ok:
	case r.code == http.StatusServiceUnavailable:
		h.fault = true
		if !strings.Contains(r.body, "session store is unavailable") || strings.Contains(r.body, `name="password"`) {
			v.problem("%s = 503 without the store's error page:\n%s", h.req, r.body)
		}
		if r.sessionSets > 0 { // the session is unknown, not ended
			v.problem("%s = 503 with a Set-Cookie for the session; want the visitor's cookie left alone", h.req)
		}
		if flash != "" {
			v.maybe[flash]++ // saved or not: see above
		}
	case r.code == http.StatusSeeOther && r.location == loginRedirect(path) && (path == "/dashboard" || path == "/articles/new"):
		h.fault, h.lost = true, true // the session was lost: loginRequired sent it to the login page
		v.loggedIn = false
		clear(v.pending)
		clear(v.maybe)
		v.pending["warning: Please log in first."] = 1
	case r.code == http.StatusForbidden && method == "POST":
		h.fault, h.lost = true, true // the session was lost, and its CSRF token with it
		v.loggedIn = false
		clear(v.pending)
		clear(v.maybe)
	default:
		v.problem("%s = %d (Location %q); want %d (Location %q):\n%s", h.req, r.code, r.location, want, loc, r.body)
	}
	if h.fault && strict {
		v.problem("%s = %d (Location %q) with nothing wrong; want %d (Location %q):\n%s", h.req, r.code, r.location, want, loc, r.body)
	}
	if fault || h.fault {
		v.healthy = false
	}

	if ok && r.code == http.StatusOK && strings.HasPrefix(r.contentType, "text/html") {
		was := v.loggedIn
		v.checkPage(r, path, strict)
		h.lost = was && !v.loggedIn
		if !v.healthy && v.loggedIn && sc.afterFault(h.start) {
			// The fault was over when the request began, its commit
			// was answered, it showed the visitor logged in and popped
			// every flash message: the session is intact and holds
			// none.
			v.healthy = true
		}
	}
	if ok && flash != "" {
		v.pending[flash]++
	}
	v.hits = append(v.hits, h)
	return r, ok
}

// checkPage checks a page the blog rendered, which pops every flash
// message: each must be one the visitor caused, or one a request answered
// 503 may have left (see step), and when the session is intact (strict)
// every one it caused must be there; the page must show the visitor
// logged in, and the list of articles its last one.
func (v *agent) checkPage(r response, path string, strict bool) {
	for _, m := range flashRE.FindAllStringSubmatch(r.body, -1) {
		key := m[1] + ": " + m[2]
		switch {
		case v.pending[key] > 0:
			v.pending[key]--
		case v.maybe[key] > 0:
			v.maybe[key]--
			v.maybeShown++
		default:
			v.problem("%s shows the flash message %q; want only those it caused (%v), or left by a request answered 503 (%v)",
				r.req, key, v.pending, v.maybe)
		}
	}
	for key, n := range v.pending {
		if n > 0 && strict {
			v.problem("%s does not show the flash message %q; want it shown", r.req, key)
		}
	}
	clear(v.pending) // popped: never shown if not now
	clear(v.maybe)
	if !v.loggedIn {
		return
	}
	if !whoName.MatchString(r.body) {
		if strict {
			v.problem("%s shows nobody logged in; want %q:\n%s", r.req, v.user, r.body)
		}
		v.loggedIn = false // the session was lost
		return
	}
	if path == "/articles" && strict && !strings.Contains(r.body, "<h2>"+v.title+"</h2>") {
		v.problem("%s does not list %q, the article just saved:\n%s", r.req, v.title, r.body)
	}
}

// problem records something wrong that the visitor saw; the test reports
// the first few.
func (v *agent) problem(format string, args ...any) {
	if len(v.problems) == 3 {
		v.more++
		return
	}
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 2000 {
		msg = msg[:2000] + "..."
	}
	v.problems = append(v.problems, msg)
}

// report fails t with the visitor's problems.
func (v *agent) report(t *testing.T) {
	t.Helper()
	for _, p := range v.problems {
		t.Errorf("%s: %s", v.name, p)
	}
	if v.more > 0 {
		t.Errorf("%s: and %d more problems", v.name, v.more)
	}
}
