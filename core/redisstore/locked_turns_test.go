package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// A call that nobody contends with costs two round trips, and leaves the
// session as Update finds it: one round trip, no conflict.
func testLockedUncontended(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(bg); err != nil { // loads the scripts
		t.Fatal(err)
	}
	rt := &tripCounter{}
	s.client.AddHook(rt)
	defer rt.off()
	before := rt.n()
	got, err := s.UpdateLocked(bg, tok, false, add1(t))
	if err != nil || got != tok {
		t.Fatalf("UpdateLocked = %q, %v; want %q", got, err, tok)
	}
	if n := rt.n() - before; n != 2 {
		t.Errorf("uncontended UpdateLocked took %d round trips; want 2", n)
	}
	wantLoad(t, s, tok, "n=2")
	if v := rawValue(t, s, tok); v[0] != 's' {
		t.Errorf("value after the hold = %q; want the form of a session nobody holds", v)
	}
	// The fast path is back: one round trip, no conflict.
	before = rt.n()
	if _, err := s.Update(bg, tok, []byte("n=2"), counterRec(3)); err != nil {
		t.Fatalf("Update after the hold = %v", err)
	}
	if n := rt.n() - before; n != 1 {
		t.Errorf("Update after the hold took %d round trips; want 1", n)
	}
}

// With renew, the session moves to a new ID and the old one is ended.
func testLockedRenew(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.UpdateLocked(bg, tok, true, add1(t))
	if err != nil || id == "" || id == tok {
		t.Fatalf("UpdateLocked(renew) = %q, %v; want a new ID", id, err)
	}
	wantLoad(t, s, id, "n=2")
	if _, _, err := s.Load(bg, tok); err != core.ErrGone {
		t.Fatalf("Load of the renewed ID = %v; want core.ErrGone", err)
	}
}

// The owner's index follows the writes as it follows Update and Renew.
func testLockedOwnerIndex(t *testing.T, s *Store) {
	owner := "owner-" + core.NewID()[:8]
	r := counterRec(1)
	r.Owner = owner
	tok, err := s.Create(bg, r)
	if err != nil {
		t.Fatal(err)
	}
	owned := func(cur []byte) (core.Record, error) {
		r := counterRec(counterOf(t, cur) + 1)
		r.Owner = owner
		return r, nil
	}
	if _, err := s.UpdateLocked(bg, tok, false, owned); err != nil {
		t.Fatal(err)
	}
	wantListedOnly(t, s, owner, tok, "n=2")
	id, err := s.UpdateLocked(bg, tok, true, owned)
	if err != nil {
		t.Fatal(err)
	}
	wantListedOnly(t, s, owner, id, "n=3")
}

func wantListedOnly(t *testing.T, s *Store, owner, tok, payload string) {
	t.Helper()
	listed, err := s.List(bg, owner)
	if err != nil || len(listed) != 1 || listed[0].Handle != core.HandleOf(tok) || string(listed[0].Payload) != payload {
		t.Fatalf("List = %q, %v; want only the session %.8s... holding %q", listed, err, tok, payload)
	}
}

// A change that fails writes nothing, returns its error as is, and lets
// the next turn come at once.
func testChangeFails(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	w := watch(s)
	h := startHolder(s, tok, false)
	h.holding(t)
	w.start(t, s, 1, tok, add1(t))
	oops := errors.New("oops")
	h.answers <- answer{err: oops}
	if o := h.result(t); o.err != oops || o.tok != "" {
		t.Errorf("UpdateLocked with a failing change = %q, %v; want \"\", %v as is", o.tok, o.err, oops)
	}
	// The waiter gets its turn well before the failed holder's lease
	// would have run out.
	if o := w.result(t); o.err != nil {
		t.Fatal(o.err)
	}
	wantLoad(t, s, tok, "n=2")
}

// A waiter whose deadline ends the wait returns a store error and leaves
// the queue: the next one is not kept waiting for its place to run out.
func testGivesUp(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	w := watch(s)
	h := startHolder(s, tok, false)
	h.holding(t)
	ctx, cancel := context.WithCancel(context.WithValue(bg, waiterKey{}, 1))
	gaveUp := make(chan outcome, 1)
	go func() {
		tok, err := s.UpdateLocked(ctx, tok, false, add1(t))
		gaveUp <- outcome{tok, err}
	}()
	if i := <-w.queued; i != 1 {
		t.Fatalf("waiter %d queued; want 1", i)
	}
	w.start(t, s, 2, tok, add1(t))
	cancel()
	if o := <-gaveUp; !errors.Is(o.err, context.Canceled) || o.tok != "" {
		t.Fatalf("UpdateLocked whose context ended = %q, %v; want \"\" and an error matching context.Canceled", o.tok, o.err)
	}
	if v := rawValue(t, s, tok); v[headerLen:heldHeaderLen] != "002" {
		t.Fatalf("queue after a waiter gave up = %q; want the holder and the other waiter", v[headerLen:heldHeaderLen])
	}
	h.write(counterRec(2))
	if o := h.result(t); o.err != nil {
		t.Fatal(o.err)
	}
	if o := w.result(t); o.err != nil {
		t.Fatal(o.err)
	}
	wantLoad(t, s, tok, "n=3")
}

// Waiters get the session in the order they came, each once.
func testTurnsInOrder(t *testing.T, s *Store) {
	tok, err := s.Create(bg, core.Record{Payload: []byte("order:"), TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	w := watch(s)
	h := startHolder(s, tok, false)
	h.holding(t)
	const n = 12
	for i := 1; i <= n; i++ {
		w.start(t, s, i, tok, func(cur []byte) (core.Record, error) {
			return core.Record{Payload: fmt.Appendf(bytes.Clone(cur), "%d,", i), TTL: time.Hour}, nil
		})
	}
	h.write(core.Record{Payload: []byte("order:0,"), TTL: time.Hour})
	if o := h.result(t); o.err != nil {
		t.Fatal(o.err)
	}
	for range n {
		if o := w.result(t); o.err != nil || o.tok != tok {
			t.Fatalf("a waiter = %q, %v", o.tok, o.err)
		}
	}
	want := "order:0,"
	for i := 1; i <= n; i++ {
		want += fmt.Sprintf("%d,", i)
	}
	wantLoad(t, s, tok, want)
	if v := rawValue(t, s, tok); v[0] != 's' {
		t.Errorf("value once every turn ended = %q; want the form of a session nobody holds", v)
	}
}

// A session that is unknown, ended or expired is never written, and its
// call does not wait.
func testLockedGone(t *testing.T, s *Store) {
	called := false
	change := func([]byte) (core.Record, error) { called = true; return counterRec(1), nil }
	ended, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(bg, ended); err != nil {
		t.Fatal(err)
	}
	expired, err := s.Create(bg, core.Record{Payload: []byte("n=1"), TTL: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for s.client.Exists(bg, s.key(expired)).Val() != 0 {
		time.Sleep(time.Millisecond) // Redis's clock, not the test's
	}
	for _, tok := range []string{core.NewID(), "not an ID", ended, expired} {
		for _, renew := range []bool{false, true} {
			if got, err := s.UpdateLocked(bg, tok, renew, change); !errors.Is(err, core.ErrNotFound) || got != "" {
				t.Errorf("UpdateLocked(%.10q, renew %v) = %q, %v; want \"\", core.ErrNotFound", tok, renew, got, err)
			}
		}
	}
	if called {
		t.Error("change called for a session that is gone")
	}
	if _, _, err := s.Load(bg, ended); err != core.ErrGone {
		t.Errorf("Load of the ended session = %v; want core.ErrGone still", err)
	}
}

// Each script of UpdateLocked, sent twice as go-redis does when an answer
// is lost, recognizes its own work.
func testLockedSentTwice(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	key, turn := s.key(tok), turnName()
	for range 2 {
		v, err := s.eval(bg, lockScript, key, turn, millis(s.lease), maxWaiters).Slice()
		if err != nil || v[0] != int64(1) || v[1] != "n=1" {
			t.Fatalf("lockScript sent again = %v, %v; want the hold, with n=1", v, err)
		}
	}
	if v := rawValue(t, s, tok); v[headerLen:heldHeaderLen] != "001" {
		t.Fatalf("queue after a question sent twice = %q entries; want 1", v[headerLen:heldHeaderLen])
	}
	next := value([]byte("n=2"))
	for range 2 {
		if err := result(s.eval(bg, heldUpdateScript, key, turn, next, int64(60000))); err != nil {
			t.Fatalf("heldUpdateScript sent again = %v; want success", err)
		}
	}
	wantLoad(t, s, tok, "n=2")

	turn = turnName()
	if _, err := s.eval(bg, lockScript, key, turn, millis(s.lease), maxWaiters).Slice(); err != nil {
		t.Fatal(err)
	}
	marker := goneMarker()
	for range 2 {
		if err := result(s.eval(bg, heldEndScript, key, turn, millis(core.GoneTTL), marker)); err != nil {
			t.Fatalf("heldEndScript sent again = %v; want success", err)
		}
	}
	if _, _, err := s.Load(bg, tok); err != core.ErrGone {
		t.Fatalf("Load after the held end = %v; want core.ErrGone", err)
	}
}
