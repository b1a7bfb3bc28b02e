package redisstore

import (
	"errors"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// While a call holds the session, Update and Renew write nothing and
// report a conflict, with the record as it is.
func testUpdateDuringHold(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	h := startHolder(s, tok, false)
	cur := h.holding(t)
	for _, w := range []struct {
		name string
		op   func() (string, error)
	}{
		{"Update", func() (string, error) { return s.Update(bg, tok, cur, counterRec(100)) }},
		{"Renew", func() (string, error) { return s.Renew(bg, tok, cur, counterRec(100)) }},
		{"Renew(nil)", func() (string, error) { return s.Renew(bg, tok, nil, counterRec(100)) }},
	} {
		got, err := w.op()
		var ce *core.ConflictError
		if !errors.As(err, &ce) || string(ce.Current) != "n=1" || got != "" {
			t.Errorf("%s during a hold = %q, %v; want \"\" and a conflict holding n=1", w.name, got, err)
		}
	}
	wantLoad(t, s, tok, "n=1")
	h.write(counterRec(2))
	if o := h.result(t); o.err != nil || o.tok != tok {
		t.Fatalf("the holder = %q, %v; want %q", o.tok, o.err, tok)
	}
	wantLoad(t, s, tok, "n=2")
	if _, err := s.Update(bg, tok, []byte("n=2"), counterRec(3)); err != nil {
		t.Fatalf("Update once the hold ended = %v", err)
	}
}

// Delete ends a held session at once; the holder and the waiting calls
// then write nothing and find it gone.
func testDeleteDuringHold(t *testing.T, s *Store) {
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	w := watch(s)
	h := startHolder(s, tok, false)
	h.holding(t)
	w.start(t, s, 1, tok, add1(t))
	if err := s.Delete(bg, tok); err != nil {
		t.Fatalf("Delete during a hold = %v", err)
	}
	if _, _, err := s.Load(bg, tok); err != core.ErrGone {
		t.Fatalf("Load after Delete = %v; want core.ErrGone", err)
	}
	h.write(counterRec(2))
	if o := h.result(t); !errors.Is(o.err, core.ErrNotFound) || o.tok != "" {
		t.Errorf("the holder after Delete = %q, %v; want \"\", core.ErrNotFound", o.tok, o.err)
	}
	if o := w.result(t); !errors.Is(o.err, core.ErrNotFound) || o.tok != "" {
		t.Errorf("the waiter after Delete = %q, %v; want \"\", core.ErrNotFound", o.tok, o.err)
	}
	if _, _, err := s.Load(bg, tok); err != core.ErrGone {
		t.Fatalf("Load after it all = %v; want core.ErrGone", err)
	}
}

// End, from the owner's list of sessions, ends a held session as Delete
// does.
func testEndDuringHold(t *testing.T, s *Store) {
	owner := "owner-" + core.NewID()[:8]
	r := counterRec(1)
	r.Owner = owner
	tok, err := s.Create(bg, r)
	if err != nil {
		t.Fatal(err)
	}
	h := startHolder(s, tok, true)
	h.holding(t)
	if err := s.End(bg, owner, core.HandleOf(tok)); err != nil {
		t.Fatalf("End during a hold = %v", err)
	}
	h.write(r)
	if o := h.result(t); !errors.Is(o.err, core.ErrNotFound) || o.tok != "" {
		t.Errorf("the holder after End = %q, %v; want \"\", core.ErrNotFound", o.tok, o.err)
	}
	if listed, err := s.List(bg, owner); err != nil || len(listed) != 0 {
		t.Errorf("List after End = %q, %v; want nothing", listed, err)
	}
}

// A holder that stops keeps the others waiting for one lease at most;
// what it writes after that is refused, and its call takes a new turn.
func testHolderDies(t *testing.T, s *Store) {
	s.lease = 300 * time.Millisecond
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	w := watch(s)
	h := startHolder(s, tok, false)
	if cur := h.holding(t); string(cur) != "n=1" {
		t.Fatalf("change called with %q; want n=1", cur)
	}
	turn := heldTurn(t, s, tok)
	start := time.Now()
	w.start(t, s, 1, tok, add1(t))
	if o := w.result(t); o.err != nil {
		t.Fatalf("the waiter = %v", o.err)
	}
	if d := time.Since(start); d < s.lease/2 {
		t.Errorf("the waiter got its turn %v after the holder stopped; want after its lease (%v)", d, s.lease)
	}
	wantLoad(t, s, tok, "n=2")
	// A write with the turn whose lease ran out, as a process that woke up
	// would send it, is refused.
	if err := result(s.eval(bg, heldUpdateScript, s.key(tok), turn, value([]byte("n=100")), int64(60000))); !errors.Is(err, errTurnOver) {
		t.Errorf("a write after the lease = %v; want it refused", err)
	}
	wantLoad(t, s, tok, "n=2")
	// The holder's own call, woken, is refused too, and calls change
	// again on what the waiter wrote.
	h.write(counterRec(100))
	if cur := h.holding(t); string(cur) != "n=2" {
		t.Fatalf("change called again with %q; want n=2", cur)
	}
	h.write(counterRec(3))
	if o := h.result(t); o.err != nil || o.tok != tok {
		t.Fatalf("the holder = %q, %v", o.tok, o.err)
	}
	wantLoad(t, s, tok, "n=3")
}

// heldTurn returns the name of the turn that holds tok's session.
func heldTurn(t *testing.T, s *Store, tok string) string {
	t.Helper()
	v := rawValue(t, s, tok)
	if len(v) < heldHeaderLen+entryLen || v[0] != 'q' {
		t.Fatalf("value of a held session = %q; want the held form", v)
	}
	return v[heldHeaderLen : heldHeaderLen+8]
}

// A call that took a place in the queue and stopped asking keeps the
// others waiting for one lease at most, once its turn has come.
func testWaiterDies(t *testing.T, s *Store) {
	s.lease = 300 * time.Millisecond
	tok, err := s.Create(bg, counterRec(1))
	if err != nil {
		t.Fatal(err)
	}
	w := watch(s)
	h := startHolder(s, tok, false)
	h.holding(t)
	// The dead waiter asks once, as a process that dies right after would.
	if v, err := s.eval(bg, lockScript, s.key(tok), "deadbeef", millis(s.lease), maxWaiters).Slice(); err != nil || v[0] != int64(0) {
		t.Fatalf("the dead waiter's question = %v, %v; want to wait", v, err)
	}
	w.start(t, s, 1, tok, add1(t))
	h.write(counterRec(2))
	if o := h.result(t); o.err != nil {
		t.Fatal(o.err)
	}
	if o := w.result(t); o.err != nil {
		t.Fatalf("the live waiter, behind a dead one = %v", o.err)
	}
	wantLoad(t, s, tok, "n=3")
}
