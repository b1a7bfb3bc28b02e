// Package pgtest gives each test a PostgreSQL database of its own, on a
// real server: a database created for the test, empty, and dropped when the
// test ends.
//
//	func TestSomething(t *testing.T) {
//		db := pgtest.Start(t)
//		pool := db.Pool(t)
//		...
//	}
//
// # Servers
//
// When PG_URL is set, [Start] creates the test's database on the server at
// that postgres:// URL, whose role must be allowed to create databases. The
// URL's own database serves only to create and drop the test's: nothing the
// test did not create is touched.
//
// Otherwise Start creates it on a server shared by the package's tests: the
// first test that needs one starts it, and it is stopped, its directory
// removed, as soon as no test holds it. Starting a server costs a second or
// more (initdb), creating a database on a running one a few hundred
// milliseconds at most: a package whose tests run one after another calls
// [Run] from TestMain, which keeps the shared server until the tests are
// over:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
//
// [StartLocal] starts a server of the test's own, which the test can
// [Server.Kill] and [Server.Restart], or [Server.Pause] and [Server.Resume]
// (a server that hangs: it accepts connections and answers nothing): for
// outage tests. It ignores PG_URL.
//
// A server started here runs initdb and postgres from PATH, or else from the
// newest /usr/lib/postgresql/VERSION/bin, where Debian puts them. Without
// them the test is skipped with a message saying what to install, except
// under CI=true, where it fails instead, so that CI cannot pass by skipping.
// PostgreSQL refuses to run as root: a test running as root runs the server
// as the user postgres that Debian's package creates (on Linux only).
//
// A server listens on 127.0.0.1 only, on a free port, never on 5432 where
// the machine may run a PostgreSQL of its own, and on a unix socket in its
// temporary directory. It accepts the superuser postgres with a random
// password, runs with fsync off (committed data survives a killed server,
// not a crash of the machine), and writes its log to a file in its
// directory, whose end is quoted when the server fails to start. t.Cleanup
// stops it with a fast shutdown. On Linux, should the test binary die
// without running its cleanups, the kernel kills the server too.
//
// The server at PG_URL, and any started here, must be PostgreSQL 13 or
// later.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Server is a PostgreSQL database for one test, on a server of the test's
// own ([StartLocal]) or not ([Start]). Its methods are safe for concurrent
// use.
type Server struct {
	url  string // of the test's database
	name string // the test's database

	mu  sync.Mutex
	own *instance // the test's own server; nil for Start
}

// Start creates a new, empty database for the test, on the server at PG_URL
// if that variable is set, and otherwise on a server shared by the tests of
// the package (see [Run]). t.Cleanup drops the database.
func Start(t testing.TB) *Server {
	t.Helper()
	admin := os.Getenv("PG_URL")
	if admin == "" {
		admin = shared.acquire(t).url("postgres")
	}
	s := newServer(t, admin, nil)
	t.Cleanup(func() {
		if err := dropDatabase(admin, s.name); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", s.name, err)
		}
	})
	return s
}

// StartLocal starts a new server for the test alone, with a new, empty
// database, on a free loopback port. t.Cleanup stops the server and removes
// its files. It ignores PG_URL: use it for tests that kill the server.
func StartLocal(t testing.TB) *Server {
	t.Helper()
	bins := lookBinaries(t, debianBinDirs)
	acct := serverAccount(t)
	in, err := newInstance(bins, acct)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return newServer(t, in.url("postgres"), in)
}

// newServer creates a database for t through a connection to adminURL. own
// is the test's own server, removed at t's cleanup.
func newServer(t testing.TB, adminURL string, own *instance) *Server {
	t.Helper()
	s := &Server{name: databaseName(t.Name()), own: own}
	if own != nil {
		t.Cleanup(s.remove)
	}
	var err error
	if s.url, err = withDatabase(adminURL, s.name); err != nil {
		t.Fatalf("pgtest: PG_URL: %v", err)
	}
	if err := createDatabase(adminURL, s.name); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", s.name, err)
	}
	return s
}

// URL returns the URL of the test's database, such as
// "postgres://postgres:PASSWORD@127.0.0.1:40123/pgtest_testx_q3vz…?sslmode=disable"
// for a server started here. It stays the same across Kill and Restart.
func (s *Server) URL() string { return s.url }

// Database returns the name of the test's database.
func (s *Server) Database() string { return s.name }

// Local reports whether the server is the test's own, from StartLocal, which
// can be killed and restarted.
func (s *Server) Local() bool { return s.own != nil }

// Pool returns a new pool of connections to the test's database, closed by
// t.Cleanup, with pgx's defaults but for ConnectTimeout, 5 s unless the URL
// sets connect_timeout. The pool connects lazily. Like any pool, after Kill
// and Restart it still holds connections to the killed server: pgx discards
// each at its first failure, or at acquire when it was idle for more than a
// second. A connection still acquired at cleanup fails t.
func (s *Server) Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(s.url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = attemptTimeout
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		// Close waits for every acquired connection to be released.
		closed := make(chan struct{})
		go func() {
			p.Close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(stopTimeout):
			t.Errorf("pgtest: Pool not closed within %v: a connection was never released (rows not closed?)", stopTimeout)
		}
	})
	return p
}

// Kill stops the server at once, as a crash would (SIGKILL), and waits until
// its main process is gone. Clients see their connections closed and new
// ones refused. It fails t unless the server is the test's own.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if s.own == nil {
		t.Fatal("pgtest: Kill needs a server of the test's own, from StartLocal")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.own.kill()
}

// Restart starts the server again after Kill, on the same port with the
// same data (PostgreSQL recovers from the crash), and waits until it accepts
// connections. It fails t unless the server is the test's own and stopped,
// or if its port was taken meanwhile.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.own == nil {
		t.Fatal("pgtest: Restart needs a server of the test's own, from StartLocal")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.own.running() {
		t.Fatal("pgtest: Restart of a server that is running")
	}
	s.own.proc = nil // killed, or exited by itself
	if err := s.own.start(); err != nil {
		t.Fatalf("pgtest: restart: %v", err)
	}
}

// remove stops the test's own server and removes its files.
func (s *Server) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.own.remove()
}

// UnreachableURL returns the postgres:// URL of a loopback port where
// nothing listens: a PostgreSQL that is down. Connections to it are refused
// at once. It needs no PostgreSQL.
func UnreachableURL(t testing.TB) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}
