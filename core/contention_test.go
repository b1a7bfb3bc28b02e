package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// This file forces a commit to meet concurrent changes again and again: a
// hook changes the record, through another Manager, just before each of
// the commit's optimistic writes reaches the store (a real memstore).

// meddler is a memstore whose Update and Renew first run a hook, and that
// counts the calls of UpdateLocked.
type meddler struct {
	*memstore.Store
	before func(token string)
	locked atomic.Int32
}

func (m *meddler) Update(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	m.before(token)
	return m.Store.Update(ctx, token, old, r)
}

func (m *meddler) Renew(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	m.before(token)
	return m.Store.Renew(ctx, token, old, r)
}

func (m *meddler) UpdateLocked(ctx context.Context, token string, renew bool, change func([]byte) (core.Record, error)) (string, error) {
	m.locked.Add(1)
	return m.Store.UpdateLocked(ctx, token, renew, change)
}

// optimistic hides a store's UpdateLocked: a store that cannot hold a
// record.
type optimistic struct{ core.Store }

// interfere returns a hook that, for its first n calls, sets the key
// "other<i>" in the record through a Manager of its own, as a concurrent
// request of the visitor would; and the number of calls so far.
func interfere(t *testing.T, inner *memstore.Store, n int) (func(string), *atomic.Int32) {
	other := newManager(t, inner, nil)
	var calls atomic.Int32
	return func(token string) {
		i := int(calls.Add(1))
		if i > n {
			return
		}
		r := begin(other, "session="+token)
		if err := r.session(t).Set(fmt.Sprint("other", i), i); err != nil {
			t.Error(err)
		}
		r.commit(t)
	}, &calls
}

// sessionCookie returns the value of the session cookie h sets.
func sessionCookie(t *testing.T, h http.Header) string {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == core.DefaultCookieName && c.MaxAge >= 0 {
			return c.Value
		}
	}
	t.Fatalf("Set-Cookie %q; want a session cookie", h.Values("Set-Cookie"))
	return ""
}

// TestCommitTakesTheLock has a commit meet a concurrent change before each
// of its optimistic writes: after two conflicts it writes through
// UpdateLocked, once, and both its change and every concurrent one are
// kept.
func TestCommitTakesTheLock(t *testing.T) {
	for _, renew := range []bool{false, true} {
		t.Run(fmt.Sprint("renew=", renew), func(t *testing.T) {
			inner := mustMemstore()
			store := &meddler{Store: inner, before: func(string) {}}
			m := newManager(t, store, nil)
			r := begin(m)
			_ = r.session(t).Set("user", "alice")
			cookie := sessionCookie(t, r.commit(t))

			var calls *atomic.Int32
			store.before, calls = interfere(t, inner, 1000)
			r = begin(m, "session="+cookie)
			s := r.session(t)
			if renew {
				s.Renew()
			}
			_ = s.Set("mine", "yes")
			h := r.commit(t)
			if n := store.locked.Load(); n != 1 || calls.Load() != 2 {
				t.Fatalf("the commit made %d optimistic writes and %d UpdateLocked calls; want 2 and 1", calls.Load(), n)
			}
			if renew {
				if next := sessionCookie(t, h); next == cookie {
					t.Fatalf("a renewal kept the cookie")
				} else {
					r := begin(m, "session="+cookie)
					if r.session(t).Has("user") {
						t.Fatalf("the renewed session's old ID still reads it")
					}
					cookie = next
				}
			} else if v := h.Values("Set-Cookie"); len(v) > 0 {
				t.Fatalf("an update set %q; want no cookie", v)
			}
			s = begin(m, "session="+cookie).session(t)
			for _, k := range []string{"user", "mine", "other1", "other2"} {
				if !s.Has(k) {
					t.Fatalf("the session holds %q; want %s too", s.Keys(), k)
				}
			}
		})
	}
}

// TestCommitWithoutLock does the same with a store that cannot hold a
// record: the commit keeps trying optimistically, and gives up after 16
// tries with ErrStore, having written nothing of its own.
func TestCommitWithoutLock(t *testing.T) {
	for _, tt := range []struct {
		conflicts int
		ok        bool
	}{{15, true}, {16, false}} {
		t.Run(fmt.Sprint(tt.conflicts, " conflicts"), func(t *testing.T) {
			inner := mustMemstore()
			store := &meddler{Store: inner, before: func(string) {}}
			var errs []error
			var mu sync.Mutex
			m := newManager(t, optimistic{store}, &core.Options{ErrorHandler: func(_ context.Context, err error) error {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return err
			}})
			r := begin(m)
			_ = r.session(t).Set("user", "alice")
			cookie := sessionCookie(t, r.commit(t))

			var calls *atomic.Int32
			store.before, calls = interfere(t, inner, tt.conflicts)
			r = begin(m, "session="+cookie)
			_ = r.session(t).Set("mine", "yes")
			err := m.Commit(r.ctx, &r.s, http.StatusOK, http.Header{})
			_ = m.Finish(r.ctx, &r.s)
			if calls.Load() != int32(min(tt.conflicts+1, 16)) || store.locked.Load() != 0 {
				t.Fatalf("the commit made %d optimistic writes and %d UpdateLocked calls; want %d and 0", calls.Load(), store.locked.Load(), min(tt.conflicts+1, 16))
			}
			if tt.ok != (err == nil) || !tt.ok && !errors.Is(err, core.ErrStore) {
				t.Fatalf("Commit after %d conflicts = %v; want success %v, or core.ErrStore", tt.conflicts, err, tt.ok)
			}
			if got := begin(m, "session="+cookie).session(t).Has("mine"); got != tt.ok {
				t.Fatalf("the request's change is kept: %v; want %v", got, tt.ok)
			}
		})
	}
}

// busyOnce is a memstore whose first Renew answers a ConflictError with
// the record as it is, as a store does while another commit holds the
// record (LockingStore).
type busyOnce struct {
	*memstore.Store
	busy atomic.Bool
}

func (b *busyOnce) Renew(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if b.busy.CompareAndSwap(false, true) {
		current, _, err := b.Load(ctx, token)
		if err != nil {
			return "", err
		}
		return "", &core.ConflictError{Current: current}
	}
	return b.Store.Renew(ctx, token, old, r)
}

// TestInvalidateMeetsConflict has the write of a session the request
// invalidated, then filled anew, meet a conflict: the new session holds
// only what the request put in it after Invalidate, never the ended
// record's data.
func TestInvalidateMeetsConflict(t *testing.T) {
	store := &busyOnce{Store: mustMemstore()}
	m := newManager(t, store, nil)
	r := begin(m)
	_ = r.session(t).Set("user", "alice")
	cookie := sessionCookie(t, r.commit(t))

	r = begin(m, "session="+cookie)
	s := r.session(t)
	s.Invalidate()
	_ = s.Set("after", "logout")
	next := sessionCookie(t, r.commit(t))
	if !store.busy.Load() {
		t.Fatal("the commit's Renew met no conflict")
	}
	s = begin(m, "session="+next).session(t)
	if got := s.Keys(); len(got) != 1 || got[0] != "after" {
		t.Fatalf("the new session holds %q; want only \"after\"", got)
	}
	if begin(m, "session="+cookie).session(t).Has("user") {
		t.Fatal("the invalidated session's ID still reads it")
	}
}
