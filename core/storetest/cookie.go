package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file checks a core.CookieStore, whose token is the payload itself.

func testCookieRoundTrip(t *testing.T, s core.Store) {
	p := payload(1)
	tok := create(t, s, p, time.Hour)
	wantPayload(t, s, tok, p)
	if _, reissue, _ := s.Load(ctx, tok); reissue {
		t.Errorf("Load of a fresh token asks for a reissue")
	}
	// Update and Renew make a new cookie for the new payload, whatever
	// the old one held: the client keeps the data.
	for name, write := range map[string]func() (string, error){
		"Update": func() (string, error) { return s.Update(ctx, tok, payload(9), rec(payload(2), time.Hour)) },
		"Renew":  func() (string, error) { return s.Renew(ctx, tok, payload(9), rec(payload(2), time.Hour)) },
	} {
		got, err := write()
		if err != nil || got == "" {
			t.Fatalf("%s = %q, %v; want a new token", name, got, err)
		}
		wantPayload(t, s, got, payload(2))
	}
	if err := s.Delete(ctx, tok); err != nil {
		t.Fatalf("Delete = %v; want nil: a cookie store has nothing to delete", err)
	}
}

func testCookieRejects(t *testing.T, cs core.CookieStore) {
	s := cs.WithCookieName("storetest")
	p := payload(1)
	tok := create(t, s, p, time.Hour)
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
