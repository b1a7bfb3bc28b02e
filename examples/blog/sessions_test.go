package main

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// User-Agent headers of three devices, and the names the sessions page
// gives them.
var (
	firefoxLinux  = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chromeAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
	safariIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// testRememberMe checks the cookie of a login with and without "Remember
// me": persistent (Max-Age and Expires) with it, a browser-session cookie
// without. It logs out after each.
func testRememberMe(t *testing.T, base string) {
	t.Helper()
	for _, remember := range []bool{true, false} {
		c := newClient(t, base)
		var extra url.Values
		if remember {
			extra = url.Values{"remember": {"on"}}
		}
		r := c.login("carol", carolPassword, extra)
		wantRedirect(t, r, "/dashboard")
		persistent := strings.Contains(r.setCookie, "Max-Age=") && strings.Contains(r.setCookie, "Expires=")
		session := !strings.Contains(r.setCookie, "Max-Age=") && !strings.Contains(r.setCookie, "Expires=")
		if r.setCookie == "" || remember && !persistent || !remember && !session {
			t.Errorf("POST /login with remember %v: Set-Cookie %q; want a cookie with Max-Age and Expires if and only if remember", remember, r.setCookie)
		}
		wantPage(t, c.get("/dashboard"), http.StatusOK, "Hello, <strong>carol</strong>")
		wantRedirect(t, c.post("/logout", url.Values{"csrf_token": {c.csrfToken("/dashboard")}}), "/")
	}
}

// testSessions drives the sessions page as carol, logged in on three
// devices: the list, signing one out, signing out everywhere else, and the
// password change that signs out the others. serverSide is true for a
// store that can list and end sessions; with the cookie store the page
// explains why it cannot.
func testSessions(t *testing.T, base string, serverSide bool) {
	t.Helper()
	firefox, android, iphone := newClient(t, base), newClient(t, base), newClient(t, base)
	firefox.ua, android.ua, iphone.ua = firefoxLinux, chromeAndroid, safariIPhone
	for _, c := range []*client{firefox, android, iphone} {
		wantRedirect(t, c.login("carol", carolPassword, nil), "/dashboard")
	}
	wantPage(t, iphone.get("/dashboard"), http.StatusOK, `href="/sessions"`)

	if !serverSide {
		testNotRevocable(t, firefox, iphone)
		return
	}

	// The list: three devices, the one asking marked.
	page := iphone.get("/sessions")
	wantPage(t, page, http.StatusOK, "Your sessions", "This device")
	wantDevices(t, page, "Safari on iPhone", "Chrome on Android", "Firefox on Linux")
	token := csrfField.FindStringSubmatch(page.body)[1]

	// Signing one out: its next request is anonymous, and goes to the
	// login page, which says why.
	end := url.Values{"id": {deviceID(t, page, "Firefox on Linux")}, "csrf_token": {token}}
	wantRedirect(t, iphone.post("/sessions/end", end), "/sessions")
	page = iphone.get("/sessions")
	wantPage(t, page, http.StatusOK, `class="flash flash-success" role="alert">Signed out of Firefox on Linux.</p>`)
	wantDevices(t, page, "Safari on iPhone", "Chrome on Android")
	r := firefox.get("/sessions")
	wantRedirect(t, r, "/login?next=%2Fsessions")
	wantPage(t, firefox.get(r.location), http.StatusOK, `class="flash flash-warning" role="alert">Please log in first.</p>`)
	wantRedirect(t, iphone.post("/sessions/end", end), "/sessions") // again
	wantPage(t, iphone.get("/sessions"), http.StatusOK, "That session had already ended.")

	// Signing out everywhere else.
	wantRedirect(t, iphone.post("/sessions/end-others", url.Values{"csrf_token": {token}}), "/sessions")
	page = iphone.get("/sessions")
	wantPage(t, page, http.StatusOK, `class="flash flash-success" role="alert">Signed out everywhere else.</p>`)
	wantDevices(t, page, "Safari on iPhone")
	wantNot(t, page, `action="/sessions/end-others"`) // nothing else to sign out
	wantRedirect(t, android.get("/dashboard"), "/login?next=%2Fdashboard")

	// Changing the password signs out the others, and renews this one.
	for _, c := range []*client{firefox, android} {
		wantRedirect(t, c.login("carol", carolPassword, nil), "/dashboard")
	}
	wantDevices(t, iphone.get("/sessions"), "Safari on iPhone", "Chrome on Android", "Firefox on Linux")
	const newPassword = "a new password for carol"
	for _, bad := range []struct{ current, new, want string }{
		{"wrong", newPassword, "The current password is wrong."},
		{carolPassword, "short", "The new password must be 8 to 72 bytes long."},
	} {
		r := iphone.post("/password", url.Values{"current": {bad.current}, "new": {bad.new}, "csrf_token": {token}})
		wantPage(t, r, http.StatusOK, `<p class="form-error">`+bad.want+`</p>`, "Firefox on Linux")
	}
	before := iphone.cookie()
	r = iphone.post("/password", url.Values{"current": {carolPassword}, "new": {newPassword}, "csrf_token": {token}})
	wantRedirect(t, r, "/sessions")
	if after := iphone.cookie(); after == before {
		t.Errorf("session cookie after the password change = %.12q...; want a new one", after)
	}
	page = iphone.get("/sessions")
	wantPage(t, page, http.StatusOK, `class="flash flash-success" role="alert">Password changed; your other sessions were signed out.</p>`)
	wantDevices(t, page, "Safari on iPhone")
	for _, c := range []*client{firefox, android} {
		wantRedirect(t, c.get("/dashboard"), "/login?next=%2Fdashboard")
	}
	wantPage(t, firefox.login("carol", carolPassword, nil), http.StatusOK, "Invalid credentials")
	wantRedirect(t, firefox.login("carol", newPassword, nil), "/dashboard")
}

// testNotRevocable checks the sessions page with the cookie store: it says
// why it lists nothing, and what to run instead; the forms, posted anyway,
// end nothing and say so; the password change says the other sessions
// stay logged in, as they do.
func testNotRevocable(t *testing.T, other, c *client) {
	t.Helper()
	page := c.get("/sessions")
	wantPage(t, page, http.StatusOK, "Your sessions", "This store cannot list or end sessions",
		"<code>-store memory</code>", "<code>-store redis</code>", "<code>-store postgres</code>", `action="/password"`)
	wantNot(t, page, `class="device`, `action="/sessions/end"`, `action="/sessions/end-others"`)
	token := csrfField.FindStringSubmatch(page.body)[1]

	wantRedirect(t, c.post("/sessions/end-others", url.Values{"csrf_token": {token}}), "/sessions")
	wantPage(t, c.get("/sessions"), http.StatusOK, "The cookie store cannot sign out other sessions")
	wantRedirect(t, c.post("/sessions/end", url.Values{"id": {"0123"}, "csrf_token": {token}}), "/sessions")
	wantPage(t, c.get("/sessions"), http.StatusOK, "The cookie store cannot sign out other sessions")

	r := c.post("/password", url.Values{"current": {carolPassword}, "new": {"a new password for carol"}, "csrf_token": {token}})
	wantRedirect(t, r, "/sessions")
	wantPage(t, c.get("/sessions"), http.StatusOK, "Password changed. The cookie store cannot sign out your other sessions")
	wantPage(t, other.get("/dashboard"), http.StatusOK, "Hello, <strong>carol</strong>")
}

var (
	deviceRow  = regexp.MustCompile(`(?s)<li class="device( current)?">.*?<strong class="browser">([^<]*)</strong>.*?</li>`)
	deviceIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

// wantDevices checks that the sessions page r lists the devices names:
// first this device, names[0], marked as such, then the others, each with a
// Sign out button, in any order (the most recently active first, and the
// test's logins come within a second).
func wantDevices(t *testing.T, r response, names ...string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	rows := deviceRow.FindAllStringSubmatch(r.body, -1)
	var got []string
	for _, row := range rows {
		got = append(got, row[2])
	}
	if len(got) != len(names) || got[0] != names[0] || !sameSet(got[1:], names[1:]) {
		t.Fatalf("%s lists %q; want %q:\n%s", r.req, got, names, r.body)
	}
	for i, row := range rows {
		current := row[1] != ""
		marked := strings.Contains(row[0], "This device")
		button := deviceIDRE.MatchString(row[0])
		if current != (i == 0) || marked != current || button == current {
			t.Fatalf("%s: %s is marked current %v, this device %v, with a Sign out button %v; want only the first marked, and a button for the others:\n%s",
				r.req, row[2], current, marked, button, row[0])
		}
	}
}

// deviceID returns the ID of the session of the device name on the
// sessions page r.
func deviceID(t *testing.T, r response, name string) string {
	t.Helper()
	for _, row := range deviceRow.FindAllStringSubmatch(r.body, -1) {
		if m := deviceIDRE.FindStringSubmatch(row[0]); row[2] == name && m != nil {
			return m[1]
		}
	}
	t.Fatalf("%s has no Sign out button for %q:\n%s", r.req, name, r.body)
	return ""
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
