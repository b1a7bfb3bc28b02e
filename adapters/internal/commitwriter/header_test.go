package commitwriter_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/transient-go/transient/adapters/internal/commitwriter"
)

func TestHeaderAddsAsHTTPHeader(t *testing.T) {
	tests := []struct {
		name string
		have http.Header // what the response holds before the commit
		add  [][2]string
	}{
		{"cookie commit", http.Header{}, [][2]string{{"Vary", "Cookie"}, {"Set-Cookie", "session=a"}}},
		{"key the response holds", http.Header{"Vary": {"Accept"}}, [][2]string{{"Vary", "Cookie"}, {"Set-Cookie", "session=a"}}},
		{"token header commit", http.Header{"Content-Type": {"text/plain"}},
			[][2]string{{"Vary", "X-Session"}, {"x-session", "tok"}, {"Cache-Control", "no-store"}}},
		{"more new keys than room", http.Header{},
			[][2]string{{"Vary", "Cookie"}, {"a", "1"}, {"b", "2"}, {"c", "3"}, {"A", "4"}}},
		{"key added twice", http.Header{}, [][2]string{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := tt.have.Clone(), tt.have.Clone()
			var h commitwriter.Header
			for _, kv := range tt.add {
				h.To(got).Add(kv[0], kv[1])
				want.Add(kv[0], kv[1])
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Header adds %v to %v = %v; want %v", tt.add, tt.have, got, want)
			}
		})
	}
}

// TestHeaderRoomIsOwn checks that what a Header stores in its room
// is the response's own: an append copies it, and two responses' values
// never share memory.
func TestHeaderRoomIsOwn(t *testing.T) {
	var h1, h2 commitwriter.Header
	r1, r2 := http.Header{}, http.Header{}
	h1.To(r1).Add("Vary", "Cookie")
	h2.To(r2).Add("Vary", "Cookie")
	if c := cap(r1["Vary"]); c != 1 {
		t.Fatalf("cap(Vary) = %d; want 1", c)
	}
	r1["Vary"][0] = "Accept"
	if got := r2.Get("Vary"); got != "Cookie" {
		t.Errorf("another response's Vary after an edit = %q; want Cookie", got)
	}
	r1.Add("Vary", "Origin")
	h1.Add("Set-Cookie", "session=a")
	if got := r1.Values("Vary"); !reflect.DeepEqual(got, []string{"Accept", "Origin"}) {
		t.Errorf("Vary after an append and another Add = %q; want [Accept Origin]", got)
	}
}

func TestHeaderAddAllocs(t *testing.T) {
	r := http.Header{"Content-Type": {"text/plain"}}
	var h commitwriter.Header
	allocs := testing.AllocsPerRun(100, func() {
		clear(r)
		h = commitwriter.Header{}
		h.To(r).Add("Vary", "Cookie")
		h.Add("Set-Cookie", "session=a")
	})
	if allocs != 0 {
		t.Errorf("Add of Vary and Set-Cookie to a response without them makes %v allocations; want 0", allocs)
	}
}
