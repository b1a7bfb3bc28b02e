package redistest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/transient-go/transient/core/redisstore/redistest"
)

func TestStartLocal(t *testing.T) {
	srv := redistest.StartLocal(t)
	c := srv.Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET = %v", err)
	}
	srv.Kill(t)
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING after Kill succeeded")
	}
	srv.Restart(t)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Restart = %v", err)
	}
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS k after Restart = %d, %v; want 0 (nothing persisted)", n, err)
	}
}

func TestPause(t *testing.T) {
	srv := redistest.StartLocal(t)
	c := srv.Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET = %v", err)
	}
	srv.Pause(t)
	if err := c.Ping(ctx).Err(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("PING of a paused server = %v; want no answer in time", err)
	}
	srv.Resume(t)
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET k after Resume = %q, %v; want \"v\", kept", v, err)
	}
	srv.Pause(t) // and the test ends with the server paused: Cleanup kills it
}

func TestStartCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	c := cl.Client(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		if err := c.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatalf("SET %s = %v", k, err)
		}
	}
	if got := len(cl.Addrs()); got != 3 {
		t.Fatalf("len(Addrs()) = %d; want 3", got)
	}
}

// TestMissingServer runs StartLocal in a child test process whose PATH has
// no redis-server: it skips, and fails under CI=true.
func TestMissingServer(t *testing.T) {
	if os.Getenv("REDISTEST_CHILD") == "1" {
		redistest.StartLocal(t)
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
		cmd.Env = append(os.Environ(), "REDISTEST_CHILD=1", "PATH="+t.TempDir(), "REDIS_URL=", "CI="+tt.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fail || !strings.Contains(string(out), tt.want) || !strings.Contains(string(out), "apt-get install redis-server") {
			t.Errorf("CI=%q: StartLocal without redis-server = %v\n%s\nwant %s with a message saying what to install", tt.ci, err, out, tt.want)
		}
	}
}
