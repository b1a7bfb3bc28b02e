package blog_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// frameworks are the blog's -framework values.
var frameworks = []string{"nethttp", "gin", "echo", "fiber"}

func TestMain(m *testing.M) {
	code := pgtest.Run(m) // keeps one PostgreSQL server for the tests that need one
	if blogBuild.dir != "" {
		os.RemoveAll(blogBuild.dir)
	}
	os.Exit(code)
}

// blogBuild is the example blog's binary, built once, by the first test
// that needs it, into a temporary directory that TestMain removes.
var blogBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// blogBinary returns the path of the example blog's binary, built with go
// build in the library's module (../..), as a user builds it: without the
// race detector, whatever the tests run with, so that its bcrypt costs
// what it costs in production.
func blogBinary(t testing.TB) string {
	t.Helper()
	blogBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "transient-blog-")
		if err != nil {
			blogBuild.err = err
			return
		}
		blogBuild.dir = dir
		path := filepath.Join(dir, "blog")
		cmd := exec.Command("go", "build", "-o", path, "./examples/blog")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			blogBuild.err = fmt.Errorf("go build ./examples/blog: %v\n%s", err, out)
			return
		}
		blogBuild.path = path
	})
	if blogBuild.err != nil {
		t.Fatal(blogBuild.err)
	}
	return blogBuild.path
}

// A blogProc is the example blog, running as a process.
type blogProc struct {
	url    string  // "http://127.0.0.1:40123"
	stdout *output // its start-up messages
	stderr *output // its log: the errors it reports
	done   chan struct{}
	err    error // how it exited, once done is closed
}

// servingAt is the line the blog prints once it listens.
var servingAt = regexp.MustCompile(`^Blog served by .* at (http://127\.0\.0\.1:[0-9]+)$`)

// startBlog starts the blog with args on a free loopback port
// (-addr 127.0.0.1:0) and waits until it serves. t.Cleanup stops it as
// Ctrl-C does, and fails t unless it exits cleanly.
func startBlog(t *testing.T, args ...string) *blogProc {
	t.Helper()
	urls := make(chan string, 1)
	p := &blogProc{
		stdout: &output{onLine: func(line string) {
			if m := servingAt.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}},
		stderr: new(output),
		done:   make(chan struct{}),
	}
	cmd := exec.Command(blogBinary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BLOG_SECRET=") { // the tests give -secret when they need one
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
			t.Errorf("the blog (%s) did not stop within 30s of an interrupt", strings.Join(args, " "))
		}
		if p.err != nil {
			t.Errorf("the blog (%s) exited with %v; want a clean shutdown. Its log:\n%s", strings.Join(args, " "), p.err, p.stderr)
		}
	})
	select {
	case p.url = <-urls:
		return p
	case <-p.done:
		t.Fatalf("the blog (%s) exited at start-up: %v\n%s%s", strings.Join(args, " "), p.err, p.stdout, p.stderr)
	case <-time.After(time.Minute):
		t.Fatalf("the blog (%s) did not start serving within a minute:\n%s%s", strings.Join(args, " "), p.stdout, p.stderr)
	}
	return nil
}

// A line is one line of a process's output and when the test read it.
type line struct {
	at   time.Time
	text string
}

// output keeps what a process writes, line by line. It is safe for
// concurrent use.
type output struct {
	onLine func(string) // if set, called with each line

	mu      sync.Mutex
	lines   []line
	partial []byte
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	o.partial = append(o.partial, b...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		text := string(o.partial[:i])
		o.partial = o.partial[i+1:]
		o.lines = append(o.lines, line{now, text})
		if o.onLine != nil {
			o.onLine(text)
		}
	}
	return len(b), nil
}

// Lines returns the lines so far.
func (o *output) Lines() []line {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]line(nil), o.lines...)
}

func (o *output) String() string {
	var b strings.Builder
	for _, l := range o.Lines() {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	// storeFailure is how the blog logs a request that failed because the
	// session store did (slog's default handler, through package log).
	// Fiber's adapter reports it as a *fiber.Error whose text is the
	// status's, "Service Unavailable".
	storeFailure = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ERROR session error err="core: session store failed: .*"$`)

	// redisLog is a line of go-redis's own logger, which reports the
	// connections it fails to make.
	redisLog = regexp.MustCompile(`^redis: `)
)

// checkLog fails t for every line the blog logged but its reports of a
// session store failure (and go-redis's reports of failed connections)
// read from the time from on, and returns how many store failures it
// reported. A zero from allows none.
func (p *blogProc) checkLog(t *testing.T, from time.Time) int {
	t.Helper()
	n, bad := 0, 0
	for _, l := range p.stderr.Lines() {
		during := !from.IsZero() && !l.at.Before(from)
		switch {
		case during && storeFailure.MatchString(l.text):
			n++
			continue
		case during && redisLog.MatchString(l.text):
			continue
		}
		if bad++; bad <= 3 {
			when := "before the fault"
			if during {
				when = "during the fault"
			}
			t.Errorf("the blog logged %q %s; want nothing but store failures during the fault", l.text, when)
		}
	}
	if bad > 3 {
		t.Errorf("and %d more lines", bad-3)
	}
	return n
}

// countLines returns how many lines of the blog's log match re.
func countLines(p *blogProc, re *regexp.Regexp) int {
	n := 0
	for _, l := range p.stderr.Lines() {
		if re.MatchString(l.text) {
			n++
		}
	}
	return n
}
