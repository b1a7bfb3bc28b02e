package pgtest_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestPauseResume pauses a server: a connection open before, and a new
// one, get no answer, though the port accepts connections; once resumed,
// another connection open before and a new one answer. A server paused at
// the end of a test is resumed and stopped by its cleanup.
func TestPauseResume(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pause is implemented on Linux only")
	}
	srv := pgtest.StartLocal(t)
	connect := func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, srv.URL()) }
	open, err := connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close(context.Background())
	kept, err := connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close(context.Background())

	srv.Pause(t)
	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := open.Exec(short, "SELECT 1"); !pgconn.Timeout(err) {
		t.Errorf("a statement on an open connection while paused = %v; want a timeout", err)
	}
	if c, err := connect(short); !pgconn.Timeout(err) && !errors.Is(err, context.DeadlineExceeded) {
		if c != nil {
			c.Close(context.Background())
		}
		t.Errorf("a new connection while paused = %v; want a timeout", err)
	}

	srv.Resume(t)
	if _, err := kept.Exec(t.Context(), "SELECT 1"); err != nil {
		t.Errorf("a statement on a connection open before the pause, after Resume = %v", err)
	}
	c, err := connect(t.Context())
	if err != nil {
		t.Fatalf("a new connection after Resume = %v", err)
	}
	c.Close(context.Background())

	t.Run("cleanup resumes", func(t *testing.T) {
		srv := pgtest.StartLocal(t)
		srv.Pause(t)
	})
}
