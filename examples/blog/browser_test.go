package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser uses the blog as a visitor does, in headless Chromium, on
// every framework: log in, write an article, log out, then open a page that
// needs a login and log in from the login page it leads to, which leads
// back. Each flash message must show once. With the cookie store, the
// sessions page explains why it lists nothing.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium on every framework: not in -short")
	}
	browser := newBrowser(t)

	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			base := startBlog(t, framework, "cookie", "")
			v := newVisitor(t, browser, base)

			v.do(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
			v.screenshot("login.png")
			v.do(chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "wonderland"),
				chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(".flash-success")))
			v.wantAt("/dashboard")
			v.wantText("Welcome back, alice!", 1)
			v.screenshot("dashboard.png")
			v.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("h1")))
			v.wantText("Hello, alice.", 1)
			v.wantText("Welcome back", 0)

			v.do(chromedp.Navigate(base+"/articles/new"),
				chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "Written in Chromium"),
				chromedp.SendKeys(chromedp.CSS(`textarea[name="body"]`), "Headless, but it still counts."),
				chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(".flash-success")))
			v.wantAt("/articles")
			v.wantText("Article saved successfully!", 1)
			v.wantText("Written in Chromium", 1)
			v.screenshot("articles.png")
			v.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("h1")))
			v.wantText("Article saved successfully!", 0)

			// The cookie store cannot list sessions: the page says so.
			v.do(chromedp.Click(chromedp.CSS(`nav a[href="/sessions"]`)),
				chromedp.WaitVisible(chromedp.CSS(".notice")))
			v.wantAt("/sessions")
			v.wantText("This store cannot list or end sessions.", 1)
			v.wantCount(".device", 0)
			v.screenshot("sessions-cookie-store.png")

			v.do(chromedp.Click(chromedp.CSS(`nav form button`)),
				chromedp.WaitVisible(chromedp.CSS(".flash-info")))
			v.wantAt("/")
			v.wantText("You have been logged out.", 1)
			v.do(chromedp.Navigate(base+"/articles/new"),
				chromedp.WaitVisible(chromedp.CSS(".flash-warning")))
			v.wantAt("/login?next=%2Farticles%2Fnew")
			v.wantText("Please log in first.", 1)
			// Logging in from there leads back to the page asked for.
			v.do(chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "bob"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "builder"),
				chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`input[name="title"]`)))
			v.wantAt("/articles/new")
			v.wantText("Welcome back, bob!", 1)
		})
	}
}

// TestBrowserSessions logs in as alice from two browsers, each with a
// profile of its own, as two devices would, on every framework with the
// memory store. The second opens "Your sessions", sees both, itself marked
// as this device, and signs the first out; the first's next page is the
// login page, which says why.
func TestBrowserSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("two headless Chromiums on every framework: not in -short")
	}
	laptop, phone := newBrowser(t), newBrowser(t)

	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			base := startBlog(t, framework, "memory", "")
			first, second := newVisitor(t, laptop, base), newVisitor(t, phone, base)
			first.login("alice", "wonderland", false)
			second.login("alice", "wonderland", true)

			second.do(chromedp.Click(chromedp.CSS(`nav a[href="/sessions"]`)),
				chromedp.WaitVisible(chromedp.CSS(".devices")))
			second.wantAt("/sessions")
			second.wantCount(".device", 2)
			second.wantCount(".device.current", 1)
			second.wantText("This device", 1)
			if got := result(second, chromedp.Text(chromedp.CSS(".device:first-child"))); !strings.Contains(got, "This device") {
				second.t.Errorf("the first device listed is %q; want this device", got)
			}
			second.screenshot("sessions.png")
			narrow := chromedp.EmulateViewport(390, 844)
			second.do(narrow)
			second.screenshot("sessions-narrow.png")
			second.do(chromedp.EmulateViewport(1000, 900))

			second.do(chromedp.Click(chromedp.CSS(`.device:not(.current) button`)),
				chromedp.WaitVisible(chromedp.CSS(".flash-success")))
			second.wantAt("/sessions")
			second.wantText("Signed out of Chrome on Linux.", 1)
			second.wantCount(".device", 1)
			second.wantCount(".device.current", 1)
			second.screenshot("sessions-signed-out.png")

			first.do(chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(".flash-warning")))
			first.wantAt("/login?next=%2Fdashboard")
			first.wantText("Please log in first.", 1)
			first.screenshot("login-after-signed-out.png")
		})
	}
}

// newBrowser starts a headless Chromium with a profile of its own, in a
// new user-data directory, and with the flags extra adds, and returns its
// context. t.Cleanup stops it. It skips t without chromium, and fails it
// under CI=true.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: install chromium (apt-get install chromium)")
		}
		t.Skip("install chromium (apt-get install chromium)")
	}
	// Chromium puts its singleton socket in a directory of TMPDIR, which
	// it leaves behind: TMPDIR is the test's, removed with it.
	tmp := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.Env("TMPDIR=" + tmp),
		chromedp.WindowSize(1000, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { // before t.TempDir's cleanup removes the profile
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatal(err)
	}
	return browser
}

// newVisitor opens a tab on the blog at base in browser, in a browser
// context of its own, like a private window: the blogs of all the
// frameworks share the host 127.0.0.1, so they would share their cookies.
// t.Cleanup closes it.
func newVisitor(t *testing.T, browser context.Context, base string) visitor {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil { // opens the tab
		t.Fatal(err)
	}
	return visitor{t: t, tab: tab, base: base, shots: screenshotDir(t)}
}

// A visitor is one browser tab on the blog at base.
type visitor struct {
	t     *testing.T
	tab   context.Context
	base  string
	shots string // the directory of its screenshots
}

// do runs steps, which must take less than 20 seconds (a login costs a
// bcrypt comparison, slow under the race detector on a busy machine).
func (v visitor) do(steps ...chromedp.Action[chromedp.Void]) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.tab, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		v.t.Fatalf("%v\n%s", err, v.page())
	}
}

// page describes the page the tab shows, for failure messages.
func (v visitor) page() string {
	ctx, cancel := context.WithTimeout(v.tab, 2*time.Second)
	defer cancel()
	at, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	return "the browser is at " + at + ":\n" + body
}

// login logs in with the login form, ticking "Remember me" if remember,
// and waits for the dashboard.
func (v visitor) login(name, password string, remember bool) {
	v.t.Helper()
	v.do(chromedp.Navigate(v.base+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), name),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password))
	if remember {
		v.do(chromedp.Click(chromedp.CSS(`input[name="remember"]`)))
	}
	v.do(chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")))
	v.wantAt("/dashboard")
}

// result runs a and returns its value.
func result[T any](v visitor, a chromedp.Action[T]) T {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.tab, 20*time.Second)
	defer cancel()
	x, err := chromedp.Run(ctx, a)
	if err != nil {
		v.t.Fatal(err)
	}
	return x
}

// wantAt checks the tab shows path.
func (v visitor) wantAt(path string) {
	v.t.Helper()
	if got := result(v, chromedp.Location()); got != v.base+path {
		v.t.Fatalf("the browser is at %s; want %s", got, v.base+path)
	}
}

// wantText checks that the page shows text n times.
func (v visitor) wantText(text string, n int) {
	v.t.Helper()
	body := result(v, chromedp.Text(chromedp.CSS("body")))
	if got := strings.Count(body, text); got != n {
		v.t.Fatalf("the page shows %q %d times; want %d:\n%s", text, got, n, body)
	}
}

// wantCount checks that n elements of the page match the CSS selector.
func (v visitor) wantCount(selector string, n int) {
	v.t.Helper()
	js := fmt.Sprintf("document.querySelectorAll(%q).length", selector)
	if got := result(v, chromedp.Evaluate[int](js)); got != n {
		v.t.Fatalf("the page has %d elements %s; want %d\n%s", got, selector, n, v.page())
	}
}

// screenshot saves the whole page as a PNG named name in the visitor's
// screenshot directory (see screenshotDir).
func (v visitor) screenshot(name string) {
	v.t.Helper()
	png := result(v, chromedp.FullScreenshot(100))
	path := filepath.Join(v.shots, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		v.t.Fatal(err)
	}
	v.t.Logf("screenshot: %s", path)
}

// screenshotDir returns the directory for t's screenshots: a temporary
// one, removed after the test, unless BLOG_SCREENSHOTS names a directory
// to keep them in, each test's under its name
// ($BLOG_SCREENSHOTS/TestBrowserSessions/nethttp/sessions.png).
func screenshotDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("BLOG_SCREENSHOTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, filepath.FromSlash(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
