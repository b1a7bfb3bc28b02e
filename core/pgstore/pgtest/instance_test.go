package pgtest

import (
	"errors"
	"net"
	"os"
	"strings"
	"testing"
)

// TestInstanceStartFailures starts a stopped server where it cannot run:
// on a port another process holds, which callers retry on another port, and
// with a setting postgres rejects, where the error quotes the server's log.
func TestInstanceStartFailures(t *testing.T) {
	in, err := newInstance(lookBinaries(t, debianBinDirs), serverAccount(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.remove)
	free := in.port
	in.stop()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port

	for _, tt := range []struct {
		name string
		port int
		want error  // for errors.Is; nil: any error
		log  string // in the error
	}{
		{"port taken", taken, errPortTaken, ""},
		{"invalid port", 70000, nil, "70000"},
	} {
		in.port = tt.port
		err := in.start()
		if err == nil || tt.want != nil && !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.log) {
			t.Errorf("%s: start() = %v; want %v, quoting %q", tt.name, err, tt.want, tt.log)
		}
		if in.proc != nil {
			t.Fatalf("%s: start() failed and left a process", tt.name)
		}
	}

	in.port = free
	if err := in.start(); err != nil {
		t.Fatalf("start() on a free port = %v", err)
	}
	if !in.running() {
		t.Error("running() = false after start")
	}
}

func TestTail(t *testing.T) {
	path := t.TempDir() + "/log"
	content := strings.Repeat("a", 3000) + "end"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		offset int64
		want   string
	}{
		{0, content[len(content)-2000:]},
		{2999, "aend"},
		{3003, ""},
	} {
		if got := tail(path, tt.offset); got != tt.want {
			t.Errorf("tail(log, %d) = %q; want %q", tt.offset, got, tt.want)
		}
	}
}
