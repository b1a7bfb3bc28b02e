package memstore

import (
	"testing"
	"time"
)

// TestDefaultClock checks that the default clock reads Unix time, and
// never goes back.
func TestDefaultClock(t *testing.T) {
	now := unixNano(nil)
	a := now()
	wall := time.Now().UnixNano()
	b := now()
	if d := time.Duration(wall - a); d < -time.Minute || d > time.Minute {
		t.Fatalf("default clock = %d; want about time.Now's %d", a, wall)
	}
	if b < a {
		t.Fatalf("default clock went back from %d to %d", a, b)
	}
}

// TestClock checks that a given clock is read as is.
func TestClock(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	if got := unixNano(func() time.Time { return at })(); got != at.UnixNano() {
		t.Fatalf("clock = %d; want %d", got, at.UnixNano())
	}
}
