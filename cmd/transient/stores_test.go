package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

const (
	firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	iphone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// TestPostgres runs the blog with PostgreSQL and lists and ends the
// sessions of its visitors with the command, as an operator would.
func TestPostgres(t *testing.T) {
	db := pgtest.Start(t)
	base := startBlog(t, "-store", "postgres", "-postgres", db.URL())
	operate(t, base, db.URL())

	code, out, errs := transient(t, db.URL(), "cleanup")
	if code != exitOK || !strings.HasPrefix(out, "deleted ") {
		t.Errorf("transient cleanup = %d, %q, %q; want 0 and the rows deleted", code, out, errs)
	}
	var cleaned cleanupJSON
	transientJSON(t, db.URL(), &cleaned, "cleanup")
}

// operate logs visitors in to the blog at base, whose sessions are in the
// store at storeURL, and checks what the command lists, ends, and counts:
// a session it ends is logged out on its next request, and the others
// are not.
func operate(t *testing.T, base, storeURL string, flags ...string) {
	t.Helper()
	cmd := func(args ...string) []string { return append(slices.Clone(flags), args...) }
	var before countJSON
	transientJSON(t, storeURL, &before, cmd("count")...)

	laptop, phone, bob := newVisitor(t, base, firefox), newVisitor(t, base, iphone), newVisitor(t, base, firefox)
	laptop.login("alice", "wonderland")
	phone.login("alice", "wonderland")
	bob.login("bob", "builder")

	var after countJSON
	transientJSON(t, storeURL, &after, cmd("count")...)
	if after.Sessions != before.Sessions+3 {
		t.Errorf("transient count: %d, then %d after three logins; want 3 more", before.Sessions, after.Sessions)
	}
	code, out, errs := transient(t, storeURL, cmd("count")...)
	if code != exitOK || !strings.HasPrefix(out, fmt.Sprintf("%d live sessions in ", after.Sessions)) {
		t.Errorf("transient count = %d, %q, %q; want 0 and %d live sessions", code, out, errs, after.Sessions)
	}

	var list listJSON
	transientJSON(t, storeURL, &list, cmd("list", "alice")...)
	devices := map[string]string{} // by handle
	for _, s := range list.Sessions {
		devices[s.Handle] = s.UserAgent + ", " + s.Address
		if s.Created.IsZero() || s.LastSeen.Before(s.Created) {
			t.Errorf("session %s: created %v, last seen %v", s.Handle, s.Created, s.LastSeen)
		}
	}
	laptopHandle, phoneHandle := core.HandleOf(laptop.cookie()), core.HandleOf(phone.cookie())
	want := map[string]string{laptopHandle: "Firefox on Linux, this computer", phoneHandle: "Safari on iPhone, this computer"}
	if list.User != "alice" || fmt.Sprint(devices) != fmt.Sprint(want) {
		t.Fatalf("transient list alice: %+v; want alice's laptop and phone, %v", list, want)
	}
	code, out, _ = transient(t, storeURL, cmd("list", "alice")...)
	for _, cookie := range []string{laptop.cookie(), phone.cookie(), bob.cookie()} {
		if strings.Contains(out, cookie) {
			t.Errorf("transient list printed a session's cookie %s:\n%s", cookie, out)
		}
	}
	if code != exitOK || !strings.Contains(out, "alice has 2 live sessions") || !strings.Contains(out, "HANDLE") ||
		!strings.Contains(out, laptopHandle) || !strings.Contains(out, "Safari on iPhone, this computer") {
		t.Errorf("transient list alice = %d:\n%s\nwant both of her sessions, by handle, with their devices", code, out)
	}

	// A stolen phone: its session is ended, the laptop's is not.
	var ended endedJSON
	transientJSON(t, storeURL, &ended, cmd("end", "alice", phoneHandle)...)
	if !slices.Equal(ended.Ended, []string{phoneHandle}) {
		t.Errorf("transient end: %+v; want the phone's session", ended)
	}
	if phone.loggedIn() || !laptop.loggedIn() {
		t.Fatalf("after transient end of the phone's session: phone logged in %v, laptop %v; want false, true", phone.loggedIn(), laptop.loggedIn())
	}
	code, _, errs = transient(t, storeURL, cmd("end", "alice", phoneHandle)...)
	if code != exitNotFound || !strings.Contains(errs, "alice has no live session "+phoneHandle) {
		t.Errorf("transient end of an ended session = %d, %q; want %d, no live session", code, errs, exitNotFound)
	}
	code, _, _ = transient(t, storeURL, cmd("end", "bob", laptopHandle)...)
	if code != exitNotFound || !laptop.loggedIn() {
		t.Errorf("transient end bob with alice's handle = %d; want %d, and alice still logged in", code, exitNotFound)
	}

	// Log out everywhere: alice's every session, and not bob's.
	code, out, errs = transient(t, storeURL, cmd("end-all", "alice")...)
	if code != exitOK || !strings.HasPrefix(out, "ended 1 session of alice\n  "+laptopHandle) {
		t.Errorf("transient end-all alice = %d, %q, %q; want 0, the laptop's session ended", code, out, errs)
	}
	if laptop.loggedIn() || !bob.loggedIn() {
		t.Errorf("after transient end-all alice: alice logged in %v, bob %v; want false, true", laptop.loggedIn(), bob.loggedIn())
	}
	code, out, _ = transient(t, storeURL, cmd("list", "alice")...)
	if code != exitOK || out != "alice has no live session\n" {
		t.Errorf("transient list alice after end-all = %d, %q; want 0, none", code, out)
	}
	code, _, _ = transient(t, storeURL, cmd("-cookie-name", "other", "list", "bob")...)
	var other listJSON
	transientJSON(t, storeURL, &other, cmd("-cookie-name", "other", "list", "bob")...)
	if code != exitOK || len(other.Sessions) != 0 {
		t.Errorf("transient -cookie-name other list bob = %d, %+v; want none: bob's session was issued under \"session\"", code, other)
	}

	// The blog's JSON API keeps its sessions apart, with the token in the
	// Authorization header: -token-header lists and ends them.
	token := apiLogin(t, base, "alice", "wonderland")
	var api listJSON
	transientJSON(t, storeURL, &api, cmd("-token-header", "Authorization", "list", "alice")...)
	if len(api.Sessions) != 1 || api.Sessions[0].Handle != core.HandleOf(token) {
		t.Fatalf("transient -token-header Authorization list alice: %+v; want the API client's session", api)
	}
	if code, out, _ = transient(t, storeURL, cmd("list", "alice")...); out != "alice has no live session\n" {
		t.Errorf("transient list alice = %d, %q; want none: the API's session is not the cookie's", code, out)
	}
	code, out, errs = transient(t, storeURL, cmd("-token-header", "Authorization", "end-all", "alice")...)
	if code != exitOK || !strings.HasPrefix(out, "ended 1 session of alice") || apiLoggedIn(t, base, token) {
		t.Errorf("transient -token-header Authorization end-all alice = %d, %q, %q; want the API client's session ended", code, out, errs)
	}
	if code, _, errs = transient(t, storeURL, cmd("-token-header", "Authorization", "-cookie-name", "other", "list", "alice")...); code != exitUsage {
		t.Errorf("transient with -token-header and -cookie-name = %d, %q; want a usage error", code, errs)
	}
}

// apiLogin logs name in through the blog's JSON API and returns the token
// of its session.
func apiLogin(t *testing.T, base, name, password string) string {
	t.Helper()
	body := fmt.Sprintf(`{"username": %q, "password": %q}`, name, password)
	res, err := http.Post(base+"/api/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	token := strings.TrimPrefix(res.Header.Get("Authorization"), "Bearer ")
	if res.StatusCode != http.StatusOK || !core.ValidID(token) {
		t.Fatalf("POST /api/login = %d, Authorization %q; want 200 and a token", res.StatusCode, res.Header.Get("Authorization"))
	}
	return token
}

// apiLoggedIn reports whether the API reads token as a logged-in session.
func apiLoggedIn(t *testing.T, base, token string) bool {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/api/dashboard", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// TestRedis runs the blog with Redis and lists and ends the sessions of
// its visitors with the command.
func TestRedis(t *testing.T) {
	srv := redistest.StartLocal(t) // the blog uses the default prefix: a server of the test's own
	base := startBlog(t, "-store", "redis", "-redis", srv.URL())
	operate(t, base, srv.URL())
	code, _, errs := transient(t, srv.URL(), "cleanup")
	if code != exitUsage || !strings.Contains(errs, "Redis deletes expired sessions itself") {
		t.Errorf("transient cleanup with Redis = %d, %q; want %d: nothing to do", code, errs, exitUsage)
	}
}

// TestRedisCluster lists and ends, with the command, the sessions that an
// application like the blog keeps in a Redis Cluster: the blog itself
// reaches one server only.
func TestRedisCluster(t *testing.T) {
	cluster := redistest.StartCluster(t)
	addrs := cluster.Addrs()
	u := url.URL{Scheme: "redis", Host: addrs[0], RawQuery: url.Values{"addr": addrs[1:]}.Encode()}
	store, err := redisstore.New(cluster.Client(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	base := clusterApp(t, store)
	operate(t, base, u.String(), "-cluster")
}
