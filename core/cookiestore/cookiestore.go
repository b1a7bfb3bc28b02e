// Package cookiestore keeps the whole session in the cookie, signed with
// HMAC-SHA256 and optionally encrypted, using github.com/gorilla/securecookie.
//
// The cookie carries the session's JSON payload as the core encodes it;
// securecookie adds a timestamp and a MAC over the cookie's name, the
// timestamp and the (possibly encrypted) payload, so a cookie is only valid
// under the name it was issued for. Gob is never involved.
//
// Such a session needs no server state, but it has limits: without Encrypt
// the client can read (not change) what is in it; a cookie cannot be revoked
// before the Manager's timeouts expire it, so a logout only clears the
// browser's copy; and it must fit in the 4096 bytes of a cookie, which hold
// about 2.1 KB of session data: the payload is encoded in base64 twice,
// once by securecookie and once more for the cookie (a single string value
// of 2,161 bytes fills it, 2,145 with Encrypt; TestRoom measures it). A
// session that outgrows it fails its request with a
// *core.CookieTooLargeError. Choose a server-side store (memstore,
// redisstore, pgstore) when any of those matters.
//
// # Keys
//
// Keys are derived from secrets, as Pyramid's SignedCookieSessionFactory
// derives its signing key from a secret and a salt. Each secret yields,
// through HKDF-SHA256 (RFC 5869) salted with Options.Salt, a 64-byte signing
// key (info "transient/cookiestore/sign", or "transient/cookiestore/sign+encrypt"
// with Encrypt) and a 32-byte AES-256 key (info "transient/cookiestore/encrypt"),
// so one secret serves every purpose safely, a signed store and an
// encrypted one never accept each other's cookies, and two applications
// with different salts never accept each other's cookies either.
//
// To rotate keys, put a new secret first in Options.Secrets and keep the old
// ones after it: the first signs every new cookie, the others still verify,
// and a session whose cookie verified under an old secret is re-issued under
// the new one on its next request. Drop an old secret once AbsoluteTimeout
// has passed since the rotation.
package cookiestore

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/gorilla/securecookie"

	"github.com/transient-go/transient/core"
)

// MinSecretLength is the shortest secret New accepts, in bytes.
const MinSecretLength = 32

// DefaultSalt is the salt used when Options.Salt is empty.
const DefaultSalt = "transient.session"

// Options configures a Store.
type Options struct {
	// Secrets are the secrets keys are derived from, newest first: the
	// first signs (and encrypts) new cookies, all of them verify. At least
	// one is required, each at least MinSecretLength bytes of high-entropy
	// data, such as 32 bytes from crypto/rand, hex- or base64-encoded.
	Secrets []string

	// Salt separates the keys of applications, or of uses within one, that
	// share a secret. Default DefaultSalt.
	Salt string

	// Encrypt, when true, also encrypts the payload (AES-256 in CTR mode,
	// with the MAC over the ciphertext), so the client cannot read the
	// session. Default false: the session is signed but readable.
	Encrypt bool
}

// Store is a core.CookieStore. It is safe for concurrent use.
type Store struct {
	sets    *sync.Pool // of *codecSet
	name    string
	encrypt bool
}

// A codecSet is the store's securecookie codecs, one per secret, used by
// one call at a time. securecookie makes a new HMAC-SHA256 for every
// cookie it signs or verifies; a set's hash function hands that HMAC the
// set's own two SHA-256 states, reset, rather than two new ones, and
// payloads pass through the set's own field, which an interface holds
// without allocating. Sets are pooled: what securecookie computes, and the
// cookies it writes, are the same as with its defaults
// (TestSecurecookieFormat).
type codecSet struct {
	codecs  []*securecookie.SecureCookie
	digests [2]hash.Hash
	next    int
	payload []byte
}

// digest is the set's hash function: hmac.New asks it for two states,
// its outer and inner hash, which must differ, and the HMAC is done with
// before the set's next call.
func (c *codecSet) digest() hash.Hash {
	d := c.digests[c.next]
	c.next ^= 1
	d.Reset()
	return d
}

// newCodecSet returns a set of codecs for the keys, one pair per secret.
func newCodecSet(hashKeys, blockKeys [][]byte) *codecSet {
	c := &codecSet{digests: [2]hash.Hash{sha256.New(), sha256.New()}}
	for i, hashKey := range hashKeys {
		// The Manager enforces timeouts and the cookie size from the
		// payload, so securecookie's own checks are turned off.
		sc := securecookie.New(hashKey, blockKeys[i]).MaxAge(0).MaxLength(0).
			SetSerializer(passThrough{}).HashFunc(c.digest)
		c.codecs = append(c.codecs, sc)
	}
	return c
}

// passThrough is securecookie's NopEncoder for a *[]byte rather than a
// []byte: an interface holds a pointer without allocating.
type passThrough struct{}

var errNotBytes = errors.New("cookiestore: payload is not a *[]byte")

func (passThrough) Serialize(src any) ([]byte, error) {
	if p, ok := src.(*[]byte); ok {
		return *p, nil
	}
	return nil, errNotBytes
}

func (passThrough) Deserialize(src []byte, dst any) error {
	if p, ok := dst.(*[]byte); ok {
		*p = src
		return nil
	}
	return errNotBytes
}

var _ core.CookieStore = (*Store)(nil)

// New returns a Store for opts. It returns an error matching
// core.ErrConfig if opts is nil, has no secret or one that is too short.
func New(opts *Options) (*Store, error) {
	if opts == nil || len(opts.Secrets) == 0 {
		return nil, fmt.Errorf("%w: cookiestore: no secret: Options.Secrets needs one of at least %d bytes of random data, such as the output of openssl rand -hex 32", core.ErrConfig, MinSecretLength)
	}
	salt := opts.Salt
	if salt == "" {
		salt = DefaultSalt
	}
	s := &Store{name: core.DefaultCookieName, encrypt: opts.Encrypt}
	var hashKeys, blockKeys [][]byte
	signInfo := "transient/cookiestore/sign"
	if opts.Encrypt {
		signInfo += "+encrypt"
	}
	for i, secret := range opts.Secrets {
		if secret == "" {
			return nil, fmt.Errorf("%w: cookiestore: secret %d is empty; want at least %d bytes of random data, such as the output of openssl rand -hex 32", core.ErrConfig, i, MinSecretLength)
		}
		if len(secret) < MinSecretLength {
			return nil, fmt.Errorf("%w: cookiestore: secret %d is %d bytes; want at least %d bytes of random data, such as the output of openssl rand -hex 32", core.ErrConfig, i, len(secret), MinSecretLength)
		}
		hashKey, err := hkdf.Key(sha256.New, []byte(secret), []byte(salt), signInfo, 64)
		if err != nil {
			return nil, err
		}
		var blockKey []byte
		if opts.Encrypt {
			if blockKey, err = hkdf.Key(sha256.New, []byte(secret), []byte(salt), "transient/cookiestore/encrypt", 32); err != nil {
				return nil, err
			}
		}
		hashKeys = append(hashKeys, hashKey)
		blockKeys = append(blockKeys, blockKey)
	}
	s.sets = &sync.Pool{New: func() any { return newCodecSet(hashKeys, blockKeys) }}
	return s, nil
}

// WithCookieName returns a copy of s bound to the cookie name; the Manager
// calls it.
func (s *Store) WithCookieName(name string) core.CookieStore {
	c := *s
	c.name = name
	return &c
}

// Load verifies (and decrypts) token and returns the payload it carries.
// It returns core.ErrNotFound for a token that no secret verifies; reissue
// is true when one that is not the first did.
func (s *Store) Load(_ context.Context, token string) ([]byte, bool, error) {
	set := s.sets.Get().(*codecSet)
	defer s.sets.Put(set)
	for i, c := range set.codecs {
		if err := c.Decode(s.name, token, &set.payload); err == nil {
			payload := set.payload
			set.payload = nil
			return payload, i > 0, nil
		}
	}
	return nil, false, core.ErrNotFound
}

// Create returns the cookie value carrying r.Payload, signed (and
// encrypted) with the first secret. r.TTL is not needed: the cookie is the
// record, and the Manager checks its age.
func (s *Store) Create(_ context.Context, r core.Record) (string, error) {
	payload := r.Payload
	if s.encrypt {
		// securecookie encrypts in place; the caller keeps its buffer.
		payload = bytes.Clone(payload)
	}
	set := s.sets.Get().(*codecSet)
	set.payload = payload
	v, err := set.codecs[0].Encode(s.name, &set.payload)
	set.payload = nil
	s.sets.Put(set)
	if err != nil {
		return "", fmt.Errorf("cookiestore: encode: %w", err)
	}
	return v, nil
}

// Update returns a new cookie value for r, as Create does: a cookie is
// never changed in place, and two requests of one visitor cannot see each
// other's changes, so the last response's cookie wins.
func (s *Store) Update(ctx context.Context, _ string, _ []byte, r core.Record) (string, error) {
	return s.Create(ctx, r)
}

// Renew returns a new cookie value for r, as Create does. The old cookie
// cannot be revoked: it stays valid until the Manager's timeouts expire it.
func (s *Store) Renew(ctx context.Context, _ string, _ []byte, r core.Record) (string, error) {
	return s.Create(ctx, r)
}

// Delete does nothing: a cookie cannot be revoked. The Manager clears the
// browser's copy.
func (s *Store) Delete(context.Context, string) error { return nil }
