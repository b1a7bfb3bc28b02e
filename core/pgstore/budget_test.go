package pgstore_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core/pgstore"
)

// TestCallBudget has a call wait for a row that another transaction
// holds, while PostgreSQL answers the store's other calls: it fails once
// it has run out of the call budget (Options.Timeout), with an error that
// says so and matches context.DeadlineExceeded, and the breaker stays
// closed.
func TestCallBudget(t *testing.T) {
	db, pool := migrated(t, nil)
	const budget = 2 * time.Second
	s := newStore(t, pool, &pgstore.Options{Timeout: budget, QueryTimeout: budget / 2})
	tok, other := create(t, s, record(`v1`)), create(t, s, record(`other`))
	holdRow(t, db.URL(), tok)

	// PostgreSQL answers other calls all along, so that the answer budget
	// never runs out.
	answering, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for answering.Err() == nil {
			if _, _, err := s.Load(ctx, other); err != nil {
				t.Errorf("Load of another session while one waits = %v", err)
				return
			}
		}
	})
	start := time.Now()
	_, err := s.Update(ctx, tok, []byte(`v1`), record(`v2`))
	waited := time.Since(start)
	stop()
	wg.Wait()

	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Options.Timeout") {
		t.Fatalf("Update of a row held past the call budget = %v; want an error that names Options.Timeout and matches context.DeadlineExceeded", err)
	}
	t.Logf("Update failed after %v: %v", waited.Round(time.Millisecond), err)
	if waited < budget {
		t.Errorf("Update failed after %v; want the call budget, %v, at least", waited, budget)
	}
	if _, _, err := s.Load(ctx, other); err != nil {
		t.Errorf("Load after a call ran out of its budget = %v; want nil (the breaker closed)", err)
	}
}

// holdRow locks the row of tok from another connection until t ends, and
// returns the transaction that holds it.
func holdRow(t *testing.T, url, tok string) pgx.Tx {
	t.Helper()
	holder, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close(ctx) })
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	sum := sha256.Sum256([]byte(tok))
	if _, err := tx.Exec(ctx, `SELECT FROM sessions WHERE key = $1 FOR UPDATE`, sum[:]); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestCallerDeadline has a call wait for a row that another transaction
// holds, past its caller's deadline: it fails once the deadline has
// passed, with an error that matches context.DeadlineExceeded.
func TestCallerDeadline(t *testing.T) {
	db, pool := migrated(t, nil)
	s := newStore(t, pool, &pgstore.Options{QueryTimeout: time.Minute})
	tok := create(t, s, record(`v1`))
	holdRow(t, db.URL(), tok)

	const wait = 500 * time.Millisecond
	bounded, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start := time.Now()
	_, err := s.Update(bounded, tok, []byte(`v1`), record(`v2`))
	waited := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update of a row held past the caller's deadline = %v; want an error matching context.DeadlineExceeded", err)
	}
	if waited < wait {
		t.Errorf("Update failed after %v; want the caller's deadline, %v, at least", waited, wait)
	}
}

// TestCallerCancelled has a call wait for a row that another transaction
// holds, and its caller's context cancelled meanwhile, without a
// deadline, as when a client goes away: the statement finishes once the
// row is free, and the call succeeds, on the connection it had. A call
// whose context is cancelled before it starts fails.
func TestCallerCancelled(t *testing.T) {
	db, _ := migrated(t, nil)
	rt := &counter{}
	pool := newPool(t, db, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = rt })
	s := newStore(t, pool, &pgstore.Options{QueryTimeout: time.Minute})
	tok := create(t, s, record(`v1`))
	tx := holdRow(t, db.URL(), tok)

	cancelled, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := s.Update(cancelled, tok, []byte(`v1`), record(`v2`)); done <- err }()
	poll(t, "the write to wait for the row lock", func() bool {
		var waiting bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database())`).Scan(&waiting)
		return err == nil && waiting
	})
	connects := rt.connects.Load()
	cancel()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Update whose caller was cancelled while it waited for the row = %v; want nil", err)
	}
	if got, _, err := s.Load(ctx, tok); err != nil || string(got) != "v2" {
		t.Fatalf("Load = %q, %v; want v2", got, err)
	}
	if n := rt.connects.Load() - connects; n != 0 {
		t.Errorf("%d connections made after the cancellation; want 0 (the statement's connection kept)", n)
	}
	if _, _, err := s.Load(cancelled, tok); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context = %v; want an error matching context.Canceled", err)
	}
}
