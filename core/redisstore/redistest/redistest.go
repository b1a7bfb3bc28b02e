// Package redistest starts real Redis servers for tests: one server with
// [Start] or [StartLocal], a three-node Redis Cluster with [StartCluster].
// A server of the test's own can crash ([Server.Kill]) and come back
// empty ([Server.Restart]), or hang ([Server.Pause]) and come back as it
// was ([Server.Resume]).
// Servers listen on loopback only, keep nothing on disk beyond a temporary
// directory, and are stopped by t.Cleanup.
//
// Start uses the server at REDIS_URL when that variable is set; otherwise,
// like StartLocal and StartCluster, it runs redis-server (and, for a
// cluster, redis-cli) from PATH. When neither is available the test is
// skipped with a message saying what to install, except under CI=true,
// where it fails instead, so that CI cannot pass by skipping.
//
//	func TestSomething(t *testing.T) {
//		srv := redistest.Start(t)
//		store, err := redisstore.New(srv.Client(t), nil)
//		...
//	}
package redistest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a Redis server for one test. Its methods are safe for
// concurrent use.
type Server struct {
	url  string
	addr string
	bin  string // redis-server; "" for a server at REDIS_URL
	dir  string
	port int

	mu     sync.Mutex
	proc   *proc // nil while killed
	paused bool  // stopped by Pause
}

// Start returns the Redis server at REDIS_URL if that variable is set, and
// otherwise starts a new redis-server as StartLocal does. A server at
// REDIS_URL is shared: tests must not flush it, and it cannot be killed.
func Start(t testing.TB) *Server {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatalf("redistest: REDIS_URL: %v", err)
		}
		return &Server{url: u, addr: opt.Addr}
	}
	return StartLocal(t)
}

// StartLocal starts a new redis-server from PATH on a free loopback port,
// without persistence, with its files in a temporary directory, and waits
// until it answers. t.Cleanup stops it. It ignores REDIS_URL: use it for
// tests that kill the server or need it to themselves.
func StartLocal(t testing.TB) *Server {
	t.Helper()
	bin := lookPath(t, "redis-server")
	s := &Server{bin: bin, dir: t.TempDir()}
	t.Cleanup(s.stop) // after t.TempDir's cleanup was registered, so it runs first
	var err error
	for range 20 {
		var ports []int
		if ports, err = freePorts(1); err != nil {
			break
		}
		s.port = ports[0]
		if s.proc, err = launch(bin, s.dir, s.port); !errors.Is(err, errPortTaken) {
			break
		}
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	s.url = "redis://" + s.addr + "/0"
	return s
}

// lookPath finds a program the tests need, or skips the test (fails it
// under CI=true) with a message saying what to install.
func lookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("redistest: %s not found in PATH: install it (apt-get install redis-server) or set REDIS_URL to a Redis server to use", name)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: not skipping)")
	}
	t.Skip(msg)
	return ""
}

// URL returns the server's URL, such as "redis://127.0.0.1:40123/0".
func (s *Server) URL() string { return s.url }

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Local reports whether the test started the server (it can be killed and
// restarted), as opposed to using the one at REDIS_URL.
func (s *Server) Local() bool { return s.bin != "" }

// Client returns a new client of the server with ContextTimeoutEnabled
// set and short timeouts, closed by t.Cleanup.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(s.url)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, time.Second, time.Second
	opt.MaxRetries, opt.DialerRetries = 1, 1
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Kill stops the server at once, as a crash would (SIGKILL), and waits
// until the process is gone. Clients see connections reset and refused.
// It fails t for a server at REDIS_URL.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if !s.Local() {
		t.Fatal("redistest: Kill needs a server started by StartLocal, not REDIS_URL")
	}
	s.stop()
}

// Pause stops the server's process (SIGSTOP), as a hung Redis: it still
// accepts connections, since the kernel does, and answers nothing until
// Resume. It returns once the process is stopped, which it reads in
// Linux's /proc. It fails t for a server at REDIS_URL, and for one that is
// killed or paused. A paused server is killed as any other when the test
// ends.
func (s *Server) Pause(t testing.TB) {
	t.Helper()
	s.signal(t, "Pause", syscall.SIGSTOP, false)
}

// Resume lets the process that Pause stopped go on (SIGCONT): the server
// answers again, with everything it held. It fails t for a server that is
// not paused.
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	s.signal(t, "Resume", syscall.SIGCONT, true)
}

func (s *Server) signal(t testing.TB, name string, sig syscall.Signal, paused bool) {
	t.Helper()
	if !s.Local() {
		t.Fatalf("redistest: %s needs a server started by StartLocal, not REDIS_URL", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.proc == nil:
		t.Fatalf("redistest: %s of a server that is killed", name)
	case s.paused && !paused:
		t.Fatalf("redistest: %s of a server that is paused", name)
	case !s.paused && paused:
		t.Fatalf("redistest: %s of a server that is not paused", name)
	}
	if err := s.proc.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("redistest: %s: %v", name, err)
	}
	s.paused = !paused
	if s.paused {
		// A signal is delivered when the kernel gets to it: until the
		// process is stopped, it may still answer.
		if err := awaitStopped(s.proc.cmd.Process.Pid); err != nil {
			t.Fatalf("redistest: %s: %v", name, err)
		}
	}
}

// awaitStopped waits until the process pid is stopped, as Linux's
// /proc/pid/stat tells.
func awaitStopped(pid int) error {
	deadline := time.Now().Add(startTimeout)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return fmt.Errorf("cannot tell whether the server stopped (Pause needs Linux's /proc): %w", err)
		}
		// "pid (command) state ...": the command may hold spaces and
		// parentheses, the state follows the last ")".
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not stop within %v: %s", startTimeout, b)
		}
		time.Sleep(time.Millisecond)
	}
}

// Restart starts the server again on the same port after Kill, empty, and
// waits until it answers. It fails t for a server at REDIS_URL or if the
// port was taken meanwhile.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if !s.Local() {
		t.Fatal("redistest: Restart needs a server started by StartLocal, not REDIS_URL")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		t.Fatal("redistest: Restart of a server that is running")
	}
	p, err := launch(s.bin, s.dir, s.port)
	if err != nil {
		t.Fatalf("redistest: restart: %v", err)
	}
	s.proc = p
}

func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop() // SIGKILL ends a stopped process too
		s.proc = nil
	}
	s.paused = false
}

// UnreachableURL returns the redis:// URL of a loopback port where nothing
// listens: a Redis that is down. Connections to it are refused at once. It
// needs no redis-server.
func UnreachableURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return "redis://" + addr + "/0"
}
