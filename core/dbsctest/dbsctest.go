// Package dbsctest is a client that behaves as the browser of the Device
// Bound Session Credentials draft (DBSC, W3C), for the tests of a server
// that binds sessions (core.DeviceBinding): it keeps cookies, registers a
// session when a response asks it to (Secure-Session-Registration),
// signing the challenge with a key of its own, and before each request
// that lacks a session's bound cookie it refreshes the cookie first,
// answering the refresh endpoint's challenges (Secure-Session-Challenge),
// as Chromium does. Its clock is the test's, so a test moves time without
// sleeping.
//
// It imports only the standard library.
package dbsctest

import (
	"crypto"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Header names of the draft.
const (
	HeaderRegistration = "Secure-Session-Registration"
	HeaderChallenge    = "Secure-Session-Challenge"
	HeaderResponse     = "Secure-Session-Response"
	HeaderSessionID    = "Sec-Secure-Session-Id"
)

// A Browser is one browser profile: a cookie jar and the DBSC sessions it
// registered. Make one with New. It is safe for concurrent use, as tabs
// are: requests run at once, and two that need a session's bound cookie
// wait for the one refresh that gets it, unless ConcurrentRefreshes.
type Browser struct {
	// Client sends the requests. Its Jar holds the cookies, and its
	// Transport reports every response, redirects included, to the
	// Browser; it does not follow redirects (see Do).
	Client *http.Client

	// Clock is the time by which bound cookies expire, the server's in a
	// test that moves it. Default time.Now.
	Clock func() time.Time

	// Algorithm is the key the Browser makes for a new session: "ES256"
	// (the default) or "RS256", if the server accepts it.
	Algorithm string

	// ConcurrentRefreshes, when true, makes each request that lacks a
	// bound cookie refresh it on its own, at the same time as the others,
	// rather than wait for one refresh as the draft advises and Chromium
	// does: a server must cope with a browser that does not.
	ConcurrentRefreshes bool

	mu       sync.Mutex
	sessions map[string]*entry // by origin + " " + ID
	pending  []registration
	stats    Stats
}

// Stats counts what a Browser did.
type Stats struct {
	Registrations int // sessions registered
	Refreshes     int // refresh requests sent, including those a 403 answered
	Deferred      int // requests that waited for a refresh
}

// A Session is one DBSC session as a Browser keeps it.
type Session struct {
	ID         string
	Origin     string   // scheme://host of the registration endpoint
	RefreshURL *url.URL // where refreshes go
	CookieName string   // the bound cookie
	Attributes string   // its attributes, as the instructions give them
	Key        crypto.Signer
	Challenge  string    // the cached challenge for the next refresh, if any
	Expires    time.Time // when the bound cookie expires by Clock; zero if unknown
}

// entry is a Session and the lock that lets one refresh of it run at a
// time.
type entry struct {
	Session    // guarded by Browser.mu
	refreshing sync.Mutex
}

type registration struct {
	endpoint      *url.URL
	algorithms    []string
	challenge     string
	authorization string
}

// New returns a Browser with an empty cookie jar.
func New() *Browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	b := &Browser{Clock: time.Now, Algorithm: "ES256", sessions: map[string]*entry{}}
	b.Client = &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		Transport:     &transport{b: b, base: http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return b
}

// Stats returns what the Browser did so far.
func (b *Browser) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Sessions returns a copy of each DBSC session the Browser holds.
func (b *Browser) Sessions() []Session {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Session, 0, len(b.sessions))
	for _, e := range b.sessions {
		out = append(out, e.Session)
	}
	return out
}

// Do sends req as a browser would: first, for each DBSC session whose
// scope holds req's URL and whose bound cookie is missing or expired by
// Clock, it refreshes the session (the request is deferred); then it sends
// req with the jar's cookies; then it registers the sessions that
// responses asked it to, the redirect's too. It does not follow redirects:
// the caller sees a 3xx and decides.
func (b *Browser) Do(req *http.Request) (*http.Response, error) {
	b.mu.Lock()
	entries := make([]*entry, 0, len(b.sessions))
	for _, e := range b.sessions {
		entries = append(entries, e)
	}
	b.mu.Unlock()
	for _, e := range entries {
		if !b.ConcurrentRefreshes {
			e.refreshing.Lock()
		}
		if b.needsRefresh(e, req.URL) {
			b.mu.Lock()
			b.stats.Deferred++
			b.mu.Unlock()
			_ = b.refresh(e) // a failed refresh releases the request without the cookie
		}
		if !b.ConcurrentRefreshes {
			e.refreshing.Unlock()
		}
	}
	res, err := b.Client.Do(req)
	if err != nil {
		return nil, err
	}
	if err := b.registerPending(); err != nil {
		res.Body.Close()
		return nil, err
	}
	return res, nil
}

// Get sends a GET of url with Do.
func (b *Browser) Get(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return b.Do(req)
}

// PostForm sends a POST of form to url with Do.
func (b *Browser) PostForm(url string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Cookie returns the value of the cookie called name that the jar would
// send to u, or "".
func (b *Browser) Cookie(u *url.URL, name string) string {
	for _, c := range b.Client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// needsRefresh reports whether a request to u must wait for a refresh of
// e: u is in e's scope (e's origin, but not its refresh endpoint) and the
// bound cookie is missing or expired by Clock. A cookie expired by Clock
// stays in the jar, whose own clock is the real one, and goes out if a
// refresh fails: the server refuses it all the same, as it would refuse
// its absence. (Removing it could remove the new one a concurrent
// refresh has just stored.)
func (b *Browser) needsRefresh(e *entry, u *url.URL) bool {
	b.mu.Lock()
	s := e.Session
	_, live := b.sessions[s.Origin+" "+s.ID]
	b.mu.Unlock()
	if !live || u.Scheme+"://"+u.Host != s.Origin || u.Path == s.RefreshURL.Path {
		return false
	}
	if !s.Expires.IsZero() && !b.Clock().Before(s.Expires) {
		return true
	}
	return b.Cookie(u, s.CookieName) == ""
}

// Refresh refreshes the session id of origin (scheme://host) now, as Do
// does before a request that lacks its bound cookie.
func (b *Browser) Refresh(origin, id string) error {
	b.mu.Lock()
	e := b.sessions[origin+" "+id]
	b.mu.Unlock()
	if e == nil {
		return fmt.Errorf("dbsctest: no session %q of %s", id, origin)
	}
	if !b.ConcurrentRefreshes {
		e.refreshing.Lock()
		defer e.refreshing.Unlock()
	}
	return b.refresh(e)
}

// maxChallenges bounds the challenges one refresh answers: the draft's
// browser answers each 403's, as long as the server sends one, and a
// server that keeps sending them is broken.
const maxChallenges = 16

// refresh sends its cached challenge signed, if it has one, and answers
// each 403's challenge, up to maxChallenges. A session the server ends
// ({"continue": false}, or a 4xx other than 403) is removed.
func (b *Browser) refresh(e *entry) error {
	b.mu.Lock()
	id, refreshURL, key, challenge := e.ID, e.RefreshURL, e.Key, e.Challenge
	e.Challenge = ""
	b.mu.Unlock()
	for range maxChallenges {
		b.mu.Lock()
		b.stats.Refreshes++
		b.mu.Unlock()
		req, err := http.NewRequest(http.MethodPost, refreshURL.String(), nil)
		if err != nil {
			return err
		}
		req.Header.Set(HeaderSessionID, id)
		if challenge != "" {
			proof, err := Proof(key, challenge, false, nil)
			if err != nil {
				return err
			}
			req.Header.Set(HeaderResponse, proof)
		}
		res, err := b.Client.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		if err != nil {
			return err
		}
		// The challenge a 403 brings is this refresh's next, whatever
		// another tab's refresh does with the one cached.
		challenge = challengeOf(res, id)
		switch {
		case res.StatusCode == http.StatusForbidden && challenge != "":
			continue
		case res.StatusCode >= 500:
			return fmt.Errorf("dbsctest: refresh: %s", res.Status)
		case res.StatusCode != http.StatusOK:
			b.remove(e)
			return fmt.Errorf("dbsctest: refresh: %s: the session ended", res.Status)
		}
		return b.instructions(e, refreshURL, res, body)
	}
	return fmt.Errorf("dbsctest: refresh: still challenged after %d tries", maxChallenges)
}

// remove forgets e.
func (b *Browser) remove(e *entry) {
	b.mu.Lock()
	if b.sessions[e.Origin+" "+e.ID] == e {
		delete(b.sessions, e.Origin+" "+e.ID)
	}
	b.mu.Unlock()
}
