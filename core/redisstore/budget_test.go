package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

type budgetKey struct{}

// TestBudget checks the context each call gets: the call budget as its
// deadline, a sixteenth more at most, and a Done channel that closes then,
// shared by the calls whose context cannot be canceled; the context of a
// call that ends sooner as it is; the parent's values and cancellation.
func TestBudget(t *testing.T) {
	const d = 200 * time.Millisecond
	b := newBudget(d)
	parent := context.WithValue(context.Background(), budgetKey{}, "v")

	start := time.Now()
	first, cancel := b.bound(parent)
	defer cancel()
	second, cancel := b.bound(parent)
	defer cancel()
	end := time.Now()
	deadline, ok := first.Deadline()
	if !ok || deadline.Before(start.Add(d)) || deadline.After(end.Add(d+d/16)) {
		t.Fatalf("Deadline = %v, %v; want within %v and a sixteenth more of the call", deadline, ok, d)
	}
	if first.Done() != second.Done() {
		t.Error("two calls that begin together have Done channels of their own; want one they share")
	}
	if v := first.Value(budgetKey{}); v != "v" {
		t.Errorf("Value = %v; want the parent's", v)
	}
	if err := first.Err(); err != nil {
		t.Fatalf("Err before the deadline = %v; want nil", err)
	}
	select {
	case <-first.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done is still open 10s after the deadline")
	}
	if err := first.Err(); !errors.Is(err, context.DeadlineExceeded) || !time.Now().After(deadline) {
		t.Fatalf("Err once Done closed = %v, at %v; want context.DeadlineExceeded, after %v", err, time.Now(), deadline)
	}
	if later, cancel := b.bound(parent); later.Done() == first.Done() {
		cancel()
		t.Fatal("a call after the shared deadline ended got it; want a new one")
	} else {
		cancel()
	}

	t.Run("sooner", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(parent, d/2)
		defer cancel()
		if got, release := b.bound(ctx); got != ctx {
			release()
			t.Error("a context that ends sooner than the budget was replaced; want it as it is")
		} else {
			release()
		}
	})
	t.Run("cancelable", func(t *testing.T) {
		ctx, cancel := context.WithCancel(parent)
		got, release := b.bound(ctx)
		defer release()
		if dl, ok := got.Deadline(); !ok || dl.After(time.Now().Add(d)) {
			t.Errorf("Deadline = %v, %v; want the budget", dl, ok)
		}
		cancel()
		select {
		case <-got.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("Done is still open 10s after the parent was canceled")
		}
		if err := got.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err = %v; want context.Canceled, the parent's", err)
		}
	})
}
