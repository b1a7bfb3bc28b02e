package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file checks a core.LockingStore: the write a commit falls back to
// once its optimistic writes keep meeting concurrent changes.

func runLocking(t *testing.T, s core.LockingStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, core.LockingStore)
	}{
		{"Update", testLockedUpdate},
		{"Renew", testLockedRenew},
		{"ChangeError", testLockedChangeError},
		{"NotFound", testLockedNotFound},
		{"DeleteDuringHold", testLockedDelete},
		{"Deadline", testLockedDeadline},
		{"Contention", testLockedContention},
		{"ConcurrentRenew", testLockedConcurrentRenew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, s) })
	}
}

// addOne is a change that adds one to a counter, recording what its
// last call wrote in *last.
func addOne(last *[]byte) func([]byte) (core.Record, error) {
	return func(current []byte) (core.Record, error) {
		n, ok := parseCounter(current)
		if !ok {
			return core.Record{}, fmt.Errorf("the record holds %q, which no writer wrote", current)
		}
		*last = counter(n + 1)
		return rec(*last, time.Hour), nil
	}
}

func testLockedUpdate(t *testing.T, s core.LockingStore) {
	tok := create(t, s, counter(0), time.Hour)
	var calls int
	got, err := s.UpdateLocked(ctx, tok, false, func(current []byte) (core.Record, error) {
		calls++
		if !bytes.Equal(current, counter(0)) {
			return core.Record{}, fmt.Errorf("change got %q; want the record's payload %q", current, counter(0))
		}
		return rec(counter(1), time.Hour), nil
	})
	if err != nil || got != tok {
		t.Fatalf("UpdateLocked = %q, %v; want the same token %q", got, err, tok)
	}
	if calls == 0 {
		t.Fatalf("UpdateLocked wrote without calling change")
	}
	wantPayload(t, s, tok, counter(1))
	// The hold is over: an optimistic write goes through at once.
	if _, err := s.Update(ctx, tok, counter(1), rec(counter(2), time.Hour)); err != nil {
		t.Fatalf("Update after UpdateLocked = %v; want nil (no hold left behind)", err)
	}
	wantPayload(t, s, tok, counter(2))
}

func testLockedRenew(t *testing.T, s core.LockingStore) {
	owner := newOwner("renewed")
	_, isIndex := s.(core.Index)
	tok, err := s.Create(ctx, owned(counter(0), owner))
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := s.UpdateLocked(ctx, tok, true, func(current []byte) (core.Record, error) {
		return owned(counter(1), owner), nil
	})
	if err != nil {
		t.Fatalf("UpdateLocked(renew) = %v", err)
	}
	if renewed == tok || !core.ValidID(renewed) {
		t.Fatalf("UpdateLocked(renew) = %q; want a new token made with core.NewID", renewed)
	}
	wantPayload(t, s, renewed, counter(1))
	wantEnded(t, s, tok)
	if isIndex {
		wantListed(t, s.(core.Index), owner, []string{renewed}, [][]byte{counter(1)})
	}
}

func testLockedChangeError(t *testing.T, s core.LockingStore) {
	refused := errors.New("storetest: change refused")
	for _, renew := range []bool{false, true} {
		tok := create(t, s, counter(0), time.Hour)
		got, err := s.UpdateLocked(ctx, tok, renew, func([]byte) (core.Record, error) {
			return core.Record{}, refused
		})
		if err != refused {
			t.Fatalf("UpdateLocked(renew %v) with change failing = %v; want change's error as is", renew, err)
		}
		wantNoToken(t, "UpdateLocked with change failing", got, err)
		wantPayload(t, s, tok, counter(0))
		if _, err := s.Update(ctx, tok, counter(0), rec(counter(1), time.Hour)); err != nil {
			t.Fatalf("Update after a failed UpdateLocked = %v; want nil (no hold left behind)", err)
		}
	}
}

func testLockedNotFound(t *testing.T, s core.LockingStore) {
	ended := create(t, s, counter(0), time.Hour)
	if err := s.Delete(ctx, ended); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{core.NewID(), "x", "", ended} {
		for _, renew := range []bool{false, true} {
			called := false
			got, err := s.UpdateLocked(ctx, tok, renew, func([]byte) (core.Record, error) {
				called = true
				return rec(counter(9), time.Hour), nil
			})
			if !errors.Is(err, core.ErrNotFound) {
				t.Fatalf("UpdateLocked(%.20q, renew %v) of no record = %q, %v; want core.ErrNotFound", tok, renew, got, err)
			}
			wantNoToken(t, "UpdateLocked of no record", got, err)
			if called {
				t.Fatalf("UpdateLocked(%.20q) called change for a record that is gone", tok)
			}
		}
	}
	wantEnded(t, s, ended)
}

// testLockedDelete ends a record while a caller holds it. A store may let
// Delete wait for the hold to end or let it through at once: either way
// the record ends, and a holder that Delete came before writes nothing.
func testLockedDelete(t *testing.T, s core.LockingStore) {
	for _, renew := range []bool{false, true} {
		tok := create(t, s, counter(0), time.Hour)
		deleted := make(chan error, 1)
		var started, first atomic.Bool // first: Delete returned while change ran
		got, err := s.UpdateLocked(ctx, tok, renew, func([]byte) (core.Record, error) {
			if !started.Swap(true) {
				go func() { deleted <- s.Delete(ctx, tok) }()
				// Long enough for a store that lets Delete through to do
				// it; a store that makes Delete wait is waited for only
				// this long, and the outcome is checked either way.
				select {
				case err := <-deleted:
					first.Store(true)
					deleted <- err
				case <-time.After(100 * time.Millisecond):
				}
			}
			return rec(counter(1), time.Hour), nil
		})
		switch derr := <-deleted; {
		case renew && err == nil && !first.Load():
			// The renewal ended the record before Delete came.
			if !errors.Is(derr, core.ErrNotFound) {
				t.Fatalf("Delete after a renewal = %v; want core.ErrNotFound", derr)
			}
		case derr != nil:
			t.Fatalf("Delete during a hold = %v; want nil", derr)
		}
		switch {
		case first.Load() && !errors.Is(err, core.ErrNotFound):
			t.Fatalf("UpdateLocked(renew %v) after a Delete during its hold = %q, %v; want core.ErrNotFound", renew, got, err)
		case err != nil && !errors.Is(err, core.ErrNotFound):
			t.Fatalf("UpdateLocked(renew %v) with a Delete during its hold = %v", renew, err)
		case err == nil && renew:
			wantPayload(t, s, got, counter(1)) // renewed before Delete came
		}
		wantNoToken(t, "UpdateLocked with a Delete during its hold", got, err)
		wantEnded(t, s, tok)
	}
}

// testLockedDeadline has callers whose deadline passes, before or while
// they wait, among callers that hold the record: a failed call leaves no
// hold behind, and writes at most once.
func testLockedDeadline(t *testing.T, s core.LockingStore) {
	tok := create(t, s, counter(0), time.Hour)
	done, cancel := context.WithCancel(ctx)
	cancel()
	var last []byte
	got, err := s.UpdateLocked(done, tok, false, addOne(&last))
	if err == nil {
		t.Fatalf("UpdateLocked with a context already done = %q, nil; want an error", got)
	}
	wantNoToken(t, "UpdateLocked with a context already done", got, err)
	wantPayload(t, s, tok, counter(0))

	var wg sync.WaitGroup
	var wrote, failed atomic.Int64
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 20 {
				c, cancel := ctx, context.CancelFunc(func() {})
				if g%2 == 1 {
					c, cancel = context.WithTimeout(ctx, time.Duration(rand.IntN(2000))*time.Microsecond)
				}
				var last []byte
				got, err := s.UpdateLocked(c, tok, false, addOne(&last))
				cancel()
				switch {
				case err == nil:
					wrote.Add(1)
				case g%2 == 1 && (errors.Is(err, context.DeadlineExceeded) || errors.Is(c.Err(), context.DeadlineExceeded)):
					failed.Add(1)
				default:
					errs <- fmt.Errorf("UpdateLocked (writer %d, %d) = %v", g, i, err)
					return
				}
				if err != nil && got != "" {
					errs <- fmt.Errorf("UpdateLocked = %q, %v; want the token \"\" with an error", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// No hold is left behind for good: a held write goes through (after a
	// hold that a failed call left, if any, has reached the store's bound)
	// and an optimistic one right after it.
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := s.UpdateLocked(c, tok, false, addOne(&last)); err != nil {
		t.Fatalf("UpdateLocked after the deadlines = %v; want nil (no hold left behind)", err)
	}
	// Every call that succeeded wrote once; one that failed may have
	// written just before its deadline passed, but never more.
	n, _ := parseCounter(last)
	if n--; n < int(wrote.Load()) || n > int(wrote.Load()+failed.Load()) {
		t.Fatalf("after %d UpdateLocked calls that succeeded and %d whose deadline passed the record held n=%d; want n=%d to n=%d",
			wrote.Load(), failed.Load(), n, wrote.Load(), wrote.Load()+failed.Load())
	}
	if _, err := s.Update(ctx, tok, last, rec(counter(n+2), time.Hour)); err != nil {
		t.Fatalf("Update after UpdateLocked = %v; want nil (no hold left behind)", err)
	}
	wantPayload(t, s, tok, counter(n+2))
}

// Contention: lockers goroutines change one record at once, lockedRounds
// times each.
const (
	lockers      = 32
	lockedRounds = 50
)

// commitFallback adds one to the counter in tok's record as the Manager
// commits: optimistic writes on top of what it loaded, and after two
// conflicts UpdateLocked.
func commitFallback(s core.LockingStore, tok string) error {
	loaded, _, err := s.Load(ctx, tok)
	if err != nil {
		return err
	}
	for range 2 {
		n, ok := parseCounter(loaded)
		if !ok {
			return fmt.Errorf("the record holds %q, which no writer wrote", loaded)
		}
		_, err := s.Update(ctx, tok, loaded, rec(counter(n+1), time.Hour))
		var ce *core.ConflictError
		if !errors.As(err, &ce) {
			return err
		}
		loaded = ce.Current
	}
	var last []byte
	_, err = s.UpdateLocked(ctx, tok, false, addOne(&last))
	return err
}

// testLockedContention has lockers goroutines add to one counter at once,
// half of them always with UpdateLocked, half as the Manager commits
// (optimistic writes, then UpdateLocked): every caller finishes, and no
// increment is lost or written twice.
func testLockedContention(t *testing.T, s core.LockingStore) {
	tok := create(t, s, counter(0), time.Hour)
	var wg sync.WaitGroup
	var finished atomic.Int64
	errs := make(chan error, lockers)
	for g := range lockers {
		wg.Go(func() {
			for range lockedRounds {
				var err error
				if g%2 == 0 {
					var last []byte
					_, err = s.UpdateLocked(ctx, tok, false, addOne(&last))
				} else {
					err = commitFallback(s, tok)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			finished.Add(1)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := finished.Load(); n != lockers {
		t.Fatalf("%d of %d writers finished", n, lockers)
	}
	wantPayload(t, s, tok, counter(lockers*lockedRounds))
}

// testLockedConcurrentRenew has writers add to a counter with UpdateLocked
// while others renew the record with it: exactly one renewal wins, it
// carries every increment committed before it, and none is committed to
// the old record after it.
func testLockedConcurrentRenew(t *testing.T, s core.LockingStore) {
	tok := create(t, s, counter(0), time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var committed int
	var renewed []byte
	var renewals []string
	errs := make(chan error, 2*writers)
	for range writers {
		wg.Go(func() {
			for range increment {
				var last []byte
				_, err := s.UpdateLocked(ctx, tok, false, addOne(&last))
				if errors.Is(err, core.ErrNotFound) {
					return // renewed: the old record is gone for good
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed++
				mu.Unlock()
			}
		})
		wg.Go(func() {
			var p []byte
			newTok, err := s.UpdateLocked(ctx, tok, true, func(current []byte) (core.Record, error) {
				n, ok := parseCounter(current)
				if !ok {
					return core.Record{}, fmt.Errorf("the record holds %q", current)
				}
				p = fmt.Appendf(nil, "renewed at n=%d", n)
				return rec(p, time.Hour), nil
			})
			switch {
			case err == nil:
				mu.Lock()
				renewals, renewed = append(renewals, newTok), p
				mu.Unlock()
			case !errors.Is(err, core.ErrNotFound):
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(renewals) != 1 {
		t.Fatalf("%d renewals of one record succeeded; want exactly 1", len(renewals))
	}
	if want := fmt.Appendf(nil, "renewed at n=%d", committed); !bytes.Equal(renewed, want) {
		t.Fatalf("the renewal wrote %q after %d increments were committed; want %q", renewed, committed, want)
	}
	wantPayload(t, s, renewals[0], renewed)
	wantEnded(t, s, tok)
}
