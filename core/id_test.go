package core_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

func TestValidID(t *testing.T) {
	id := core.NewID()
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"new", id, true},
		{"all zero bytes", strings.Repeat("A", core.IDLength), true},
		{"empty", "", false},
		{"one short", id[:core.IDLength-1], false},
		{"one long", id + "A", false},
		{"padded", id + "=", false},
		{"standard base64", "+" + id[1:], false},
		{"slash", "/" + id[1:], false},
		{"space", " " + id[1:], false},
		{"non-ASCII", "é" + id[2:], false},
		{"non-canonical last character", id[:core.IDLength-1] + "B", false},
		{"path traversal", "../../../../etc/passwd" + id[22:], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := core.ValidID(tt.id); got != tt.want {
				t.Errorf("ValidID(%q) = %v; want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestValidIDAllocs(t *testing.T) {
	id := core.NewID()
	var ok bool
	if n := testing.AllocsPerRun(100, func() { ok = core.ValidID(id) }); n != 0 || !ok {
		t.Errorf("ValidID(a new ID) = %v, with %v allocations; want true, with 0", ok, n)
	}
}

// FuzzValidID checks ValidID against encoding/base64: an ID is valid
// exactly when it is the canonical encoding of 32 bytes.
func FuzzValidID(f *testing.F) {
	for _, seed := range []string{"", core.NewID(), strings.Repeat("A", core.IDLength), strings.Repeat("_", core.IDLength), core.NewID() + "=", "../" + core.NewID()[3:]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		b, err := base64.RawURLEncoding.Strict().DecodeString(id)
		want := err == nil && len(b) == 32 && base64.RawURLEncoding.EncodeToString(b) == id
		if got := core.ValidID(id); got != want {
			t.Fatalf("ValidID(%q) = %v; want %v", id, got, want)
		}
	})
}

// TestNewIDUnique draws many IDs: each is valid, none repeats, and every
// position takes many values (a stuck random source would show).
func TestNewIDUnique(t *testing.T) {
	const n = 20000
	seen := make(map[string]bool, n)
	var chars [core.IDLength]map[byte]bool
	for i := range chars {
		chars[i] = map[byte]bool{}
	}
	for range n {
		id := core.NewID()
		if !core.ValidID(id) || seen[id] {
			t.Fatalf("NewID() = %q: valid %v, repeated %v; want a valid, new ID", id, core.ValidID(id), seen[id])
		}
		seen[id] = true
		for i := range id {
			chars[i][id[i]] = true
		}
	}
	for i, c := range chars[:core.IDLength-1] {
		if len(c) < 60 {
			t.Errorf("position %d of %d IDs took %d of 64 values; want nearly all", i, n, len(c))
		}
	}
}
