package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// This file runs the example blog as a process, whose sessions the tests
// list and end with the command, and visits it as a browser would.

var (
	blogOnce sync.Once
	blogDir  string // where the blog is built
	blogBin  string
	blogErr  error
)

// buildBlog builds the example blog, once for the tests, and returns its
// path.
func buildBlog(t *testing.T) string {
	t.Helper()
	blogOnce.Do(func() {
		if blogDir, blogErr = os.MkdirTemp("", "transient-blog-"); blogErr != nil {
			return
		}
		blogBin = filepath.Join(blogDir, "blog")
		out, err := exec.Command("go", "build", "-o", blogBin, "github.com/transient-go/transient/examples/blog").CombinedOutput()
		if err != nil {
			blogErr = &buildError{err, string(out)}
		}
	})
	if blogErr != nil {
		t.Fatalf("building the blog: %v", blogErr)
	}
	return blogBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func removeBlog() {
	if blogDir != "" {
		_ = os.RemoveAll(blogDir)
	}
}

var served = regexp.MustCompile(`^Blog served by \S+ with the \S+ store at (http://\S+)$`)

// startBlog runs the blog with args, on a free loopback port, until the
// test ends, and returns its base URL.
func startBlog(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(buildBlog(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = &lockedBuffer{}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-done
	})
	base := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := served.FindStringSubmatch(sc.Text()); m != nil {
				base <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
	}()
	select {
	case b := <-base:
		return b
	case <-done:
		t.Fatalf("the blog stopped before it served: %s", cmd.Stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("the blog did not start within a minute: %s", cmd.Stderr)
	}
	return ""
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A visitor is a browser of the blog's, with a cookie jar and a
// User-Agent, that sees redirects rather than following them.
type visitor struct {
	t    *testing.T
	base string
	ua   string
	http *http.Client
}

func newVisitor(t *testing.T, base, ua string) *visitor {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &visitor{t: t, base: base, ua: ua, http: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request, and returns the status, the Location and the body.
func (v *visitor) do(method, path string, form url.Values) (int, string, string) {
	v.t.Helper()
	req, err := http.NewRequest(method, v.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("User-Agent", v.ua)
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", v.base)
	}
	resp, err := v.http.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login logs the visitor in as name.
func (v *visitor) login(name, password string) {
	v.t.Helper()
	_, _, page := v.do("GET", "/login", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		v.t.Fatalf("GET /login has no csrf_token field:\n%s", page)
	}
	code, loc, _ := v.do("POST", "/login", url.Values{"username": {name}, "password": {password}, "csrf_token": {m[1]}})
	if code != http.StatusSeeOther || loc != "/dashboard" {
		v.t.Fatalf("logging in as %s: %d to %q; want 303 to /dashboard", name, code, loc)
	}
}

// loggedIn reports whether the visitor's next request is still logged in:
// the dashboard is served, rather than a redirect to the login form.
func (v *visitor) loggedIn() bool {
	v.t.Helper()
	code, loc, _ := v.do("GET", "/dashboard", nil)
	switch {
	case code == http.StatusOK:
		return true
	case code == http.StatusSeeOther && strings.HasPrefix(loc, "/login"):
		return false
	}
	v.t.Fatalf("GET /dashboard = %d to %q; want 200, or a redirect to the login form", code, loc)
	return false
}

// cookie returns the visitor's session cookie.
func (v *visitor) cookie() string {
	u, _ := url.Parse(v.base)
	for _, c := range v.http.Jar.Cookies(u) {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}
