package core_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/dbsctest"
	"github.com/transient-go/transient/core/memstore"
)

// This file forces the interleavings of two requests that use one
// challenge at once: the same refresh proof sent twice, and two
// registrations of one offer. Exactly one succeeds; the other meets, at
// commit time, the change the first made, and is refused with a new
// challenge, whichever way its commit writes (optimistically, or holding
// the record after two conflicts).

// hooked is a memstore whose Load, Update and UpdateLocked first run the
// test's hooks.
type hooked struct {
	*memstore.Store
	mu     sync.Mutex
	load   func()
	update func()
	locked func()
	holds  atomic.Int32
}

func (h *hooked) hook(f *func()) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if *f == nil {
		return func() {}
	}
	return *f
}

func (h *hooked) set(f *func(), to func()) {
	h.mu.Lock()
	*f = to
	h.mu.Unlock()
}

func (h *hooked) Load(ctx context.Context, token string) ([]byte, bool, error) {
	b, reissue, err := h.Store.Load(ctx, token)
	h.hook(&h.load)()
	return b, reissue, err
}

func (h *hooked) Update(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	h.hook(&h.update)()
	return h.Store.Update(ctx, token, old, r)
}

func (h *hooked) UpdateLocked(ctx context.Context, token string, renew bool, change func([]byte) (core.Record, error)) (string, error) {
	h.holds.Add(1)
	h.hook(&h.locked)()
	return h.Store.UpdateLocked(ctx, token, renew, change)
}

// barrier returns a func that n goroutines call, and that returns once all
// of them have.
func barrier(n int) func() {
	var wg sync.WaitGroup
	wg.Add(n)
	return func() {
		wg.Done()
		wg.Wait()
	}
}

// TestDeviceSameProofTwice sends one refresh proof in two requests that
// both load the session before either writes.
func TestDeviceSameProofTwice(t *testing.T) {
	store := &hooked{Store: mustMemstore()}
	d := newDevice(t, store, nil)
	d.register(d.login("alice"))
	d.advance(core.DefaultBoundLifetime + time.Minute)
	_, _, h := d.refresh("")
	header := http.Header{dbsctest.HeaderSessionID: {d.id}, dbsctest.HeaderResponse: {d.signer(challengeOf(h))}}

	store.set(&store.load, barrier(2))
	statuses, challenges := race(t, 2, func(int) (int, string, http.Header, error) {
		return serveDevice(d.m, d.cookies(), core.DefaultRefreshPath, header)
	})
	store.set(&store.load, nil)
	if statuses[http.StatusOK] != 1 || statuses[http.StatusForbidden] != 1 || len(challenges) != 1 {
		t.Fatalf("the same proof twice at once: statuses %v, %d new challenges; want one 200, one 403 with a challenge", statuses, len(challenges))
	}
	// The refused request's challenge is one the device can use.
	if status, _, _ := d.refresh(challenges[0]); status != http.StatusOK {
		t.Fatalf("refresh with the new challenge = %d; want 200", status)
	}
	if got := d.home(d.cookies()); got != "alice bound" {
		t.Fatalf("after the race: %s; want alice bound", got)
	}
}

// TestDeviceSameProofWhileHeld has a refresh meet two concurrent changes,
// so that it writes holding the record, and the same proof used by another
// request just before it takes the hold.
func TestDeviceSameProofWhileHeld(t *testing.T) {
	store := &hooked{Store: mustMemstore()}
	d := newDevice(t, store, nil)
	d.register(d.login("alice"))
	d.advance(core.DefaultBoundLifetime + time.Minute)
	_, _, h := d.refresh("")
	header := http.Header{dbsctest.HeaderSessionID: {d.id}, dbsctest.HeaderResponse: {d.signer(challengeOf(h))}}

	other := newManager(t, store.Store, &core.Options{Clock: d.clock}) // writes to the record directly
	var conflicts atomic.Int32
	store.set(&store.update, func() {
		if n := conflicts.Add(1); n <= 2 {
			r := begin(other, "session="+d.session)
			_ = r.session(t).Set("tab", int(n))
			r.commit(t)
		}
	})
	var second int
	store.set(&store.locked, func() {
		store.set(&store.locked, nil)
		status, _, _, err := serveDevice(d.m, d.cookies(), core.DefaultRefreshPath, header)
		if err != nil {
			t.Error(err)
		}
		second = status
	})
	status, _, h, err := serveDevice(d.m, d.cookies(), core.DefaultRefreshPath, header)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusForbidden || challengeOf(h) == "" || second != http.StatusOK || store.holds.Load() != 1 {
		t.Fatalf("refresh holding the record = %d (challenge %q), the other %d, %d holds; want 403 with a challenge, 200, 1",
			status, challengeOf(h), second, store.holds.Load())
	}
	if status, _, _ := d.refresh(challengeOf(h)); status != http.StatusOK {
		t.Fatalf("refresh with the new challenge = %d; want 200", status)
	}
	if got := d.home(d.cookies()); got != "alice bound" {
		t.Fatalf("after the race: %s; want alice bound", got)
	}
}

// TestDeviceTwoRegistrations registers two keys for one offer at once.
func TestDeviceTwoRegistrations(t *testing.T) {
	store := &hooked{Store: mustMemstore()}
	d := newDevice(t, store, nil)
	challenge := d.login("alice")
	store.set(&store.load, barrier(2))
	statuses, _ := race(t, 2, func(int) (int, string, http.Header, error) {
		key, err := dbsctest.NewKey("ES256")
		if err != nil {
			return 0, "", nil, err
		}
		proof, err := dbsctest.Proof(key, challenge, true, nil)
		if err != nil {
			return 0, "", nil, err
		}
		return serveDevice(d.m, d.cookies(), core.DefaultRegistrationPath, http.Header{dbsctest.HeaderResponse: {proof}})
	})
	store.set(&store.load, nil)
	if statuses[http.StatusOK] != 1 || statuses[http.StatusForbidden] != 1 {
		t.Fatalf("two registrations of one offer at once: statuses %v; want one 200, one 403", statuses)
	}
}

// race runs n requests at once and returns how many got each status, and
// the challenges their responses carry.
func race(t *testing.T, n int, do func(i int) (int, string, http.Header, error)) (map[int]int, []string) {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	var challenges []string
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, _, h, err := do(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			statuses[status]++
			if status != http.StatusOK && challengeOf(h) != "" {
				challenges = append(challenges, challengeOf(h))
			}
		})
	}
	wg.Wait()
	return statuses, challenges
}
