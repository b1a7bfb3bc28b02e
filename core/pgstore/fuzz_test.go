package pgstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/storetest"
)

// FuzzLoad sends arbitrary tokens, as a client's cookie would carry, to
// Load, Update, Renew and Delete: unknown tokens are not found and create
// no row.
func FuzzLoad(f *testing.F) {
	_, pool := migrated(f, nil)
	s := newStore(f, pool, nil)
	for _, seed := range []string{
		"", "x", core.NewID(), strings.Repeat("A", 43), strings.Repeat("A", 42) + "B",
		strings.Repeat("A", 5000), "'; DROP TABLE sessions; --", "\x00\xff", "sessions",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if tok == "" {
			return // the core never passes an empty token: it means "new"
		}
		storetest.CheckUnknown(t, s, tok)
		if n := countRows(t, pool); n != 0 {
			t.Fatalf("%d rows after token %q; want none", n, tok)
		}
	})
}

// FuzzOwner writes records of arbitrary owners, as an application's user
// IDs would be: an owner of valid UTF-8 without NUL bytes, up to MaxOwner
// bytes, is stored and listed under exactly that owner; any other is
// refused with core.ErrInvalidValue and writes nothing. No owner makes a
// call fail otherwise.
func FuzzOwner(f *testing.F) {
	_, pool := migrated(f, nil)
	s := newStore(f, pool, &pgstore.Options{MaxPerOwner: 1000})
	for _, seed := range []string{
		"alice", "user-\xff\xfe\x00\x80", "a\x00", "\x01\x1f\x7f", `"'\{}[]%_`, "Zoë 😀 日本",
		strings.Repeat("é", pgstore.MaxOwner/2), strings.Repeat("x", pgstore.MaxOwner+1), "\ufeff\u200b", "\xed\xa0\x80",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, owner string) {
		if owner == "" {
			return // anonymous
		}
		valid := utf8.ValidString(owner) && !strings.ContainsRune(owner, 0) && len(owner) <= pgstore.MaxOwner
		tok, err := s.Create(ctx, owned("p", owner))
		switch {
		case !valid && (!errors.Is(err, core.ErrInvalidValue) || tok != ""):
			t.Fatalf("Create with owner %q = %q, %v; want \"\", core.ErrInvalidValue", owner, tok, err)
		case !valid:
			return
		case err != nil:
			t.Fatalf("Create with owner %q = %v", owner, err)
		}
		listed, err := s.List(ctx, owner)
		if err != nil || !slices.ContainsFunc(listed, func(l core.Listed) bool { return l.Handle == core.HandleOf(tok) }) {
			t.Fatalf("List(%q) = %v, %v; want the record just created", owner, listed, err)
		}
		if err := s.End(ctx, owner, core.HandleOf(tok)); err != nil {
			t.Fatalf("End(%q) = %v", owner, err)
		}
	})
}
