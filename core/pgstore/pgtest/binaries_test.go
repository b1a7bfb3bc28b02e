package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinaries(t *testing.T) {
	for _, tt := range []struct {
		name string
		path []string // executables in the directory on PATH: name or name=target
		deb  []string // executables under the Debian-style root
		want string   // directory of the binaries found, relative; "" for an error
	}{
		{
			name: "newest Debian version, numerically",
			deb:  []string{"9.6/bin/initdb", "9.6/bin/postgres", "13/bin/initdb", "13/bin/postgres", "10/bin/initdb", "10/bin/postgres"},
			want: "deb/13/bin",
		},
		{
			name: "newest complete Debian version",
			deb:  []string{"13/bin/initdb", "13/bin/postgres", "15/bin/initdb"},
			want: "deb/13/bin",
		},
		{
			name: "PATH first",
			path: []string{"initdb", "postgres"},
			deb:  []string{"15/bin/initdb", "15/bin/postgres"},
			want: "path",
		},
		{
			name: "PATH symlink to the real directory",
			path: []string{"initdb=../deb/12/bin/initdb"},
			deb:  []string{"12/bin/initdb", "12/bin/postgres", "15/bin/initdb", "15/bin/postgres"},
			want: "deb/12/bin",
		},
		{
			name: "nothing",
			want: "",
		},
		{
			name: "not a version",
			deb:  []string{"beta/bin/initdb", "beta/bin/postgres"},
			want: "deb/beta/bin",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.path {
				name, target, link := strings.Cut(f, "=")
				if link {
					mkdirFor(t, filepath.Join(root, "path", name))
					if err := os.Symlink(target, filepath.Join(root, "path", name)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				executable(t, filepath.Join(root, "path", name))
			}
			for _, f := range tt.deb {
				executable(t, filepath.Join(root, "deb", f))
			}
			t.Setenv("PATH", filepath.Join(root, "path"))
			got, err := findBinaries(filepath.Join(root, "deb", "*", "bin"))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("findBinaries = %+v; want an error", got)
				}
				return
			}
			want := binaries{
				initdb:   filepath.Join(root, tt.want, "initdb"),
				postgres: filepath.Join(root, tt.want, "postgres"),
			}
			if err != nil || got != want {
				t.Errorf("findBinaries = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"9.6", "13", -1},
		{"13", "9.6", 1},
		{"15", "15", 0},
		{"10", "9.6", 1},
		{"beta", "9.6", -1},
	} {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestMissingServer looks for PostgreSQL in a child test process whose
// PATH and Debian directories have none: it skips, and fails under CI=true,
// saying what to install.
func TestMissingServer(t *testing.T) {
	if os.Getenv("PGTEST_MISSING_CHILD") == "1" {
		lookBinaries(t, filepath.Join(t.TempDir(), "*", "bin"))
		return
	}
	for _, tt := range []struct {
		ci, want string
		fail     bool
	}{
		{"", "--- SKIP", false},
		{"true", "--- FAIL", true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingServer$", "-test.v")
		cmd.Env = append(os.Environ(), "PGTEST_MISSING_CHILD=1", "PATH="+t.TempDir(), "CI="+tt.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fail || !strings.Contains(string(out), tt.want) || !strings.Contains(string(out), "apt-get install postgresql") {
			t.Errorf("CI=%q: lookBinaries without PostgreSQL = %v\n%s\nwant %s with a message saying what to install", tt.ci, err, out, tt.want)
		}
	}
}

func executable(t *testing.T, path string) {
	t.Helper()
	mkdirFor(t, path)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func mkdirFor(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
}
