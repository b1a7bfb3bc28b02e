package core

import (
	"crypto/rand"
	"encoding/base64"
)

// NewID returns a new random session ID: 256 bits from crypto/rand, in
// unpadded base64url (43 characters). Server-side stores use it for new
// records.
func NewID() string { return newToken() }

func newToken() string {
	var b [32]byte
	rand.Read(b[:]) // never returns an error; crashes the program if the system RNG fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}
