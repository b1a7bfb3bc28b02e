package core

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
)

// This file makes and checks what the server hands a device-bound
// session's browser: challenges to sign, bound cookies and the DBSC
// session identifier. All three are keyed with the session's binding key
// (binding.key), which the session holds and never sends, so they need no
// state on the server and no secret of the application's: a challenge or
// a cookie of one session is worthless for another, and a renewal, which
// keeps the binding key, keeps them valid.
//
// A challenge is stateless and time-stamped; the session makes it single
// use by recording the time of the newest challenge it consumed (binding.
// used) and refusing any that is not newer. A challenge is therefore
// stamped max(now, used+1) in milliseconds, so that two in a row differ
// even under a stopped clock.

// Purposes of a challenge: one for a registration is no good for a
// refresh.
const (
	purposeRegister = 'r'
	purposeRefresh  = 'f'
)

// Lengths, in bytes before base64url, of what this file makes.
const (
	challengeBytes = 1 + 8 + 16 // purpose, time in Unix milliseconds, HMAC-SHA256 cut to 128 bits
	boundBytes     = 8 + 16     // expiry in Unix seconds, HMAC
	idBytes        = 12         // HMAC
)

// Domain separation of the HMACs.
const (
	labelChallenge = "transient dbsc challenge\x00"
	labelBound     = "transient dbsc bound cookie\x00"
	labelID        = "transient dbsc session identifier\x00"
)

var strictB64 = base64.RawURLEncoding.Strict() // never modified

// newBindingKey returns a new binding key: 32 random bytes in base64url.
func newBindingKey() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// challengeTime returns the time of a new challenge for a session whose
// binding is b: now in Unix milliseconds, or just after the last one the
// session consumed.
func challengeTime(b *binding, nowMs int64) int64 {
	return max(nowMs, b.used+1)
}

// newChallenge returns a challenge for purpose, made at t (Unix
// milliseconds) with the binding key key.
func newChallenge(key []byte, purpose byte, t int64) string {
	var b [challengeBytes]byte
	b[0] = purpose
	binary.BigEndian.PutUint64(b[1:9], uint64(t))
	sum := hmacSHA256(key, labelChallenge, b[:9])
	copy(b[9:], sum[:16])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// openChallenge returns the time of c, a challenge for purpose made with
// key, or false if c is not one.
func openChallenge(key []byte, purpose byte, c string) (int64, bool) {
	var b [challengeBytes]byte
	if len(c) != base64.RawURLEncoding.EncodedLen(challengeBytes) {
		return 0, false
	}
	if n, err := strictB64.Decode(b[:], []byte(c)); err != nil || n != challengeBytes || b[0] != purpose {
		return 0, false
	}
	sum := hmacSHA256(key, labelChallenge, b[:9])
	if subtle.ConstantTimeCompare(sum[:16], b[9:]) != 1 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b[1:9])), true
}

// boundValue returns the value of a bound cookie made with key that
// expires at exp (Unix seconds).
func boundValue(key []byte, exp int64) string {
	var b [boundBytes]byte
	binary.BigEndian.PutUint64(b[:8], uint64(exp))
	sum := hmacSHA256(key, labelBound, b[:8])
	copy(b[8:], sum[:16])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// openBound returns the expiry of v, a bound cookie's value made with
// key, or false if v is not one. It does not allocate.
func openBound(key []byte, v string) (int64, bool) {
	var b [boundBytes]byte
	if len(v) != base64.RawURLEncoding.EncodedLen(boundBytes) {
		return 0, false
	}
	var src [32]byte // EncodedLen(boundBytes)
	copy(src[:], v)
	if n, err := strictB64.Decode(b[:], src[:]); err != nil || n != boundBytes {
		return 0, false
	}
	sum := hmacSHA256(key, labelBound, b[:8])
	if subtle.ConstantTimeCompare(sum[:16], b[8:]) != 1 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b[:8])), true
}

// sessionIdentifier returns the DBSC session identifier of a session whose
// binding key is key: what the browser names the session by, in the
// Sec-Secure-Session-Id header of a refresh. It reveals nothing of the
// session's ID, and stays the same across renewals.
func sessionIdentifier(key []byte) string {
	sum := hmacSHA256(key, labelID, nil)
	return base64.RawURLEncoding.EncodeToString(sum[:idBytes])
}

// hmacSHA256 returns HMAC-SHA256 (RFC 2104) keyed with key of label
// followed by msg, which together fit in a block (64 bytes). It is written
// out, rather than made with crypto/hmac, so that checking a bound cookie
// on every request of a bound session allocates nothing; a test holds it
// to crypto/hmac.
func hmacSHA256(key []byte, label string, msg []byte) [32]byte {
	const block = 64
	var k [block]byte
	if len(key) > block {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var inner [2 * block]byte
	for i := range block {
		inner[i] = k[i] ^ 0x36
	}
	n := block + copy(inner[block:], label)
	n += copy(inner[n:], msg)
	ih := sha256.Sum256(inner[:n])
	var outer [block + sha256.Size]byte
	for i := range block {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[block:], ih[:])
	return sha256.Sum256(outer[:])
}
