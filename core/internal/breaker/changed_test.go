package breaker

import (
	"slices"
	"testing"
)

// TestChanged checks that Changed is told of each change of state, and of
// nothing else.
func TestChanged(t *testing.T) {
	b, clock := newTestBreaker()
	var changes []string
	b.Changed = func(from, to string) { changes = append(changes, from+">"+to) }
	wantClosed(t, b, "at first")
	for range Threshold {
		call(b, refused)
	}
	wantOpen(t, b, "after the failures")
	clock.add(Cooldown)
	probe, _ := b.Allow()
	b.Done(probe, refused)
	clock.add(Cooldown)
	probe, _ = b.Allow()
	b.Done(probe, reply)
	wantClosed(t, b, "after an answered probe")
	want := []string{"closed>open", "open>half_open", "half_open>open", "open>half_open", "half_open>closed"}
	if !slices.Equal(changes, want) {
		t.Errorf("Changed was told %q; want %q", changes, want)
	}
}
