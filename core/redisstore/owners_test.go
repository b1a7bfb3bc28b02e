package redisstore_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// hostileOwners are user IDs an application may pass, or an attacker may
// choose: the store keeps and compares each byte for byte.
var hostileOwners = []string{
	"user-\xff\xfe\x00\x80", // not UTF-8, with a NUL
	"user-\uFFFD\uFFFD",     // what a lossy decoder would turn the first into
	"nul\x00in the middle",
	strings.Repeat("long", 4096),
	`quotes "' and \ backslash`,
	`{"braces":[1]}`,
	"ünïcödé 名前",
	"*",
	"owner:",
}

// TestHostileOwners writes a session for each owner of hostileOwners,
// through every write that lists one, and checks that each owner's list
// holds its sessions and no other's, and that payloads come back byte for
// byte, whatever they hold.
func TestHostileOwners(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, srv.Client(t), &redisstore.Options{Prefix: "owners:" + core.NewID()[:8] + ":"})
	tokens := make(map[string]string)
	for i, owner := range hostileOwners {
		payload := append([]byte(`{"raw":"`), owner...) // whatever bytes: the store never looks
		r := core.Record{Payload: payload, TTL: time.Hour, Owner: owner}
		tok, err := s.Create(ctx, r)
		if err != nil {
			t.Fatalf("Create for owner %d = %v", i, err)
		}
		if tok, err = s.Update(ctx, tok, payload, r); err != nil {
			t.Fatalf("Update for owner %d = %v", i, err)
		}
		if tok, err = s.Renew(ctx, tok, payload, r); err != nil {
			t.Fatalf("Renew for owner %d = %v", i, err)
		}
		if tok, err = s.UpdateLocked(ctx, tok, true, func(cur []byte) (core.Record, error) {
			if !bytes.Equal(cur, payload) {
				return core.Record{}, errors.New("changed on the way")
			}
			return r, nil
		}); err != nil {
			t.Fatalf("UpdateLocked for owner %d = %v", i, err)
		}
		if got, _, err := s.Load(ctx, tok); err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("Load for owner %d = %q, %v; want %q", i, got, err, payload)
		}
		tokens[owner] = tok
	}
	for i, owner := range hostileOwners {
		listed, err := s.List(ctx, owner)
		if err != nil || len(listed) != 1 || listed[0].Handle != core.HandleOf(tokens[owner]) {
			t.Errorf("List(owner %d) = %d sessions, %v; want its one session", i, len(listed), err)
		}
	}
	// "Log out everywhere" ends the sessions of that owner, and of no
	// other, however alike their names.
	first := hostileOwners[0]
	if err := s.End(ctx, hostileOwners[1], core.HandleOf(tokens[first])); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("End of owner 0's session as owner 1 = %v; want core.ErrNotFound", err)
	}
	if err := s.End(ctx, first, core.HandleOf(tokens[first])); err != nil {
		t.Fatalf("End = %v", err)
	}
	for i, owner := range hostileOwners {
		_, _, err := s.Load(ctx, tokens[owner])
		if ended := errors.Is(err, core.ErrNotFound); ended != (owner == first) {
			t.Errorf("owner %d's session after End of owner 0's: Load = %v", i, err)
		}
	}
}
