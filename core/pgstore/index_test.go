package pgstore_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/storetest"
)

// listed returns the handles of owner's records, sorted, and fails t
// unless each comes with the payload of its record.
func listed(t *testing.T, s *pgstore.Store, owner string) []string {
	t.Helper()
	l, err := s.List(ctx, owner)
	if err != nil {
		t.Fatalf("List(%q) = %v", owner, err)
	}
	var handles []string
	for _, e := range l {
		handles = append(handles, e.Handle)
	}
	slices.Sort(handles)
	return handles
}

// handles returns the handles of tokens, sorted.
func handles(tokens ...string) []string {
	var hs []string
	for _, tok := range tokens {
		hs = append(hs, core.HandleOf(tok))
	}
	slices.Sort(hs)
	return hs
}

func wantListed(t *testing.T, s *pgstore.Store, owner string, tokens ...string) {
	t.Helper()
	if got, want := listed(t, s, owner), handles(tokens...); !slices.Equal(got, want) {
		t.Fatalf("List(%q) = %.8q; want %.8q", owner, got, want)
	}
}

func TestIndex(t *testing.T) {
	_, pool := migrated(t, nil)
	c := newClock()
	s := newStore(t, pool, &pgstore.Options{Clock: c.Now})

	a1 := create(t, s, owned(`a1`, "alice"))
	a2 := create(t, s, owned(`a2`, "alice"))
	b1 := create(t, s, owned(`b1`, "bob"))
	anon := create(t, s, record(`anon`))
	wantListed(t, s, "alice", a1, a2)
	wantListed(t, s, "bob", b1)
	wantListed(t, s, "nobody")
	wantListed(t, s, "")
	l, err := s.List(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l {
		if want := map[string]string{core.HandleOf(a1): "a1", core.HandleOf(a2): "a2"}[e.Handle]; string(e.Payload) != want {
			t.Errorf("List: %.8s... has payload %q; want %q", e.Handle, e.Payload, want)
		}
	}

	// An update keeps the listing; a renewal moves it to the new ID, under
	// the new owner; a deleted record is not listed.
	if _, err := s.Update(ctx, a1, []byte(`a1`), owned(`a1'`, "alice")); err != nil {
		t.Fatal(err)
	}
	wantListed(t, s, "alice", a1, a2)
	a2b, err := s.Renew(ctx, a2, nil, owned(`a2 renewed`, "bob"))
	if err != nil {
		t.Fatal(err)
	}
	wantListed(t, s, "alice", a1)
	wantListed(t, s, "bob", b1, a2b)
	if err := s.Delete(ctx, b1); err != nil {
		t.Fatal(err)
	}
	wantListed(t, s, "bob", a2b)
	anonA, err := s.Renew(ctx, anon, nil, owned(`anon logged in`, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	wantListed(t, s, "alice", a1, anonA)

	// End deletes the record at once, not as Delete does: its cookie finds
	// nothing, not an ended record.
	if err := s.End(ctx, "bob", core.HandleOf(a1)); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("End of alice's record as bob = %v; want core.ErrNotFound", err)
	}
	if err := s.End(ctx, "alice", core.HandleOf(a1)); err != nil {
		t.Fatalf("End = %v", err)
	}
	storetest.CheckUnknown(t, s, a1)
	for _, h := range []string{core.HandleOf(a1), core.HandleOf(b1), "x", a1} {
		if err := s.End(ctx, "alice", h); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("End(%.8q) = %v; want core.ErrNotFound", h, err)
		}
	}
	wantListed(t, s, "alice", anonA)

	// Expired records are not listed, and are deleted by the cleanup.
	short := create(t, s, core.Record{Payload: []byte(`short`), TTL: time.Minute, Owner: "alice"})
	wantListed(t, s, "alice", anonA, short)
	c.Advance(2 * time.Minute)
	wantListed(t, s, "alice", anonA)
	if err := s.End(ctx, "alice", core.HandleOf(short)); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("End of an expired record = %v; want core.ErrNotFound", err)
	}
	if _, err := s.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE owner = 'alice'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows of alice after the cleanup = %d, %v; want 1", n, err)
	}
}

// TestMaxPerOwner checks that a user's records are bounded: a write that
// lists one more deletes the least recently written.
func TestMaxPerOwner(t *testing.T) {
	_, pool := migrated(t, nil)
	c := newClock()
	s := newStore(t, pool, &pgstore.Options{Clock: c.Now, MaxPerOwner: 3})
	var toks []string
	for i := range 3 {
		c.Advance(time.Second)
		toks = append(toks, create(t, s, owned(string(rune('a'+i)), "alice")))
	}
	wantListed(t, s, "alice", toks...)

	// Updating the oldest makes it the most recently written.
	c.Advance(time.Second)
	if _, err := s.Update(ctx, toks[0], []byte("a"), owned("a'", "alice")); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second)
	d := create(t, s, owned("d", "alice"))
	wantListed(t, s, "alice", toks[0], toks[2], d)
	if _, _, err := s.Load(ctx, toks[1]); !errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrGone) {
		t.Fatalf("Load of the record past the bound = %v; want core.ErrNotFound (deleted)", err)
	}

	// Renewing one of them lists no more: nothing is deleted.
	c.Advance(time.Second)
	r, err := s.Renew(ctx, toks[2], nil, owned("c renewed", "alice"))
	if err != nil {
		t.Fatal(err)
	}
	wantListed(t, s, "alice", toks[0], d, r)

	// A login renews an anonymous record into one more: the least recently
	// written goes. Other owners and anonymous records are left alone.
	bob := create(t, s, owned("bob", "bob"))
	anon := create(t, s, record("anon"))
	other := create(t, s, record("other"))
	c.Advance(time.Second)
	login, err := s.Renew(ctx, anon, nil, owned("logged in", "alice"))
	if err != nil {
		t.Fatal(err)
	}
	wantListed(t, s, "alice", d, r, login)
	wantListed(t, s, "bob", bob)
	if _, _, err := s.Load(ctx, other); err != nil {
		t.Fatalf("Load of an anonymous record = %v", err)
	}

	// Expired records do not count.
	c.Advance(2 * time.Hour)
	e := create(t, s, owned("e", "alice"))
	wantListed(t, s, "alice", e)
}
