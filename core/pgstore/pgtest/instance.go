package pgtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// startTimeout bounds initdb, and the wait for a server to accept
	// connections, crash recovery included: generous, for busy CI machines.
	startTimeout = 30 * time.Second
	// stopTimeout bounds a fast shutdown before the server is killed.
	stopTimeout = 30 * time.Second
	// attemptTimeout bounds one connection attempt while waiting for a server.
	attemptTimeout = 5 * time.Second
	// pollInterval is the pause between two checks of a server's readiness.
	pollInterval = 20 * time.Millisecond
	// standardPort is PostgreSQL's: a server this machine may run uses it,
	// so the tests never do.
	standardPort = 5432
)

var (
	// errPortTaken means another process bound the server's port first.
	errPortTaken = errors.New("port taken")
	// errOldProcesses means processes of a killed server still hold its
	// shared memory: they exit on their own once they see the postmaster
	// gone.
	errOldProcesses = errors.New("processes of the killed server still hold its shared memory")
)

// instance is one PostgreSQL server of this package's own: a data directory
// made by initdb in a temporary directory of its own, and, while it runs, a
// postgres process on 127.0.0.1:port. Its methods are not safe for
// concurrent use: its owner serialises them.
type instance struct {
	bins     binaries
	acct     *account // whom the server runs as; nil: the current user
	dir      string   // data/, the unix socket, the logs
	port     int
	password string   // of the superuser postgres
	proc     *process // nil while stopped
	paused   []int    // the processes Pause stopped; nil unless paused
}

// newInstance initialises a data directory in a new temporary directory and
// starts a server on a free loopback port. On error it leaves nothing behind.
func newInstance(bins binaries, acct *account) (*instance, error) {
	dir, err := os.MkdirTemp("", "pgtest-") // mode 0700: the server's owner only
	if err != nil {
		return nil, err
	}
	in := &instance{bins: bins, acct: acct, dir: dir, password: rand.Text()}
	if err := in.initdb(); err != nil {
		in.remove()
		if acct != nil {
			err = fmt.Errorf("%w\n(the user %s must be able to reach %s: see TMPDIR)", err, acct.name, dir)
		}
		return nil, err
	}
	for range 20 {
		if in.port, err = freePort(); err != nil {
			break
		}
		if err = in.start(); !errors.Is(err, errPortTaken) {
			break
		}
	}
	if err != nil {
		in.remove()
		return nil, err
	}
	return in, nil
}

// initdb makes the data directory, with the superuser postgres and a
// password that only this package knows.
func (in *instance) initdb() error {
	if in.acct != nil {
		if err := os.Chown(in.dir, int(in.acct.uid), int(in.acct.gid)); err != nil {
			return err
		}
	}
	pwfile := filepath.Join(in.dir, "pwfile")
	if err := in.writeFile(pwfile, in.password); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	logPath := filepath.Join(in.dir, "initdb.log")
	p, _, err := in.run(logPath, in.bins.initdb,
		"-D", filepath.Join(in.dir, "data"),
		"-U", "postgres", "--pwfile", pwfile, "-A", "scram-sha-256",
		"-E", "UTF8", "--locale", "C", "--no-sync")
	if err != nil {
		return err
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		p.kill()
		return fmt.Errorf("initdb did not finish within %v\n%s", startTimeout, tail(logPath, 0))
	}
	if !p.cmd.ProcessState.Success() {
		return fmt.Errorf("initdb: %v\n%s", p.cmd.ProcessState, tail(logPath, 0))
	}
	return nil
}

// start starts the server on its port and waits until it accepts
// connections. It returns errPortTaken (wrapped) when another process holds
// the port. After a kill, it waits for the old processes to exit.
func (in *instance) start() error {
	deadline := time.Now().Add(startTimeout)
	for {
		err := in.launch(deadline)
		if !errors.Is(err, errOldProcesses) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(pollInterval) // polling until the old processes are gone
	}
}

// launch makes one attempt at starting the server.
func (in *instance) launch(deadline time.Time) error {
	logPath := filepath.Join(in.dir, "postgres.log")
	p, offset, err := in.run(logPath, in.bins.postgres,
		"-D", filepath.Join(in.dir, "data"),
		"-p", strconv.Itoa(in.port),
		"-k", in.dir, // the unix socket, not in /var/run/postgresql
		"-c", "listen_addresses=127.0.0.1",
		// Committed data survives a killed server (Kill), not a crash of
		// the machine: the tests need no more.
		"-c", "fsync=off",
		"-c", "full_page_writes=off")
	if err != nil {
		return err
	}
	cfg, err := pgx.ParseConfig(in.url("postgres"))
	if err != nil {
		p.kill()
		return err
	}
	for {
		if p.exited() {
			log := tail(logPath, offset)
			switch {
			case strings.Contains(log, "Address already in use"):
				return fmt.Errorf("postgres on port %d: %w", in.port, errPortTaken)
			case strings.Contains(log, "pre-existing shared memory block"):
				return fmt.Errorf("postgres on port %d: %w\n%s", in.port, errOldProcesses, log)
			}
			return fmt.Errorf("postgres on port %d exited at start-up: %v\n%s", in.port, p.cmd.ProcessState, log)
		}
		err := ping(cfg, p.done)
		if err == nil {
			in.proc = p
			return nil
		}
		if time.Now().After(deadline) {
			p.kill()
			return fmt.Errorf("postgres on port %d did not accept connections within %v: %v\n%s", in.port, startTimeout, err, tail(logPath, offset))
		}
		select {
		case <-p.done:
		case <-time.After(pollInterval):
		}
	}
}

// run starts one of the server's programs with its output appended to the
// file at logPath, and returns the file's size before the start.
func (in *instance) run(logPath, bin string, args ...string) (*process, int64, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	defer log.Close() // the process has its own copy of the descriptor
	fi, err := log.Stat()
	if err != nil {
		return nil, 0, err
	}
	attr, err := sysProcAttr(in.acct)
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = in.dir
	// Messages in English, which launch reads.
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = attr
	p, err := startProcess(cmd)
	if err != nil {
		return nil, 0, fmt.Errorf("starting %s: %w", bin, err)
	}
	return p, fi.Size(), nil
}

// writeFile writes a file the server's programs can read.
func (in *instance) writeFile(name, content string) error {
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		return err
	}
	if in.acct != nil {
		return os.Chown(name, int(in.acct.uid), int(in.acct.gid))
	}
	return nil
}

// url returns the URL of database db on the server, as its superuser.
func (in *instance) url(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword("postgres", in.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(in.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// running reports whether the server is started and has not exited.
func (in *instance) running() bool { return in.proc != nil && !in.proc.exited() }

// stop shuts the server down, fast, if it runs.
func (in *instance) stop() {
	_ = in.resume() // a stopped process would not see the signal
	if in.proc != nil {
		in.proc.stop(stopTimeout)
		in.proc = nil
	}
}

// kill stops the server at once with SIGKILL, as a crash would, with the
// processes of its connections (on Linux; elsewhere they exit on their own
// once they see it gone), so that its clients find their connections
// closed at once.
func (in *instance) kill() {
	_ = in.resume() // stopped backends would not see the postmaster gone
	if in.proc != nil {
		children := stopForKill(in.proc.cmd.Process.Pid)
		killAll(children)
		in.proc.kill()
		in.proc = nil
	}
}

// remove stops the server and removes its directory.
func (in *instance) remove() {
	in.stop()
	_ = os.RemoveAll(in.dir)
}

// logTail returns the end of the server's log.
func (in *instance) logTail() string { return tail(filepath.Join(in.dir, "postgres.log"), 0) }

// ping connects to the server once, and gives up when exited is closed:
// whatever answers on the port then is not the server.
func ping(cfg *pgx.ConnConfig, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), attemptTimeout)
	defer cancel()
	go func() {
		select {
		case <-exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// freePort returns a loopback port that was free a moment ago, never the
// standard one. Another process may take it before it is used: callers
// retry.
func freePort() (int, error) {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		if err := l.Close(); err != nil {
			return 0, err
		}
		if port != standardPort {
			return port, nil
		}
	}
}

// tail returns the last 2000 bytes of the file at path written after
// offset.
func tail(path string, offset int64) string {
	const tailBytes = 2000
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	offset = max(offset, fi.Size()-tailBytes)
	b, _ := io.ReadAll(io.NewSectionReader(f, offset, fi.Size()-offset))
	return string(b)
}
