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

	"github.com/transient-go/transient/core/pgstore"
)

// TestCallBudget has a call wait for a row that another transaction
// holds, while PostgreSQL answers the store's other calls: it fails once
// it has run out of the call budget (Options.Timeout), with an error that
// says so and matches context.DeadlineExceeded, and the breaker stays
// closed.
func TestCallBudget(t *testing.T) {
	db, pool := migrated(t, nil)
	const budget = time.Second
	s := newStore(t, pool, &pgstore.Options{Timeout: budget, QueryTimeout: budget / 4})
	tok, other := create(t, s, record(`v1`)), create(t, s, record(`other`))

	holder, err := pgx.Connect(ctx, db.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	sum := sha256.Sum256([]byte(tok))
	if _, err := tx.Exec(ctx, `SELECT FROM sessions WHERE key = $1 FOR UPDATE`, sum[:]); err != nil {
		t.Fatal(err)
	}

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
	_, err = s.Update(ctx, tok, []byte(`v1`), record(`v2`))
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
