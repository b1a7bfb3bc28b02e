package pgstore

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestBreakerClassifiers checks what the breaker takes for a connection
// that failed and for PostgreSQL's answer, on the errors pgx returns from
// a real server: only a connection that could not be made may open the
// breaker; an error PostgreSQL sent, at connection time or to a
// statement, is an answer.
func TestBreakerClassifiers(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Start(t)
	wrongUser, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	wrongUser.User = url.User("no_such_role_" + db.Database())
	connect := func(u string) error {
		c, err := pgx.Connect(ctx, u)
		if err == nil {
			_ = c.Close(ctx)
		}
		return err
	}
	pool := db.Pool(t)
	_, missingTable := pool.Exec(ctx, `SELECT 1 FROM no_such_table`)
	tests := []struct {
		what                    string
		err                     error
		answered, connectFailed bool
	}{
		{"no error", nil, true, false},
		{"a port where nothing listens", connect(pgtest.UnreachableURL(t)), false, true},
		{"a role PostgreSQL refuses", connect(wrongUser.String()), true, false},
		{"a statement on a missing table", missingTable, true, false},
		{"a call PostgreSQL left unanswered for the answer budget", &noAnswerError{budget: time.Second, err: context.Canceled}, false, true},
		{"a port where nothing listens, as the store reports it", (&Store{addr: "127.0.0.1:1/db"}).describe(connect(pgtest.UnreachableURL(t))), false, true},
		{"a cancelled call", func() error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := pool.Exec(ctx, `SELECT 1`)
			return err
		}(), false, false},
	}
	for _, tt := range tests {
		if tt.err == nil && tt.what != "no error" {
			t.Fatalf("%s: no error; the case needs one", tt.what)
		}
		if got := answered(tt.err); got != tt.answered {
			t.Errorf("answered(%s: %v) = %v; want %v", tt.what, tt.err, got, tt.answered)
		}
		if got := connectFailed(tt.err); got != tt.connectFailed {
			t.Errorf("connectFailed(%s: %v) = %v; want %v", tt.what, tt.err, got, tt.connectFailed)
		}
	}
}
