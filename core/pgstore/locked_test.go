package pgstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// set returns a change for UpdateLocked that writes p, recording the
// payloads it was called with in calls.
func set(p string, calls *[]string) func([]byte) (core.Record, error) {
	return func(current []byte) (core.Record, error) {
		*calls = append(*calls, string(current))
		return record(p), nil
	}
}

func TestUpdateLocked(t *testing.T) {
	_, pool := migrated(t, nil)
	s := newStore(t, pool, nil)
	refusal := errors.New("the change refuses")
	tests := []struct {
		name     string
		setup    func(t *testing.T) string // the token
		renew    bool
		change   func([]byte) (core.Record, error)
		wantErr  error  // nil: written
		wantCall string // the payload change is called with; "" for none
	}{
		{"update", func(t *testing.T) string { return create(t, s, record("v1")) }, false, nil, nil, "v1"},
		{"renew", func(t *testing.T) string { return create(t, s, record("v1")) }, true, nil, nil, "v1"},
		{"renew, with an owner", func(t *testing.T) string { return create(t, s, record("v1")) }, true,
			func([]byte) (core.Record, error) { return owned("v2", "alice"), nil }, nil, ""},
		{"change fails", func(t *testing.T) string { return create(t, s, record("v1")) }, false,
			func([]byte) (core.Record, error) { return core.Record{}, refusal }, refusal, ""},
		{"owner refused", func(t *testing.T) string { return create(t, s, record("v1")) }, true,
			func([]byte) (core.Record, error) { return owned("v2", "bad\xff"), nil }, core.ErrInvalidValue, ""},
		{"deleted", func(t *testing.T) string {
			tok := create(t, s, record("v1"))
			if err := s.Delete(ctx, tok); err != nil {
				t.Fatal(err)
			}
			return tok
		}, false, nil, core.ErrNotFound, ""},
		{"renewed", func(t *testing.T) string {
			tok := create(t, s, record("v1"))
			if _, err := s.Renew(ctx, tok, nil, record("v1")); err != nil {
				t.Fatal(err)
			}
			return tok
		}, true, nil, core.ErrNotFound, ""},
		{"never created", func(*testing.T) string { return core.NewID() }, false, nil, core.ErrNotFound, ""},
		{"malformed", func(*testing.T) string { return "x" }, false, nil, core.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.setup(t)
			var calls []string
			change := tt.change
			if change == nil {
				change = set("v2", &calls)
			}
			got, err := s.UpdateLocked(ctx, tok, tt.renew, change)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != "" {
					t.Fatalf("UpdateLocked = %q, %v; want \"\", %v", got, err, tt.wantErr)
				}
				if !errors.Is(tt.wantErr, core.ErrNotFound) {
					if p, _, err := s.Load(ctx, tok); err != nil || string(p) != "v1" {
						t.Fatalf("Load after the refused change = %q, %v; want v1, unchanged", p, err)
					}
				}
				// The hold has ended: an optimistic write goes through
				// at once, without waiting for a lock.
				if _, err := s.Update(ctx, tok, []byte("v1"), record("v3")); err != nil && !errors.Is(tt.wantErr, core.ErrNotFound) {
					t.Fatalf("Update after UpdateLocked failed = %v", err)
				}
				if len(calls) != 0 {
					t.Fatalf("change called with %q; want no call for a record that is gone", calls)
				}
				return
			}
			if err != nil {
				t.Fatalf("UpdateLocked = %v", err)
			}
			if tt.wantCall != "" && !slices.Equal(calls, []string{tt.wantCall}) {
				t.Errorf("change called with %q; want once, with %q", calls, tt.wantCall)
			}
			if tt.renew == (got == tok) {
				t.Errorf("UpdateLocked(renew %v) = %.10s..., the token was %.10s...; want a new token only for a renewal", tt.renew, got, tok)
			}
			if p, _, err := s.Load(ctx, got); err != nil || string(p) != "v2" {
				t.Errorf("Load(the token UpdateLocked returned) = %q, %v; want v2", p, err)
			}
			if tt.renew {
				if _, _, err := s.Load(ctx, tok); !errors.Is(err, core.ErrGone) {
					t.Errorf("Load(the renewed token) = %v; want core.ErrGone", err)
				}
			}
		})
	}
}

// TestUpdateLockedExpiresMeanwhile lets the held record expire while
// change runs: the write that follows finds it gone, writes nothing and
// reports core.ErrNotFound, for an update and a renewal alike.
func TestUpdateLockedExpiresMeanwhile(t *testing.T) {
	_, pool := migrated(t, nil)
	c := newClock()
	s := newStore(t, pool, &pgstore.Options{Clock: c.Now})
	for _, renew := range []bool{false, true} {
		tok, err := s.Create(ctx, core.Record{Payload: []byte("v1"), TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.UpdateLocked(ctx, tok, renew, func([]byte) (core.Record, error) {
			c.Advance(2 * time.Minute)
			return record("v2"), nil
		})
		if !errors.Is(err, core.ErrNotFound) || got != "" {
			t.Errorf("UpdateLocked(renew %v) of a record that expired while held = %q, %v; want \"\", core.ErrNotFound", renew, got, err)
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE payload = 'v2'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows holding v2 after UpdateLocked(renew %v) = %d, %v; want none", renew, n, err)
		}
	}
}

// TestUpdateLockedOwners renews records into one owner's under
// UpdateLocked: the owner's sessions are listed, and bounded by
// MaxPerOwner as Renew keeps them.
func TestUpdateLockedOwners(t *testing.T) {
	_, pool := migrated(t, nil)
	s := newStore(t, pool, &pgstore.Options{MaxPerOwner: 2})
	var kept []string
	for i := range 3 {
		tok := create(t, s, record("anonymous"))
		got, err := s.UpdateLocked(ctx, tok, true, func([]byte) (core.Record, error) { return owned("alice", "alice"), nil })
		if err != nil {
			t.Fatalf("login %d: UpdateLocked = %v", i, err)
		}
		kept = append(kept, core.HandleOf(got))
	}
	listed, err := s.List(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var handles []string
	for _, l := range listed {
		handles = append(handles, l.Handle)
	}
	slices.Sort(handles)
	want := slices.Clone(kept[1:])
	slices.Sort(want)
	if !slices.Equal(handles, want) {
		t.Fatalf("List(alice) after 3 logins with MaxPerOwner 2 = %q; want the last two, %q", handles, want)
	}
}

// TestOwners writes records of owners up to MaxOwner bytes long, hostile
// ones included, with Create and with a renewal under UpdateLocked, and
// lists them; it refuses longer owners, and those PostgreSQL's text cannot
// hold, with core.ErrInvalidValue (PostgreSQL's index would hold owners of
// up to 2,684 random bytes).
func TestOwners(t *testing.T) {
	_, pool := migrated(t, nil)
	s := newStore(t, pool, nil)
	long := func(unit string) string { return strings.Repeat(unit, pgstore.MaxOwner/len(unit)) }
	for _, owner := range []string{long("é"), long("😀"), incompressible(pgstore.MaxOwner), `"'); DROP TABLE sessions; --`, "{}[]\\\t\n\u200b"} {
		tok, err := s.Create(ctx, owned("v", owner))
		if err != nil {
			t.Fatalf("Create with an owner of %d bytes = %v", len(owner), err)
		}
		if _, err := s.UpdateLocked(ctx, tok, true, func([]byte) (core.Record, error) { return owned("w", owner), nil }); err != nil {
			t.Fatalf("UpdateLocked renewing into an owner of %d bytes = %v", len(owner), err)
		}
		if l, err := s.List(ctx, owner); err != nil || len(l) != 1 {
			t.Fatalf("List of an owner of %d bytes = %d records, %v; want 1, the renewed one", len(owner), len(l), err)
		}
	}
	for _, owner := range []string{incompressible(pgstore.MaxOwner + 1), "a\x00b", "user-\xff\xfe\x80"} {
		if tok, err := s.Create(ctx, owned("v", owner)); !errors.Is(err, core.ErrInvalidValue) || tok != "" {
			t.Errorf("Create with owner %.20q (%d bytes) = %q, %v; want \"\", core.ErrInvalidValue", owner, len(owner), tok, err)
		}
		if l, err := s.List(ctx, owner); err != nil || len(l) != 0 {
			t.Errorf("List of owner %.20q = %v, %v; want none", owner, l, err)
		}
	}
}

// incompressible returns n bytes of printable ASCII that PostgreSQL's
// compression cannot shrink.
func incompressible(n int) string {
	var b strings.Builder
	x := uint64(time.Now().UnixNano()) | 1
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b.WriteByte(byte('!' + x%94))
	}
	return b.String()
}
