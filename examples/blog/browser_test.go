package main

import (
	"context"
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
// back. Each flash message must show once.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium on every framework: not in -short")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: install chromium (apt-get install chromium)")
		}
		t.Skip("install chromium (apt-get install chromium)")
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
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
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 900),
	)
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatal(err)
	}

	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			base := startBlog(t, framework, "cookie", nil)
			// A browser context of its own, like a private window: the
			// blogs of all the frameworks share the host 127.0.0.1, so
			// they would share their cookies.
			tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancel()
			if err := chromedp.Do(tab); err != nil { // opens the tab
				t.Fatal(err)
			}
			v := visitor{t: t, tab: tab, base: base}

			v.do(chromedp.Navigate(base+"/login"),
				chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
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

// A visitor is one browser tab on the blog at base.
type visitor struct {
	t    *testing.T
	tab  context.Context
	base string
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

// screenshot saves the page as a PNG named name in the test's artifact
// directory: a temporary directory, or kept under -outputdir with
// go test -artifacts.
func (v visitor) screenshot(name string) {
	v.t.Helper()
	png := result(v, chromedp.FullScreenshot(100))
	path := filepath.Join(v.t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		v.t.Fatal(err)
	}
	v.t.Logf("screenshot: %s", path)
}
