// Package storetest is a conformance suite for core.Store implementations,
// in the manner of testing/slogtest: a store's own test calls Run and gets
// every behaviour the Manager relies on checked against the real thing,
// the commit of concurrent requests included.
//
//	func TestConformance(t *testing.T) {
//		store, err := memstore.New(nil)
//		if err != nil {
//			t.Fatal(err)
//		}
//		storetest.Run(t, store, nil)
//	}
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// Options adjusts Run to a store. The zero value suits a store that follows
// the wall clock.
type Options struct {
	// Advance, if set, moves the store's clock forward by d. Without it the
	// expiry test waits for a short TTL to pass in real time, and the end
	// of core.GoneTTL is not checked.
	Advance func(d time.Duration)

	// MaxPerOwner, for a core.Index, is how many records the store lists
	// per owner, which Run then checks; 0 skips the check.
	MaxPerOwner int
}

// Run checks store against the core.Store contract, against the
// core.Index contract if it implements it (with hostile owner names:
// quotes, braces, backslashes, JSON, Redis and SQL metacharacters,
// non-ASCII text, owners as long as core.MaxOwnerLength), and against the
// core.LockingStore contract if it implements it, with real contention:
// 32 goroutines that change one record at once, holding it or not. A
// store that does not implement an interface is not checked against it;
// the test logs which. A core.CookieStore gets the checks that apply to a
// store without server state.
func Run(t *testing.T, store core.Store, opts *Options) {
	t.Helper()
	var o Options
	if opts != nil {
		o = *opts
	}
	if cs, ok := store.(core.CookieStore); ok {
		store = cs.WithCookieName("storetest")
		t.Run("CookieRoundTrip", func(t *testing.T) { testCookieRoundTrip(t, store) })
		t.Run("CookieRejects", func(t *testing.T) { testCookieRejects(t, cs) })
		t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, store, false) })
		return
	}
	tests := []struct {
		name string
		fn   func(*testing.T, core.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"Update", testUpdate},
		{"UpdateConflict", testUpdateConflict},
		{"UnknownTokenNotAdopted", testUnknown},
		{"Delete", testDelete},
		{"Renew", testRenew},
		{"RenewConflict", testRenewConflict},
		{"PayloadOwnership", testOwnership},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentRenewAndUpdate", testConcurrentRenew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, store) })
	}
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, store, o.Advance) })
	if o.Advance != nil {
		t.Run("GoneExpires", func(t *testing.T) { testGoneExpires(t, store, o.Advance) })
	}
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, store, true) })
	if idx, ok := store.(core.Index); ok {
		t.Run("Index", func(t *testing.T) { runIndex(t, idx, o) })
	} else {
		t.Logf("storetest: %T is not a core.Index; its checks are skipped", store)
	}
	if ls, ok := store.(core.LockingStore); ok {
		t.Run("Locking", func(t *testing.T) { runLocking(t, ls) })
	} else {
		t.Logf("storetest: %T is not a core.LockingStore; its checks are skipped", store)
	}
}

var ctx = context.Background()

func payload(n int) []byte {
	return fmt.Appendf(nil, `{"c":1700000000,"i":1700000000,"d":{"n":%d,"s":"h\u00e9llo \"w\""}}`, n)
}

func rec(p []byte, ttl time.Duration) core.Record { return core.Record{Payload: p, TTL: ttl} }

func create(t *testing.T, s core.Store, p []byte, ttl time.Duration) string {
	t.Helper()
	tok, err := s.Create(ctx, rec(p, ttl))
	if err != nil {
		t.Fatalf("Create = %v; want nil error", err)
	}
	if tok == "" {
		t.Fatalf("Create returned an empty token")
	}
	return tok
}

func wantPayload(t *testing.T, s core.Store, token string, want []byte) {
	t.Helper()
	got, _, err := s.Load(ctx, token)
	if err != nil {
		t.Fatalf("Load = %v; want the saved payload", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Load = %s; want %s", got, want)
	}
}

// wantNotFound checks that token loads as not found, and as gone when gone
// is set (a record Renew or Delete ended): never as gone otherwise.
func wantNotFound(t testing.TB, s core.Store, token string, gone bool) {
	t.Helper()
	got, _, err := s.Load(ctx, token)
	switch {
	case !errors.Is(err, core.ErrNotFound):
		t.Fatalf("Load(%.20q) = %q, %v; want core.ErrNotFound", token, got, err)
	case gone && !errors.Is(err, core.ErrGone):
		t.Fatalf("Load(%.20q) of an ended record = %v; want core.ErrGone", token, err)
	case !gone && errors.Is(err, core.ErrGone):
		t.Fatalf("Load(%.20q) = core.ErrGone; want plain core.ErrNotFound (the record was never ended)", token)
	}
}

// wantNoToken checks that a call that returned an error returned no token
// with it.
func wantNoToken(t testing.TB, what, token string, err error) {
	t.Helper()
	if err != nil && token != "" {
		t.Fatalf("%s = %.20q, %v; want the token \"\" with an error", what, token, err)
	}
}

// wantConflict checks that err is a *core.ConflictError holding current.
func wantConflict(t *testing.T, what string, err error, current []byte) {
	t.Helper()
	var ce *core.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, core.ErrConflict) {
		t.Fatalf("%s with a stale payload = %v; want a *core.ConflictError", what, err)
	}
	if !bytes.Equal(ce.Current, current) {
		t.Fatalf("%s: ConflictError.Current = %s; want the record as it is, %s", what, ce.Current, current)
	}
}

func testRoundTrip(t *testing.T, s core.Store) {
	p := payload(1)
	tok := create(t, s, p, time.Hour)
	if !core.ValidID(tok) {
		t.Errorf("Create returned %q; want a token made with core.NewID", tok)
	}
	wantPayload(t, s, tok, p)
	if _, reissue, _ := s.Load(ctx, tok); reissue {
		t.Errorf("Load of a server-side record asks for a reissue")
	}
	if tok2 := create(t, s, p, time.Hour); tok2 == tok {
		t.Errorf("two new records got the same token %q", tok)
	}
}

func testNotFound(t *testing.T, s core.Store) {
	for _, tok := range []string{core.NewID(), "x", strings.Repeat("A", 4096), "not-base64-!@#", ""} {
		wantNotFound(t, s, tok, false)
	}
}

func testUpdate(t *testing.T, s core.Store) {
	tok := create(t, s, payload(1), time.Hour)
	got, err := s.Update(ctx, tok, payload(1), rec(payload(2), time.Hour))
	if err != nil || got != tok {
		t.Fatalf("Update = %q, %v; want the same token %q", got, err, tok)
	}
	wantPayload(t, s, tok, payload(2))
	if _, err := s.Update(ctx, tok, payload(2), rec(payload(3), time.Hour)); err != nil {
		t.Fatalf("a second Update = %v", err)
	}
	wantPayload(t, s, tok, payload(3))
}

func testUpdateConflict(t *testing.T, s core.Store) {
	tok := create(t, s, payload(1), time.Hour)
	if _, err := s.Update(ctx, tok, payload(1), rec(payload(2), time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A request that loaded payload(1) commits after one that wrote 2.
	got, err := s.Update(ctx, tok, payload(1), rec(payload(3), time.Hour))
	wantConflict(t, "Update", err, payload(2))
	wantNoToken(t, "Update with a conflict", got, err)
	wantPayload(t, s, tok, payload(2))
}

func testUnknown(t *testing.T, s core.Store) {
	for _, tok := range []string{core.NewID(), "x", ""} {
		got, err := s.Update(ctx, tok, payload(1), rec(payload(1), time.Hour))
		if !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Update(unknown token) = %q, %v; want core.ErrNotFound (a client's token is never adopted)", got, err)
		}
		wantNoToken(t, "Update(unknown token)", got, err)
		got, err = s.Renew(ctx, tok, nil, rec(payload(1), time.Hour))
		if !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Renew(unknown token) = %q, %v; want core.ErrNotFound", got, err)
		}
		wantNoToken(t, "Renew(unknown token)", got, err)
		if err := s.Delete(ctx, tok); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Delete(unknown token) = %v; want core.ErrNotFound", err)
		}
		wantNotFound(t, s, tok, false)
	}
}

// wantEnded checks that the record of tok, which Renew or Delete ended,
// stays ended.
func wantEnded(t *testing.T, s core.Store, tok string) {
	t.Helper()
	wantNotFound(t, s, tok, true)
	got, err := s.Update(ctx, tok, payload(1), rec(payload(9), time.Hour))
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Update of an ended record = %v; want core.ErrNotFound (no resurrection)", err)
	}
	wantNoToken(t, "Update of an ended record", got, err)
	got, err = s.Renew(ctx, tok, nil, rec(payload(9), time.Hour))
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Renew of an ended record = %v; want core.ErrNotFound (its data is never copied)", err)
	}
	wantNoToken(t, "Renew of an ended record", got, err)
	if err := s.Delete(ctx, tok); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Delete of an ended record = %v; want core.ErrNotFound", err)
	}
	wantNotFound(t, s, tok, true)
}

func testDelete(t *testing.T, s core.Store) {
	tok := create(t, s, payload(1), time.Hour)
	if err := s.Delete(ctx, tok); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	wantEnded(t, s, tok)
}

func testRenew(t *testing.T, s core.Store) {
	for _, tc := range []struct {
		name string
		old  []byte
	}{{"checked", payload(1)}, {"unchecked", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			old := create(t, s, payload(1), time.Hour)
			tok, err := s.Renew(ctx, old, tc.old, rec(payload(2), time.Hour))
			if err != nil {
				t.Fatalf("Renew = %v", err)
			}
			if tok == old || !core.ValidID(tok) {
				t.Fatalf("Renew = %q; want a new token made with core.NewID", tok)
			}
			wantPayload(t, s, tok, payload(2))
			wantEnded(t, s, old)
			wantPayload(t, s, tok, payload(2))
		})
	}
}

func testRenewConflict(t *testing.T, s core.Store) {
	tok := create(t, s, payload(1), time.Hour)
	if _, err := s.Update(ctx, tok, payload(1), rec(payload(2), time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Renew(ctx, tok, payload(1), rec(payload(3), time.Hour))
	wantConflict(t, "Renew", err, payload(2))
	if got != "" {
		t.Fatalf("Renew with a conflict returned the token %q; want none", got)
	}
	wantPayload(t, s, tok, payload(2)) // not ended
}

func testExpiry(t *testing.T, s core.Store, advance func(time.Duration)) {
	ttl := 300 * time.Millisecond
	long := create(t, s, payload(1), time.Hour)
	tok := create(t, s, payload(2), ttl)
	wantPayload(t, s, tok, payload(2))
	if advance != nil {
		advance(ttl + time.Millisecond)
	} else {
		deadline := time.Now().Add(100 * ttl)
		for time.Now().Before(deadline) {
			if _, _, err := s.Load(ctx, tok); errors.Is(err, core.ErrNotFound) {
				break
			}
			time.Sleep(ttl / 10)
		}
	}
	wantNotFound(t, s, tok, false)
	got, err := s.Update(ctx, tok, payload(2), rec(payload(3), time.Hour))
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Update after expiry = %v; want core.ErrNotFound", err)
	}
	wantNoToken(t, "Update after expiry", got, err)
	got, err = s.Renew(ctx, tok, nil, rec(payload(3), time.Hour))
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Renew after expiry = %v; want core.ErrNotFound", err)
	}
	wantNoToken(t, "Renew after expiry", got, err)
	wantPayload(t, s, long, payload(1))
}

func testGoneExpires(t *testing.T, s core.Store, advance func(time.Duration)) {
	tok := create(t, s, payload(1), time.Hour)
	if err := s.Delete(ctx, tok); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, s, tok, true)
	advance(core.GoneTTL + time.Second)
	wantNotFound(t, s, tok, false)
	got, err := s.Update(ctx, tok, payload(1), rec(payload(2), time.Hour))
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Update once the ended record is forgotten = %v; want core.ErrNotFound", err)
	}
	wantNoToken(t, "Update once the ended record is forgotten", got, err)
}

func testOwnership(t *testing.T, s core.Store) {
	p := payload(7)
	want := bytes.Clone(p)
	tok := create(t, s, p, time.Hour)
	for i := range p {
		p[i] = 'x'
	}
	wantPayload(t, s, tok, want)
	q := payload(8)
	if _, err := s.Update(ctx, tok, want, rec(q, time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := range q {
		q[i] = 'x'
	}
	wantPayload(t, s, tok, payload(8))

	// What the store returns is the caller's to keep: the Manager's
	// strings share its memory, so it never changes, whatever the store
	// does next.
	loaded, _, err := s.Load(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx, tok, want, rec(payload(9), time.Hour))
	var ce *core.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("Update with a stale payload = %v; want a *core.ConflictError", err)
	}
	if _, err := s.Update(ctx, tok, payload(8), rec(payload(9), time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantPayload(t, s, tok, payload(9))
	renewed, err := s.Renew(ctx, tok, payload(9), rec(payload(7), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	wantPayload(t, s, renewed, payload(7))
	if !bytes.Equal(loaded, payload(8)) || !bytes.Equal(ce.Current, payload(8)) {
		t.Errorf("the payloads Load and a ConflictError returned changed to %q and %q after later calls; "+
			"want them kept as returned, %q (core.Store: the caller keeps them)", loaded, ce.Current, payload(8))
	}
}
