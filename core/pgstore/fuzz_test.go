package pgstore_test

import (
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
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
