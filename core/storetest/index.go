package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file checks a core.Index: the store's list of each owner's
// sessions.

func runIndex(t *testing.T, idx core.Index, o Options) {
	tests := []struct {
		name string
		fn   func(*testing.T, core.Index)
	}{
		{"ListsOwnedRecords", testLists},
		{"ListFollowsWrites", testListFollows},
		{"EndDeletes", testEnd},
		{"EndWhileWriting", testEndWhileWriting},
		{"HostileOwners", testHostileOwners},
		{"HostileOwnersThroughManager", testHostileOwnersManager},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, idx) })
	}
	if o.MaxPerOwner > 0 {
		t.Run("Bounded", func(t *testing.T) { testBounded(t, idx, o.MaxPerOwner, o.Advance) })
	}
	if o.Advance != nil {
		t.Run("ExpiredNotListed", func(t *testing.T) { testExpiredNotListed(t, idx, o.Advance) })
	}
}

// owned is a Record of payload p owned by owner.
func owned(p []byte, owner string) core.Record {
	return core.Record{Payload: p, TTL: time.Hour, Owner: owner}
}

// newOwner returns an owner no other test uses.
func newOwner(name string) string { return name + "-" + core.NewID()[:8] }

// wantListed checks that owner's list holds exactly tokens, with want's
// payloads (nil: do not check).
func wantListed(t *testing.T, idx core.Index, owner string, tokens []string, want [][]byte) {
	t.Helper()
	listed, err := idx.List(ctx, owner)
	if err != nil {
		t.Fatalf("List(%s) = %v", owner, err)
	}
	var got []string
	for _, l := range listed {
		got = append(got, l.Handle)
		for i, tok := range tokens {
			if core.HandleOf(tok) == l.Handle && want != nil && !bytes.Equal(l.Payload, want[i]) {
				t.Fatalf("List(%s) gives %s for a record holding %s", owner, l.Payload, want[i])
			}
		}
	}
	var handles []string
	for _, tok := range tokens {
		handles = append(handles, core.HandleOf(tok))
	}
	slices.Sort(got)
	slices.Sort(handles)
	if !slices.Equal(got, handles) {
		t.Fatalf("List(%s) = %d records %q; want %d: %q", owner, len(got), got, len(handles), handles)
	}
}

func testLists(t *testing.T, idx core.Index) {
	alice, bob := newOwner("alice"), newOwner("bob")
	a1, err := idx.Create(ctx, owned(payload(1), alice))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := idx.Create(ctx, owned(payload(2), alice))
	b1, _ := idx.Create(ctx, owned(payload(3), bob))
	if _, err := idx.Create(ctx, owned(payload(4), "")); err != nil { // anonymous: never listed
		t.Fatal(err)
	}
	wantListed(t, idx, alice, []string{a1, a2}, [][]byte{payload(1), payload(2)})
	wantListed(t, idx, bob, []string{b1}, [][]byte{payload(3)})
	wantListed(t, idx, newOwner("nobody"), nil, nil)
}

func testListFollows(t *testing.T, idx core.Index) {
	alice := newOwner("alice")
	tok, _ := idx.Create(ctx, owned(payload(1), alice))
	if _, err := idx.Update(ctx, tok, payload(1), owned(payload(2), alice)); err != nil {
		t.Fatal(err)
	}
	wantListed(t, idx, alice, []string{tok}, [][]byte{payload(2)})
	renewed, err := idx.Renew(ctx, tok, payload(2), owned(payload(3), alice))
	if err != nil {
		t.Fatal(err)
	}
	wantListed(t, idx, alice, []string{renewed}, [][]byte{payload(3)})
	other, _ := idx.Create(ctx, owned(payload(4), alice))
	if err := idx.Delete(ctx, renewed); err != nil {
		t.Fatal(err)
	}
	wantListed(t, idx, alice, []string{other}, [][]byte{payload(4)})
	// A new owner comes with Renew; the old owner no longer lists it.
	bob := newOwner("bob")
	moved, err := idx.Renew(ctx, other, payload(4), owned(payload(5), bob))
	if err != nil {
		t.Fatal(err)
	}
	wantListed(t, idx, alice, nil, nil)
	wantListed(t, idx, bob, []string{moved}, [][]byte{payload(5)})
}

func testEnd(t *testing.T, idx core.Index) {
	alice, mallory := newOwner("alice"), newOwner("mallory")
	tok, _ := idx.Create(ctx, owned(payload(1), alice))
	keep, _ := idx.Create(ctx, owned(payload(2), alice))
	if err := idx.End(ctx, mallory, core.HandleOf(tok)); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("End by another owner = %v; want core.ErrNotFound", err)
	}
	wantPayload(t, idx, tok, payload(1))
	if err := idx.End(ctx, alice, core.HandleOf(tok)); err != nil {
		t.Fatalf("End = %v", err)
	}
	// Deleted, not marked gone: the visitor's next request starts anew.
	wantNotFound(t, idx, tok, false)
	got, err := idx.Update(ctx, tok, payload(1), owned(payload(9), alice))
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Update of an ended session = %v; want core.ErrNotFound", err)
	}
	wantNoToken(t, "Update of an ended session", got, err)
	if err := idx.End(ctx, alice, core.HandleOf(tok)); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("End of an ended session = %v; want core.ErrNotFound", err)
	}
	if err := idx.End(ctx, alice, core.HandleOf(core.NewID())); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("End of an unknown handle = %v; want core.ErrNotFound", err)
	}
	wantListed(t, idx, alice, []string{keep}, [][]byte{payload(2)})
}

// testEndWhileWriting ends a session while goroutines keep committing to
// it, as the requests of a device that is being logged out do: once End
// returns, no commit succeeds and nothing brings the session back.
func testEndWhileWriting(t *testing.T, idx core.Index) {
	alice := newOwner("alice")
	tok, _ := idx.Create(ctx, owned(counter(0), alice))
	var wg sync.WaitGroup
	ended := make(chan struct{})
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for {
				var after bool // End had returned before this commit began
				select {
				case <-ended:
					after = true
				default:
				}
				loaded, _, err := idx.Load(ctx, tok)
				if err == nil {
					err = commitOwned(idx, tok, loaded, alice)
				}
				switch {
				case after && !errors.Is(err, core.ErrNotFound):
					errs <- fmt.Errorf("a commit begun after End = %v; want core.ErrNotFound", err)
					return
				case after:
					return
				case err != nil && !errors.Is(err, core.ErrNotFound):
					errs <- err
					return
				}
			}
		})
	}
	if err := idx.End(ctx, alice, core.HandleOf(tok)); err != nil {
		t.Fatalf("End = %v", err)
	}
	close(ended)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantNotFound(t, idx, tok, false)
	wantListed(t, idx, alice, nil, nil)
}

// commitOwned is commit for an owned record.
func commitOwned(s core.Store, tok string, loaded []byte, owner string) error {
	for {
		n, ok := parseCounter(loaded)
		if !ok {
			return fmt.Errorf("the record holds %q, which no writer wrote", loaded)
		}
		_, err := s.Update(ctx, tok, loaded, owned(counter(n+1), owner))
		var ce *core.ConflictError
		if !errors.As(err, &ce) {
			return err
		}
		loaded = ce.Current
	}
}

// testBounded logs one owner in many times: the store keeps the last max
// sessions and ends the others, the least recently written first. Each
// lives a little longer than the one before, and, with a clock the test
// controls, is written a second later.
func testBounded(t *testing.T, idx core.Index, max int, advance func(time.Duration)) {
	alice := newOwner("alice")
	var tokens []string
	for i := range max + 5 {
		if advance != nil {
			advance(time.Second)
		}
		r := core.Record{Payload: payload(i), TTL: time.Hour + time.Duration(i)*time.Second, Owner: alice}
		tok, err := idx.Create(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	wantListed(t, idx, alice, tokens[5:], nil)
	for _, tok := range tokens[:5] {
		wantNotFound(t, idx, tok, false)
	}
}

func testExpiredNotListed(t *testing.T, idx core.Index, advance func(time.Duration)) {
	alice := newOwner("alice")
	short, _ := idx.Create(ctx, core.Record{Payload: payload(1), TTL: time.Minute, Owner: alice})
	long, _ := idx.Create(ctx, owned(payload(2), alice))
	wantListed(t, idx, alice, []string{short, long}, nil)
	advance(2 * time.Minute)
	wantListed(t, idx, alice, []string{long}, nil)
}
