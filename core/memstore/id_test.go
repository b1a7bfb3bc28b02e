package memstore

import (
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// FuzzParseID checks that the store takes for an ID exactly what
// core.ValidID accepts, and that it reads the ID it was given.
func FuzzParseID(f *testing.F) {
	id := core.NewID()
	for _, seed := range []string{
		id, "", id[:42], id + "A", strings.ToUpper(id), id[:42] + "B", id[:42] + "=",
		id[:20] + "\n" + id[21:], id[:20] + "\r" + id[21:], id[:20] + "+" + id[21:], id[:20] + "/" + id[21:],
		strings.Repeat("A", 43), strings.Repeat("_", 42) + "w", strings.Repeat("-", 43),
	} {
		f.Add(seed)
	}
	s, err := New(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got, ok := s.parseID(token)
		if want := core.ValidID(token); ok != want {
			t.Fatalf("parseID(%q) ok = %v; want %v, as core.ValidID", token, ok, want)
		}
		if ok {
			if back := (&record{id: got}).token(); back != token {
				t.Fatalf("parseID(%q) reads an ID that is written %q", token, back)
			}
		}
	})
}
