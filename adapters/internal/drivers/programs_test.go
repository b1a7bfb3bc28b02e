package drivers_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestDocPrograms builds every program of the README and the guides in an
// empty module that requires the library, as a new user who pastes it
// would (the library replaced by this checkout, and no network: GOPROXY=off,
// what the build needs is already in the module cache), and runs it:
//
//   - a program with an Output prints it;
//   - a server first runs without each environment variable it reads, and
//     must stop with a message that names the variable; then it runs with
//     them (a random SESSION_SECRET, a Redis and a PostgreSQL database of
//     the test's own for REDIS_URL and DATABASE_URL), and a browser
//     (browse_test.go) uses its first page's form, follows the redirect and
//     checks the flash message it shows: HTML served as text/html, the
//     message escaped, and shown once.
//
// A server listens on a free loopback port rather than on the
// "localhost:8080" the documents show: the test builds it with that one
// literal replaced by an address it passes in the environment.
func TestDocPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module per program: skipped with -short")
	}
	mod, sum := readmeModule(t)
	for _, s := range programs(t) {
		t.Run(s.path, func(t *testing.T) {
			t.Parallel()
			switch {
			case strings.Contains(s.code, "\n\t// Output:"):
				runOutput(t, s, build(t, s.code, mod, sum))
			case strings.Count(s.code, `"localhost:8080"`) == 1:
				runServer(t, s, mod, sum)
			default:
				t.Fatalf("%s is neither a program with an Output nor a server on \"localhost:8080\": the test cannot run it", s)
			}
		})
	}
}

// readmeModule returns the go.mod and go.sum of a user's module that
// requires the library: the library's own requirements pin the versions of
// what a program imports (gin, echo, fiber...), so nothing needs resolving.
func readmeModule(t *testing.T) (mod, sum string) {
	t.Helper()
	root, err := filepath.Abs(repo)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod = strings.Replace(string(gomod), "module github.com/transient-go/transient", "module example.com/readme", 1) +
		"\nrequire github.com/transient-go/transient v0.0.0\n\nreplace github.com/transient-go/transient => " + root + "\n"
	return mod, string(gosum)
}

// build builds files as a module of its own, main.go holding code, and
// returns the program's path.
func build(t *testing.T, code, mod, sum string, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"go.mod": mod, "go.sum": sum, "main.go": code + "\n"}
	for i := 0; i+1 < len(files); i += 2 {
		all[files[i]] = files[i+1]
	}
	for name, data := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "program")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the program does not build in a module of its own: %v\n%s", err, out)
	}
	return bin
}

// runOutput runs a program made of an Example with an Output, and checks
// that it prints it.
func runOutput(t *testing.T, s snippet, bin string) {
	_, out, _ := strings.Cut(s.code, "\n\t// Output:\n")
	var want []string
	for line := range strings.Lines(out) {
		c, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "\t// ")
		if !ok {
			break
		}
		want = append(want, c)
	}
	cmd := exec.Command(bin)
	cmd.Env = programEnv(nil)
	got, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(got)) != strings.Join(want, "\n") {
		t.Fatalf("%s printed (%v):\n%s\nwant:\n%s", s, err, got, strings.Join(want, "\n"))
	}
}

var getenvRE = regexp.MustCompile(`os\.Getenv\("(\w+)"\)`)

// addrFile is the file the test adds to a server's module: the address to
// listen on, from the environment.
const addrFile = `package main

import "os"

var testAddr = os.Getenv("PROGRAM_ADDR")
`

// runServer checks the messages of a server started without its
// environment, then runs it with its environment and browses it.
func runServer(t *testing.T, s snippet, mod, sum string) {
	var names []string
	for _, m := range getenvRE.FindAllStringSubmatch(s.code, -1) {
		names = append(names, m[1])
	}
	bin := build(t, strings.Replace(s.code, `"localhost:8080"`, "testAddr", 1), mod, sum, "addr.go", addrFile)
	for _, name := range names {
		cmd := exec.Command(bin)
		cmd.Env = append(programEnv(nil), "PROGRAM_ADDR=127.0.0.1:"+freePort(t))
		out, err := runWithin(cmd, time.Minute)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || !strings.Contains(string(out), name) {
			t.Errorf("without %s, %s = %v, printing %q; want it to stop with a message that names %s", name, s, err, out, name)
		}
	}
	env := map[string]string{}
	for _, name := range names {
		switch name {
		case "SESSION_SECRET":
			env[name] = rand.Text() + rand.Text()
		case "REDIS_URL":
			env[name] = redistest.Start(t).URL()
		case "DATABASE_URL":
			env[name] = pgtest.Start(t).URL()
		default:
			t.Fatalf("%s reads %s: give it a value in runServer", s, name)
		}
	}
	browse(t, serve(t, s, bin, programEnv(env)), firstPage(t, s))
}

// managed are the variables the programs read: a program runs with the
// values the test gives it, or without them, never with the caller's.
var managed = []string{"SESSION_SECRET", "REDIS_URL", "DATABASE_URL", "PROGRAM_ADDR"}

// programEnv returns the environment of a program: the test's own, but
// for the variables the programs read, which come from vars.
func programEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(managed, name) {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// runWithin runs cmd and returns its combined output, killing it if it
// runs for longer than d.
func runWithin(cmd *exec.Cmd, d time.Duration) ([]byte, error) {
	out := new(lockedBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	timer := time.AfterFunc(d, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	return out.Bytes(), err
}

// freePort returns a loopback port that is free now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// serve starts the server program bin of s on a free loopback port, waits
// until it accepts connections, and returns its base URL. The program is
// killed when the test ends. A port that another process took in the
// meantime is tried again with another.
func serve(t *testing.T, s snippet, bin string, env []string) string {
	for range 5 {
		addr := "127.0.0.1:" + freePort(t)
		cmd := exec.Command(bin)
		cmd.Env = append(env, "PROGRAM_ADDR="+addr)
		out := new(lockedBuffer)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-exited
			if t.Failed() {
				t.Logf("%s printed:\n%s", s, out.Bytes())
			}
		})
		switch err := waitReady(addr, exited); {
		case err == nil:
			return "http://" + addr
		case !strings.Contains(string(out.Bytes()), "address already in use"):
			t.Fatalf("%s did not serve on %s: %v\n%s", s, addr, err, out.Bytes())
		}
	}
	t.Fatalf("%s found no free port in 5 tries", s)
	return ""
}

// waitReady waits until a program accepts connections on addr, and
// returns an error if it exits first or takes more than a minute. Polling
// is a readiness probe of another process, not a way to order events of
// this one: a net/http program says nothing when it is ready.
func waitReady(addr string, exited chan error) error {
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("it exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("it did not accept connections within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// routeRE finds a program's GET routes, on every framework.
var routeRE = regexp.MustCompile(`(?:"GET |\.GET\("|\.Get\(")(/[^"]*)"`)

// firstPage returns the path of the first GET route of s, where a visitor
// starts.
func firstPage(t *testing.T, s snippet) string {
	t.Helper()
	m := routeRE.FindStringSubmatch(s.code)
	if m == nil {
		t.Fatalf("%s has no GET route", s)
	}
	return strings.TrimSuffix(m[1], "{$}")
}

// lockedBuffer is the output of a program, written by os/exec's copying
// goroutine and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf...)
}
