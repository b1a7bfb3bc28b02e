package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

// TestHMACSHA256 holds the written-out HMAC to crypto/hmac, for keys
// around the block size.
func TestHMACSHA256(t *testing.T) {
	for _, key := range []string{"", "k", newBindingKey(), strings.Repeat("x", 64), strings.Repeat("y", 65), strings.Repeat("z", 200)} {
		for _, msg := range []string{"", "\x00\x01", strings.Repeat("m", 20)} {
			mac := hmac.New(sha256.New, []byte(key))
			mac.Write([]byte(labelChallenge + msg))
			want := mac.Sum(nil)
			if got := hmacSHA256([]byte(key), labelChallenge, []byte(msg)); !hmac.Equal(got[:], want) {
				t.Errorf("hmacSHA256(%d-byte key, %q) = %x; want %x", len(key), msg, got, want)
			}
		}
	}
}

func TestChallenge(t *testing.T) {
	key, other := []byte(newBindingKey()), []byte(newBindingKey())
	c := newChallenge(key, purposeRefresh, 1_800_000_000_123)
	if got, ok := openChallenge(key, purposeRefresh, c); !ok || got != 1_800_000_000_123 {
		t.Fatalf("openChallenge(newChallenge(t)) = %d, %v; want t, true", got, ok)
	}
	tampered := []byte(c)
	tampered[5] ^= 1
	for _, tt := range []struct {
		name    string
		key     []byte
		purpose byte
		c       string
	}{
		{"another session's key", other, purposeRefresh, c},
		{"another purpose", key, purposeRegister, c},
		{"tampered", key, purposeRefresh, string(tampered)},
		{"truncated", key, purposeRefresh, c[:len(c)-1]},
		{"padded", key, purposeRefresh, c + "="},
		{"empty", key, purposeRefresh, ""},
		{"not base64url", key, purposeRefresh, strings.Repeat("*", len(c))},
	} {
		if _, ok := openChallenge(tt.key, tt.purpose, tt.c); ok {
			t.Errorf("%s: openChallenge(%q) = ok; want refused", tt.name, tt.c)
		}
	}
}

func TestChallengeTime(t *testing.T) {
	tests := []struct{ used, now, want int64 }{
		{0, 1000, 1000},
		{999, 1000, 1000},
		{1000, 1000, 1001}, // a stopped clock still gives a newer one
		{5000, 1000, 5001},
	}
	for _, tt := range tests {
		if got := challengeTime(&binding{used: tt.used}, tt.now); got != tt.want {
			t.Errorf("challengeTime(used %d, now %d) = %d; want %d", tt.used, tt.now, got, tt.want)
		}
	}
}

func TestBoundCookie(t *testing.T) {
	key := []byte(newBindingKey())
	v := boundValue(key, 1_800_000_300)
	if exp, ok := openBound(key, v); !ok || exp != 1_800_000_300 {
		t.Fatalf("openBound(boundValue(exp)) = %d, %v; want exp, true", exp, ok)
	}
	for _, bad := range []string{"", v[:len(v)-1], v + "A", strings.ToUpper(v), boundValue([]byte(newBindingKey()), 1_800_000_300), newChallenge(key, purposeRefresh, 1)} {
		if _, ok := openBound(key, bad); ok {
			t.Errorf("openBound(%q) = ok; want refused", bad)
		}
	}
	if n := testing.AllocsPerRun(100, func() { openBound(key, v) }); n != 0 {
		t.Errorf("openBound allocates %v times; want 0: every request of a bound session checks its cookie", n)
	}
}

func TestSessionIdentifier(t *testing.T) {
	key := []byte(newBindingKey())
	id := sessionIdentifier(key)
	if id != sessionIdentifier(key) || id == sessionIdentifier([]byte(newBindingKey())) || len(id) != 16 || strings.ContainsAny(id, `"\;,`) {
		t.Fatalf("sessionIdentifier = %q; want 16 base64url characters, the same for one key and others for others", id)
	}
}

// FuzzOpenBound checks that any cookie value is refused without a panic,
// unless it is one boundValue made.
func FuzzOpenBound(f *testing.F) {
	key := []byte("a fixed binding key, for the fuzzer")
	f.Add(boundValue(key, 1))
	f.Add("")
	f.Add(strings.Repeat("A", 32))
	f.Add(newChallenge(key, purposeRefresh, 1))
	f.Fuzz(func(t *testing.T, v string) {
		exp, ok := openBound(key, v)
		if ok && boundValue(key, exp) != v {
			t.Fatalf("openBound(%q) = %d, ok; but that is not the cookie of that expiry", v, exp)
		}
		if _, ok := openChallenge(key, purposeRefresh, v); ok && len(v) != 34 {
			t.Fatalf("openChallenge accepted %q", v)
		}
	})
}
