package redisstore

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"strings"
)

// A session's key holds one of three values:
//
//   - "s", 8 random bytes that name the call that wrote it, and the
//     session's payload: a session that nobody holds. This is the value
//     of every session that no UpdateLocked call is holding or waiting
//     for, and the only value Create, Update and Renew write.
//   - "q", the name of the call that wrote the payload, the number of
//     entries in the queue of UpdateLocked calls (3 decimal digits), the
//     entries, and the payload: a session that UpdateLocked calls hold or
//     wait for. An entry is the 8 random bytes that name one turn of one
//     call and, in 13 decimal digits, the time in milliseconds of Redis's
//     clock until which the entry stands: the first entry holds the
//     session (its lease), the others wait in the order they came (each
//     keeps its place by asking again before its time runs out). The last
//     entry to leave turns the value back into the "s" form.
//   - "-" and a string that names the call that ended the session, kept
//     for core.GoneTTL or what was left of the record's life, whichever is
//     shorter: a session that Renew or Delete ended.
//
// The scripts, here and in index.go and locked.go, spell the offsets out:
// string.sub(v, 1, 1) is the form, string.sub(v, 2, 9) the name,
// string.sub(v, 10) the payload of the "s" form, and heldLua parses the "q"
// form.

// headerLen is the length of what the "s" form holds before the payload:
// "s" and the name of the call that wrote it.
const headerLen = 9

const (
	// heldHeaderLen is the length of the "q" form's header before its
	// entries: "q", the name, and the number of entries.
	heldHeaderLen = headerLen + 3

	// entryLen is the length of one entry of the "q" form: the name of
	// a turn and its deadline in milliseconds.
	entryLen = 8 + 13
)

// value returns the value of a key that holds payload, written by a call
// of its own.
func value(payload []byte) []byte {
	v := make([]byte, headerLen+len(payload))
	v[0] = 's'
	binary.LittleEndian.PutUint64(v[1:headerLen], rand.Uint64())
	copy(v[headerLen:], payload)
	return v
}

// payloadOf returns the payload a key's value holds, and false for the
// marker of a session that ended.
func payloadOf(v []byte) ([]byte, bool) {
	switch {
	case len(v) >= headerLen && v[0] == 's':
		return v[headerLen:], true
	case len(v) >= heldHeaderLen && v[0] == 'q':
		n := 0
		for _, c := range v[headerLen:heldHeaderLen] {
			if c < '0' || c > '9' {
				return nil, false
			}
			n = 10*n + int(c-'0')
		}
		if off := heldHeaderLen + n*entryLen; off <= len(v) {
			return v[off:], true
		}
	}
	return nil, false
}

// goneMarker returns the value of a record that the call named by name
// ended.
func goneMarker(name string) string { return "-" + name }

// turnName returns 8 random bytes that name one turn of an UpdateLocked
// call in the queue of the "q" form.
func turnName() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return string(b[:])
}

// key returns the Redis key of token: the prefix and the SHA-256 of the
// token in unpadded base64url (its handle), so that a key listing or a
// dump holds no usable token.
func (s *Store) key(token string) string {
	var buf [64]byte
	var sum [sha256.Size]byte
	if len(token) <= len(buf) {
		sum = sha256.Sum256(buf[:copy(buf[:], token)])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	n := base64.RawURLEncoding.EncodedLen(len(sum))
	base64.RawURLEncoding.Encode(buf[:n], sum[:])
	var b strings.Builder
	b.Grow(len(s.prefix) + n)
	b.WriteString(s.prefix)
	b.Write(buf[:n])
	return b.String()
}
