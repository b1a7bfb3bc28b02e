// Package storetest is a conformance suite for core.Store implementations,
// in the manner of testing/slogtest: a store's own test calls Run and gets
// every behaviour the Manager relies on checked against the real thing.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, memstore.New(nil), nil)
//	}
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// Options adjusts Run to a store. The zero value suits a store that follows
// the wall clock.
type Options struct {
	// Advance, if set, moves the store's clock forward by d. Without it the
	// expiry test waits for a short TTL to pass in real time.
	Advance func(d time.Duration)
}

// Run checks store against the core.Store contract. A core.CookieStore
// gets the checks that apply to a store without server state; a
// core.Renewer also gets its Renew checked.
func Run(t *testing.T, store core.Store, opts *Options) {
	t.Helper()
	var o Options
	if opts != nil {
		o = *opts
	}
	if cs, ok := store.(core.CookieStore); ok {
		store = cs.WithCookieName("storetest")
		t.Run("CookieRoundTrip", func(t *testing.T) { testRoundTrip(t, store) })
		t.Run("CookieRejects", func(t *testing.T) { testCookieRejects(t, cs) })
		t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, store, false) })
		return
	}
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, store) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, store) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, store) })
	t.Run("UnknownTokenNotAdopted", func(t *testing.T) { testUnknown(t, store) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, store) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, store, o.Advance) })
	t.Run("PayloadOwnership", func(t *testing.T) { testOwnership(t, store) })
	if r, ok := store.(core.Renewer); ok {
		t.Run("Renew", func(t *testing.T) { testRenew(t, store, r) })
	}
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, store, true) })
}

var ctx = context.Background()

func payload(n int) []byte {
	return fmt.Appendf(nil, `{"c":1700000000,"i":1700000000,"d":{"n":%d,"s":"h\u00e9llo \"w\""}}`, n)
}

func save(t *testing.T, s core.Store, token string, p []byte, ttl time.Duration) string {
	t.Helper()
	tok, err := s.Save(ctx, token, p, ttl)
	if err != nil {
		t.Fatalf("Save(%q) = %v; want nil error", token, err)
	}
	if tok == "" {
		t.Fatalf("Save(%q) returned an empty token", token)
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

func wantNotFound(t *testing.T, s core.Store, token string) {
	t.Helper()
	got, _, err := s.Load(ctx, token)
	if !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Load(%.20q) = %q, %v; want core.ErrNotFound", token, got, err)
	}
}

func testRoundTrip(t *testing.T, s core.Store) {
	p := payload(1)
	tok := save(t, s, "", p, time.Hour)
	wantPayload(t, s, tok, p)
	if _, reissue, _ := s.Load(ctx, tok); reissue {
		t.Errorf("Load of a fresh token asks for a reissue")
	}
	tok2 := save(t, s, "", p, time.Hour)
	if tok2 == tok && !isCookieStore(s) {
		t.Errorf("two new records got the same token %q", tok)
	}
}

func isCookieStore(s core.Store) bool { _, ok := s.(core.CookieStore); return ok }

func testNotFound(t *testing.T, s core.Store) {
	for _, tok := range []string{core.NewID(), "x", strings.Repeat("A", 4096), "not-base64-!@#"} {
		wantNotFound(t, s, tok)
	}
}

func testOverwrite(t *testing.T, s core.Store) {
	tok := save(t, s, "", payload(1), time.Hour)
	if got := save(t, s, tok, payload(2), time.Hour); got != tok {
		t.Fatalf("Save(existing token) = %q; want the same token %q", got, tok)
	}
	wantPayload(t, s, tok, payload(2))
}

func testUnknown(t *testing.T, s core.Store) {
	tok := core.NewID()
	wantNotFound(t, s, tok)
	if got, err := s.Save(ctx, tok, payload(1), time.Hour); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Save(unknown token) = %q, %v; want core.ErrNotFound (a client's token is never adopted)", got, err)
	}
	wantNotFound(t, s, tok)
}

func testDelete(t *testing.T, s core.Store) {
	tok := save(t, s, "", payload(1), time.Hour)
	if err := s.Delete(ctx, tok); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	wantNotFound(t, s, tok)
	if _, err := s.Save(ctx, tok, payload(2), time.Hour); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Save after Delete = %v; want core.ErrNotFound (no resurrection)", err)
	}
	wantNotFound(t, s, tok)
	if err := s.Delete(ctx, core.NewID()); err != nil {
		t.Fatalf("Delete(unknown) = %v; want nil", err)
	}
}

func testExpiry(t *testing.T, s core.Store, advance func(time.Duration)) {
	ttl := 300 * time.Millisecond
	long := save(t, s, "", payload(1), time.Hour)
	tok := save(t, s, "", payload(2), ttl)
	wantPayload(t, s, tok, payload(2))
	if advance != nil {
		advance(ttl + time.Millisecond)
	} else {
		deadline := time.Now().Add(10 * ttl)
		for time.Now().Before(deadline) {
			if _, _, err := s.Load(ctx, tok); errors.Is(err, core.ErrNotFound) {
				break
			}
			time.Sleep(ttl / 10)
		}
	}
	wantNotFound(t, s, tok)
	if _, err := s.Save(ctx, tok, payload(3), time.Hour); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Save after expiry = %v; want core.ErrNotFound", err)
	}
	wantPayload(t, s, long, payload(1))
}

func testOwnership(t *testing.T, s core.Store) {
	p := payload(7)
	want := bytes.Clone(p)
	tok := save(t, s, "", p, time.Hour)
	for i := range p {
		p[i] = 'x'
	}
	wantPayload(t, s, tok, want)
}

func testRenew(t *testing.T, s core.Store, r core.Renewer) {
	old := save(t, s, "", payload(1), time.Hour)
	tok, err := r.Renew(ctx, old, payload(2), time.Hour)
	if err != nil {
		t.Fatalf("Renew = %v", err)
	}
	if tok == old || tok == "" {
		t.Fatalf("Renew = %q; want a new token", tok)
	}
	wantNotFound(t, s, old)
	wantPayload(t, s, tok, payload(2))
}

func testCookieRejects(t *testing.T, cs core.CookieStore) {
	s := cs.WithCookieName("storetest")
	p := payload(1)
	tok := save(t, s, "", p, time.Hour)
	flip := []byte(tok)
	flip[len(flip)/2] ^= 1
	for name, bad := range map[string]string{
		"tampered":  string(flip),
		"truncated": tok[:len(tok)-5],
		"garbage":   "garbage",
		"empty":     "",
	} {
		if got, _, err := s.Load(ctx, bad); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("Load(%s) = %q, %v; want core.ErrNotFound", name, got, err)
		}
	}
	other := cs.WithCookieName("renamed")
	if got, _, err := other.Load(ctx, tok); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Load under another cookie name = %q, %v; want core.ErrNotFound", got, err)
	}
}

func testConcurrent(t *testing.T, s core.Store, serverSide bool) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				p := payload(g*1000 + i)
				tok, err := s.Save(ctx, "", p, time.Hour)
				if err != nil {
					errs <- err
					return
				}
				got, _, err := s.Load(ctx, tok)
				if err != nil || !bytes.Equal(got, p) {
					errs <- fmt.Errorf("store.Load = %s, %v; want %s", got, err, p)
					return
				}
				if serverSide {
					if err := s.Delete(ctx, tok); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
