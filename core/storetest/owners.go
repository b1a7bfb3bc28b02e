package storetest

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// This file checks that an index keeps and compares owners exactly, byte
// for byte, whatever they hold of what core.Session.SetOwner accepts.

// hostileOwners returns owner names, each unique to one run, that a store
// could mangle: quoted, escaped, matched as a pattern, normalized, cut,
// or mistaken for markup. Each is valid for SetOwner.
func hostileOwners() map[string]string {
	id := core.NewID()[:8]
	long := "long-" + id + "-"
	long += strings.Repeat("é", (core.MaxOwnerLength-len(long))/2)
	long += strings.Repeat("x", core.MaxOwnerLength-len(long))
	return map[string]string{
		"quotes":       `"alice" 'o'` + id,
		"braces":       "{alice}" + id, // a Redis Cluster hash tag
		"backslashes":  `alice\` + id + `\\\"`,
		"JSON":         `{"c":1,"i":2,"o":"admin"}` + id,
		"Redis":        "alice:*?[a-z]$3 " + id,
		"SQL":          "alice'; DROP TABLE sessions; --%_" + id,
		"non-ASCII":    "zoë 日本語 😀 \u2028\uFFFD" + id,
		"decomposed":   "zoe\u0301" + id, // "zoé" as e and a combining accent
		"composed":     "zo\u00e9" + id,  // the same, as one character
		"spaces":       " alice " + id + " ",
		"MaxOwnerLen":  long,
		"almost alike": "ALICE " + id,
	}
}

// testHostileOwners lists records under hostile owners and ends them:
// each owner lists exactly its own records, with their payloads, and
// ends only those.
func testHostileOwners(t *testing.T, idx core.Index) {
	owners := hostileOwners()
	if n := len(owners["MaxOwnerLen"]); n != core.MaxOwnerLength {
		t.Fatalf("the long owner is %d bytes; want %d", n, core.MaxOwnerLength)
	}
	tokens := map[string][]string{}
	for name, owner := range owners {
		for i := range 2 {
			tok, err := idx.Create(ctx, owned(payload(i), owner))
			if err != nil {
				t.Fatalf("Create for the %s owner = %v", name, err)
			}
			tokens[name] = append(tokens[name], tok)
		}
	}
	for name, owner := range owners {
		t.Run(name, func(t *testing.T) {
			toks := tokens[name]
			wantListed(t, idx, owner, toks, [][]byte{payload(0), payload(1)})
			// Write one through, as a commit does.
			if _, err := idx.Update(ctx, toks[1], payload(1), owned(payload(2), owner)); err != nil {
				t.Fatalf("Update = %v", err)
			}
			wantListed(t, idx, owner, toks, [][]byte{payload(0), payload(2)})
			for other, o := range owners {
				if other != name && idx.End(ctx, o, core.HandleOf(toks[0])) == nil {
					t.Fatalf("the %s owner ended a session of the %s owner", other, name)
				}
			}
			if err := idx.End(ctx, owner, core.HandleOf(toks[0])); err != nil {
				t.Fatalf("End = %v", err)
			}
			wantNotFound(t, idx, toks[0], false)
			wantListed(t, idx, owner, toks[1:], [][]byte{payload(2)})
		})
	}
}

// testHostileOwnersManager logs hostile owners in through a core.Manager
// over the store, as an application does: Sessions lists exactly each
// owner's session, with its device, and EndSession ends it.
func testHostileOwnersManager(t *testing.T, idx core.Index) {
	m, err := core.NewManager(idx, &core.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for name, owner := range hostileOwners() {
		t.Run(name, func(t *testing.T) {
			device := core.Device{UserAgent: "agent of the " + name + " owner", Address: owner}
			if len(owner) > core.MaxDeviceLength {
				device.Address = "192.0.2.0"
			}
			var s core.Session
			c := m.Begin(&s, ctx, nil)
			if _, err := m.FromContext(c); err != nil {
				t.Fatal(err)
			}
			if err := s.SetOwner(owner, device); err != nil {
				t.Fatalf("SetOwner = %v", err)
			}
			h := http.Header{}
			if err := m.Commit(c, &s, http.StatusOK, h); err != nil {
				t.Fatalf("Commit = %v", err)
			}
			if err := m.Finish(c, &s); err != nil {
				t.Fatalf("Finish = %v", err)
			}
			cookies := (&http.Response{Header: h}).Cookies()
			if len(cookies) != 1 {
				t.Fatalf("the login set %q; want one cookie", h.Values("Set-Cookie"))
			}
			infos, err := m.Sessions(ctx, owner)
			if err != nil || len(infos) != 1 {
				t.Fatalf("Sessions = %+v, %v; want the one session", infos, err)
			}
			if infos[0].Device != device || infos[0].ID != core.HandleOf(cookies[0].Value) {
				t.Fatalf("Sessions = %+v; want the session of the cookie, on %+v", infos[0], device)
			}
			if err := m.EndSession(ctx, owner, infos[0].ID); err != nil {
				t.Fatalf("EndSession = %v", err)
			}
			if infos, err := m.Sessions(ctx, owner); err != nil || len(infos) != 0 {
				t.Fatalf("Sessions after EndSession = %+v, %v; want none", infos, err)
			}
			if err := m.EndSession(ctx, owner, infos[0].ID); !errors.Is(err, core.ErrNotFound) {
				t.Fatalf("EndSession of an ended session = %v; want core.ErrNotFound", err)
			}
			wantNotFound(t, idx, cookies[0].Value, false)
		})
	}
}
