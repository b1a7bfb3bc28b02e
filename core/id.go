package core

import (
	"crypto/rand"
	"encoding/base64"
)

// IDLength is the length of the IDs [NewID] returns.
const IDLength = 43

// NewID returns a new random session ID: 256 bits from crypto/rand, in
// unpadded base64url ([IDLength] characters). Server-side stores use it for
// new records.
func NewID() string { return newToken() }

func newToken() string {
	var b [32]byte
	rand.Read(b[:]) // never returns an error; crashes the program if the system RNG fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ValidID reports whether id has the form of the IDs [NewID] returns: the
// canonical unpadded base64url encoding of 32 bytes. Server-side stores
// check the token a client sends with it before looking it up, so a
// malformed token costs no lookup and never reaches the store's key space.
// It does not allocate.
func ValidID(id string) bool {
	if len(id) != IDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if base64URLValue(id[i]) < 0 {
			return false
		}
	}
	// 43 characters hold 258 bits: the last character's two low bits are
	// not part of the 32 bytes, and are zero in the canonical encoding.
	return base64URLValue(id[IDLength-1])&3 == 0
}

// base64URLValue returns the 6-bit value of a base64url character, or -1.
func base64URLValue(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}
