package pgtest

import (
	"sync"
	"testing"
)

// shared is the server on which Start creates databases when PG_URL is
// unset. It is this package's only package-level state: a server costs
// initdb, a second or more, and a database on a running one a few hundred
// milliseconds at most, so the tests of a package share one server. Its
// lifetime is counted, so that no server outlives the tests: see
// sharedServer.
var shared sharedServer

// sharedServer is a server started by the first test that needs it and
// stopped, its directory removed, when no test holds it any more and Run
// (if used) has returned. Its methods are safe for concurrent use.
type sharedServer struct {
	mu    sync.Mutex
	in    *instance // nil until a test needs it, and after it is stopped
	users int       // tests between their acquire and their cleanup
	kept  bool      // Run is running: keep the server between tests
}

// acquire returns the running server, starting it if need be, and holds it
// until t's cleanup.
func (s *sharedServer) acquire(t testing.TB) *instance {
	t.Helper()
	bins := lookBinaries(t, debianBinDirs)
	acct := serverAccount(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in == nil {
		in, err := newInstance(bins, acct)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		s.in = in
	}
	s.users++
	t.Cleanup(s.release)
	if !s.in.running() {
		t.Fatalf("pgtest: the shared server has exited:\n%s", s.in.logTail())
	}
	return s.in
}

// release lets go of the server, and stops it if it was the last hold.
func (s *sharedServer) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	s.stopIfUnused()
}

// keep sets whether the server is kept while no test holds it.
func (s *sharedServer) keep(k bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept = k
	s.stopIfUnused()
}

func (s *sharedServer) stopIfUnused() {
	if s.users == 0 && !s.kept && s.in != nil {
		s.in.remove()
		s.in = nil
	}
}

// Run runs the tests as m.Run does and returns its exit code, keeping the
// server that Start shares from the first test that needs it until the
// tests are over, when Run stops it. Without Run, tests that run one after
// another each start and stop a server of their own, about a second each.
// Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
func Run(m *testing.M) int {
	shared.keep(true)
	defer shared.keep(false)
	return m.Run()
}
