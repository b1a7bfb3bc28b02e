package pgtest

import "testing"

// Pause stops the server and every process of its, as SIGSTOP does, and
// waits until they are all stopped: the server hangs. Its port still
// accepts connections (the kernel completes them), but nothing answers on
// them, on new connections or on those already open, until [Server.Resume].
// t.Cleanup resumes the server if the test has not. It fails t unless the
// server is the test's own, from StartLocal, and running, or on systems
// other than Linux.
func (s *Server) Pause(t testing.TB) {
	t.Helper()
	if s.own == nil {
		t.Fatal("pgtest: Pause needs a server of the test's own, from StartLocal")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.own.running() {
		t.Fatal("pgtest: Pause of a server that is not running")
	}
	if s.own.paused != nil {
		t.Fatal("pgtest: Pause of a server already paused")
	}
	pids, err := stopTree(s.own.proc.cmd.Process.Pid)
	s.own.paused = pids
	if err != nil {
		s.own.resume()
		t.Fatalf("pgtest: pausing the server: %v", err)
	}
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.own.resume()
	})
}

// Resume lets the processes that Pause stopped run again (SIGCONT): the
// server answers what it was sent meanwhile, and what comes next. It fails
// t unless the server is paused.
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	if s.own == nil {
		t.Fatal("pgtest: Resume needs a server of the test's own, from StartLocal")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.own.paused == nil {
		t.Fatal("pgtest: Resume of a server that is not paused")
	}
	if err := s.own.resume(); err != nil {
		t.Fatalf("pgtest: resuming the server: %v", err)
	}
}

// resume continues the processes that pause stopped, if any.
func (in *instance) resume() error {
	pids := in.paused
	in.paused = nil
	return continueAll(pids)
}
