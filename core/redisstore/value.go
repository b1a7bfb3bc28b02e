package redisstore

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
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
//   - "-" and 8 random bytes that name the call that ended the session, kept
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

// goneMarker returns the value of a record that a call ended: "-" and 8
// random bytes that name the call.
func goneMarker() string {
	var b [1 + 8]byte
	b[0] = '-'
	binary.LittleEndian.PutUint64(b[1:], rand.Uint64())
	return string(b[:])
}

// turnName returns 8 random bytes that name one turn of an UpdateLocked
// call in the queue of the "q" form.
func turnName() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return string(b[:])
}

// A session's name is the SHA-256 of its ID, 32 bytes as they are: its
// owner's index lists it (index.go), and its hex is the session's handle
// (core.HandleOf). Its key is the prefix and the first keyNameLen bytes of
// its name, so that a key listing or a dump holds no usable token. Keys
// are bytes, not text: with the default prefix a session's key is 28
// bytes, which Redis keeps, with a 1-byte header and a NUL, in one of its
// 32-byte allocations (a key of up to 30 bytes does), where the prefix and
// the name in unpadded base64url (51 bytes) took 64. 160 bits of the hash
// keep the keys of distinct IDs apart, and leave whoever sends made-up IDs
// no better odds of hitting a session than of guessing a 160-bit secret.

// keyNameLen is how many bytes of a session's name end its key.
const keyNameLen = 20

// sum returns the SHA-256 of s, without allocating for an s as short as
// a session ID.
func sum(s string) [sha256.Size]byte {
	var buf [64]byte
	if len(s) <= len(buf) {
		return sha256.Sum256(buf[:copy(buf[:], s)])
	}
	return sha256.Sum256([]byte(s))
}

// sessionName returns the name of token's session.
func sessionName(token string) string {
	n := sum(token)
	return string(n[:])
}

// key returns the Redis key of token's session.
func (s *Store) key(token string) string {
	n := sum(token)
	return s.prefix + string(n[:keyNameLen])
}

// keyOf returns the Redis key of the session named n: "" for a name that
// is not one (an index written by an earlier layout).
func (s *Store) keyOf(n string) string {
	if len(n) != sha256.Size {
		return ""
	}
	return s.prefix + n[:keyNameLen]
}
