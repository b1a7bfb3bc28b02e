package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// debianBinDirs is where Debian's postgresql packages put initdb and
// postgres, one directory per major version, not on PATH.
const debianBinDirs = "/usr/lib/postgresql/*/bin"

// binaries are the programs that run a server, from one directory.
type binaries struct {
	initdb, postgres string
}

// lookBinaries finds initdb and postgres, or skips the test (fails it under
// CI=true) with a message saying what to install. glob is where to look
// when PATH has no initdb: debianBinDirs outside this package's own tests.
func lookBinaries(t testing.TB, glob string) binaries {
	t.Helper()
	b, err := findBinaries(glob)
	if err != nil {
		missing(t, fmt.Sprintf("pgtest: %v: install PostgreSQL (apt-get install postgresql) or set PG_URL to a server where the tests may create databases", err))
	}
	return b
}

// findBinaries returns initdb from PATH, else from the directory matching
// glob with the highest version number, and postgres from initdb's
// directory, where initdb itself looks for it.
func findBinaries(glob string) (binaries, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return inDir(filepath.Dir(p))
	}
	dirs, _ := filepath.Glob(glob) // the only error is a malformed pattern
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if b, err := inDir(dir); err == nil {
			return b, nil
		}
	}
	return binaries{}, fmt.Errorf("initdb not found in PATH or %s", glob)
}

// inDir returns the binaries in dir, or an error if one is missing.
func inDir(dir string) (binaries, error) {
	b := binaries{initdb: filepath.Join(dir, "initdb"), postgres: filepath.Join(dir, "postgres")}
	for _, p := range []string{b.initdb, b.postgres} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return binaries{}, fmt.Errorf("%s not found or not executable", p)
		}
	}
	return b, nil
}

// compareVersions orders PostgreSQL version directories numerically, so
// that 9.6 < 13 < 15; a name that is not a version sorts first.
func compareVersions(a, b string) int {
	return slices.Compare(versionParts(a), versionParts(b))
}

func versionParts(v string) []int {
	var parts []int
	for f := range strings.SplitSeq(v, ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return []int{-1}
		}
		parts = append(parts, n)
	}
	return parts
}

// account is the operating-system user a server runs as, when that is not
// the current one.
type account struct {
	name     string
	uid, gid uint32
}

// serverAccount returns nil when the tests may run the server as the current
// user, and otherwise, as root, whom PostgreSQL refuses to run as, the user
// postgres that Debian's package creates. Without it, the test is skipped
// (failed under CI=true).
func serverAccount(t testing.TB) *account {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	a, err := lookupAccount("postgres")
	if err != nil {
		missing(t, fmt.Sprintf("pgtest: running as root, which PostgreSQL refuses, and %v: install PostgreSQL (apt-get install postgresql creates the user postgres), run the tests as another user, or set PG_URL", err))
	}
	return a
}

func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	return &account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
}

// missing skips the test for want of msg's prerequisite, or fails it under
// CI=true, so that CI cannot pass by skipping.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: not skipping)")
	}
	t.Skip(msg)
}
