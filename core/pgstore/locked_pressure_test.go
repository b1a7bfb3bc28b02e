package pgstore_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// lockWaiters returns how many of the database's sessions wait for a lock.
func lockWaiters(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// holder is a call of UpdateLocked whose first change blocks until
// release is closed, holding the record meanwhile: a hook that forces the
// interleavings of these tests (a real change never blocks).
type holder struct {
	held    chan struct{} // closed once change has been called
	release chan struct{}
	done    chan error
	token   string
	calls   []string // the payloads change was called with
}

func hold(s *pgstore.Store, tok string, renew bool, write string) *holder {
	h := &holder{held: make(chan struct{}), release: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		var err error
		h.token, err = s.UpdateLocked(ctx, tok, renew, func(current []byte) (core.Record, error) {
			h.calls = append(h.calls, string(current))
			if len(h.calls) == 1 {
				close(h.held)
				<-h.release
			}
			return record(string(current) + write), nil
		})
		h.done <- err
	}()
	<-h.held
	return h
}

// TestUpdateLockedFIFO has writers queue one after the other for a record
// that UpdateLocked holds: each gets the record in the order it asked for
// it. An optimistic Update that waits meanwhile reports a conflict with
// what a writer wrote.
func TestUpdateLockedFIFO(t *testing.T) {
	db, admin := migrated(t, nil)
	// A connection for each writer, and a budget no wait comes near.
	s := newStore(t, newPool(t, db, func(cfg *pgxpool.Config) { cfg.MaxConns = 12 }), &pgstore.Options{QueryTimeout: time.Minute})
	tok := create(t, s, record("v"))
	h := hold(s, tok, false, ",h")

	const writers = 8
	var mu sync.Mutex
	var order []int
	errs := make(chan error, writers)
	for i := range writers {
		go func() {
			_, err := s.UpdateLocked(ctx, tok, false, func(current []byte) (core.Record, error) {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return record(fmt.Sprintf("%s,%d", current, i)), nil
			})
			errs <- err
		}()
		poll(t, fmt.Sprintf("writer %d to wait", i), func() bool { return lockWaiters(t, admin) == i+1 })
	}
	conflict := make(chan error, 1)
	go func() {
		_, err := s.Update(ctx, tok, []byte("v"), record("lost"))
		conflict <- err
	}()
	poll(t, "the Update to wait", func() bool { return lockWaiters(t, admin) == writers+1 })
	close(h.release)
	if err := <-h.done; err != nil {
		t.Fatalf("the holder's UpdateLocked = %v", err)
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	want := []int{0, 1, 2, 3, 4, 5, 6, 7}
	if !slices.Equal(order, want) {
		t.Errorf("writers got the record in the order %v; want %v, the order they asked in", order, want)
	}
	var ce *core.ConflictError
	if err := <-conflict; !errors.As(err, &ce) || !strings.HasPrefix(string(ce.Current), "v,h") {
		t.Errorf("the Update that waited during the hold = %v; want a conflict with what the holder or a writer wrote", err)
	}
	if p, _, err := s.Load(ctx, tok); err != nil || string(p) != "v,h,0,1,2,3,4,5,6,7" {
		t.Errorf("Load = %q, %v; want every write, in order", p, err)
	}
}

// TestUpdateLockedDelete deletes a record that UpdateLocked holds: Delete
// waits for the hold, then ends the record as the holder left it, or
// finds it ended by the holder's renewal.
func TestUpdateLockedDelete(t *testing.T) {
	_, admin := migrated(t, nil)
	s := newStore(t, admin, &pgstore.Options{QueryTimeout: time.Minute})
	for _, renew := range []bool{false, true} {
		t.Run(fmt.Sprintf("renew=%v", renew), func(t *testing.T) {
			tok := create(t, s, record("v1"))
			h := hold(s, tok, renew, ",held")
			deleted := make(chan error, 1)
			go func() { deleted <- s.Delete(ctx, tok) }()
			poll(t, "Delete to wait for the hold", func() bool { return lockWaiters(t, admin) == 1 })
			close(h.release)
			if err := <-h.done; err != nil {
				t.Fatalf("the holder's UpdateLocked = %v", err)
			}
			err := <-deleted
			if _, _, lerr := s.Load(ctx, tok); !errors.Is(lerr, core.ErrGone) {
				t.Errorf("Load after the hold and the Delete = %v; want core.ErrGone", lerr)
			}
			if !renew {
				if err != nil {
					t.Errorf("Delete after the hold = %v; want the record ended", err)
				}
				return
			}
			if !errors.Is(err, core.ErrNotFound) {
				t.Errorf("Delete of the token the holder renewed = %v; want core.ErrNotFound", err)
			}
			if p, _, err := s.Load(ctx, h.token); err != nil || string(p) != "v1,held" {
				t.Errorf("Load(the renewed token) = %q, %v; want v1,held", p, err)
			}
		})
	}
}
