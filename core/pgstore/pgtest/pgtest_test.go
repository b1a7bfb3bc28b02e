package pgtest_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestMain shares one server between the tests, as Run promises, except in
// the child processes of TestSharedServer that check the other way.
func TestMain(m *testing.M) {
	if os.Getenv("PGTEST_NO_RUN") == "1" {
		os.Exit(m.Run())
	}
	os.Exit(pgtest.Run(m))
}

func TestStart(t *testing.T) {
	db := pgtest.Start(t)
	if db.Local() {
		t.Error("Local() = true for Start; want false")
	}
	u, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PG_URL") == "" {
		if u.Hostname() != "127.0.0.1" || u.Port() == "5432" || u.Query().Get("sslmode") != "disable" {
			t.Errorf("URL() = %s; want 127.0.0.1, a port other than 5432, sslmode=disable", u.Redacted())
		}
	}
	pool := db.Pool(t)
	var name string
	if err := pool.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatalf("SELECT current_database() = %v", err)
	}
	if name != db.Database() {
		t.Errorf("current_database() = %q; want Database() = %q", name, db.Database())
	}
	if _, err := pool.Exec(t.Context(), "CREATE TABLE t (v text); INSERT INTO t VALUES ('x')"); err != nil {
		t.Fatalf("CREATE TABLE, INSERT = %v", err)
	}
	var v string
	if err := pool.QueryRow(t.Context(), "SELECT v FROM t").Scan(&v); err != nil || v != "x" {
		t.Errorf("SELECT v FROM t = %q, %v; want \"x\", nil", v, err)
	}
}

func TestStartDistinct(t *testing.T) {
	a, b := pgtest.Start(t), pgtest.Start(t)
	if a.Database() == b.Database() {
		t.Fatalf("two Starts gave database %s twice; want two databases", a.Database())
	}
	if _, err := a.Pool(t).Exec(t.Context(), "CREATE TABLE only_in_a (v int)"); err != nil {
		t.Fatalf("CREATE TABLE = %v", err)
	}
	var n int
	err := b.Pool(t).QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("tables named only_in_a in the other database = %d, %v; want 0", n, err)
	}
}

// TestStartParallel has parallel tests share the server, each with a
// database of its own.
func TestStartParallel(t *testing.T) {
	for i := range 4 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			db := pgtest.Start(t)
			var got string
			if err := db.Pool(t).QueryRow(t.Context(), "SELECT current_database()").Scan(&got); err != nil || got != db.Database() {
				t.Errorf("SELECT current_database() = %q, %v; want %q", got, err, db.Database())
			}
		})
	}
}

func TestStartLocal(t *testing.T) {
	var pid int
	var dir string
	t.Run("KillRestart", func(t *testing.T) {
		srv := pgtest.StartLocal(t)
		if !srv.Local() {
			t.Error("Local() = false for StartLocal; want true")
		}
		if _, err := srv.Pool(t).Exec(t.Context(), "CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')"); err != nil {
			t.Fatalf("CREATE TABLE, INSERT = %v", err)
		}
		killed, _ := serverProcess(t, srv)
		url := srv.URL()
		open, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer open.Close(t.Context())
		srv.Kill(t)
		if alive(killed) {
			t.Errorf("postmaster %d alive after Kill", killed)
		}
		if _, err := open.Exec(t.Context(), "SELECT 1"); err == nil {
			t.Error("SELECT 1 on a connection opened before Kill succeeded; want its connection closed")
		}
		if _, err := pgx.Connect(t.Context(), srv.URL()); err == nil {
			t.Fatal("connect after Kill succeeded")
		}
		srv.Kill(t) // a no-op on a killed server
		srv.Restart(t)
		if srv.URL() != url {
			t.Errorf("URL() after Restart = %s; want %s", srv.URL(), url)
		}
		var v string
		if err := srv.Pool(t).QueryRow(t.Context(), "SELECT v FROM t").Scan(&v); err != nil || v != "kept" {
			t.Errorf("SELECT v FROM t after Kill, Restart = %q, %v; want \"kept\", nil", v, err)
		}
		pid, dir = serverProcess(t, srv)
	})
	if pid == 0 {
		return
	}
	if alive(pid) {
		t.Errorf("postmaster %d alive after cleanup", pid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("os.Stat(%s) after cleanup = %v; want not exist", dir, err)
	}
}

// TestPGURL points PG_URL at a server of its own: Start must create its
// database there, leave the URL's database alone, and drop its own.
func TestPGURL(t *testing.T) {
	srv := pgtest.StartLocal(t)
	pool := srv.Pool(t)
	if _, err := pool.Exec(t.Context(), "CREATE TABLE mine (v int)"); err != nil {
		t.Fatalf("CREATE TABLE = %v", err)
	}
	t.Setenv("PG_URL", srv.URL())
	exists := func(name string) bool {
		t.Helper()
		var n int
		if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatalf("SELECT FROM pg_database = %v", err)
		}
		return n == 1
	}
	var name string
	t.Run("Start", func(t *testing.T) {
		db := pgtest.Start(t)
		name = db.Database()
		if name == srv.Database() || !exists(name) {
			t.Fatalf("Start with PG_URL: database %s; want a new one on the server at PG_URL", name)
		}
		if db.Local() {
			t.Error("Local() = true at PG_URL; want false")
		}
		if _, err := db.Pool(t).Exec(t.Context(), "CREATE TABLE theirs (v int)"); err != nil {
			t.Fatalf("CREATE TABLE = %v", err)
		}
	})
	if name == "" {
		return
	}
	if exists(name) {
		t.Errorf("database %s exists after cleanup; want it dropped", name)
	}
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM mine").Scan(&n); err != nil {
		t.Errorf("the PG_URL database after the test: SELECT FROM mine = %v; want it untouched", err)
	}
}

// TestSharedServer runs tests that Start twice in a child process, with and
// without Run: with Run they share one server; without, each has its own.
// Either way, no server is left once the child has exited.
func TestSharedServer(t *testing.T) {
	if out := os.Getenv("PGTEST_CHILD_OUT"); out != "" {
		for _, name := range []string{"a", "b"} {
			t.Run(name, func(t *testing.T) {
				pid, dir := serverProcess(t, pgtest.Start(t))
				f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteString(strconv.Itoa(pid) + " " + dir + "\n"); err != nil {
					t.Fatal(err)
				}
			})
		}
		return
	}
	if os.Getenv("PG_URL") != "" {
		t.Skip("the shared server is not used under PG_URL")
	}
	for _, tt := range []struct {
		noRun string
		share bool
	}{
		{"", true},
		{"1", false},
	} {
		out := filepath.Join(t.TempDir(), "servers")
		if err := os.WriteFile(out, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestSharedServer$", "-test.v")
		cmd.Env = append(os.Environ(), "PGTEST_CHILD_OUT="+out, "PGTEST_NO_RUN="+tt.noRun, "PG_URL=")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("PGTEST_NO_RUN=%q: child: %v\n%s", tt.noRun, err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Fields(string(b)) // PID, directory; PID, directory
		if len(lines) != 4 {
			t.Fatalf("PGTEST_NO_RUN=%q: child wrote %q; want two servers", tt.noRun, b)
		}
		if shared := lines[0] == lines[2] && lines[1] == lines[3]; shared != tt.share {
			t.Errorf("PGTEST_NO_RUN=%q: servers %q: shared = %t; want %t", tt.noRun, b, shared, tt.share)
		}
		for i := 0; i < 4; i += 2 {
			if pid, _ := strconv.Atoi(lines[i]); alive(pid) {
				t.Errorf("PGTEST_NO_RUN=%q: postmaster %d alive after the child exited", tt.noRun, pid)
			}
			if _, err := os.Stat(lines[i+1]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("PGTEST_NO_RUN=%q: os.Stat(%s) after the child exited = %v; want not exist", tt.noRun, lines[i+1], err)
			}
		}
	}
}

func TestUnreachableURL(t *testing.T) {
	u := pgtest.UnreachableURL(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := pgx.Connect(ctx, u)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("pgx.Connect(%s) = %v; want connection refused", u, err)
	}
}

// serverProcess returns the PID of the server's postmaster and the
// temporary directory that holds its data directory.
func serverProcess(t *testing.T, srv *pgtest.Server) (pid int, dir string) {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var data string
	if err := pool.QueryRow(t.Context(), "SHOW data_directory").Scan(&data); err != nil {
		t.Fatalf("SHOW data_directory = %v", err)
	}
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if pid, err = strconv.Atoi(first); err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	return pid, filepath.Dir(data)
}

// alive reports whether a process with the given PID exists.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}
