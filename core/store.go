package core

import (
	"context"
	"time"
)

// Store keeps session payloads between requests. The Manager encodes and
// decodes payloads; a Store only moves bytes and never looks inside them.
//
// A token is what the session cookie carries. For a server-side store it is
// a session ID (see [NewID]); for a [CookieStore] it is the encoded payload
// itself.
//
// The contract every Store keeps, checked by package storetest:
//
//   - Load returns [ErrNotFound] for a token that is unknown, expired,
//     malformed or fails verification, and creates nothing while looking.
//     Any other error means the store could not answer (it is down, slow or
//     broken); the Manager then fails the request rather than start an empty
//     session that could overwrite the real one.
//   - Load's reissue result asks the Manager to issue a fresh token for an
//     otherwise good payload, for example one signed with an old key.
//   - Save with an empty token creates a new record under a new token
//     (a server-side store picks one with [NewID]) and returns it.
//     Save with a token overwrites that record only if it still exists;
//     if it is gone, Save writes nothing and returns [ErrNotFound], so a
//     request that loaded a session before a concurrent logout cannot bring
//     it back.
//   - ttl is how long the record must live; a server-side store forgets the
//     record after it. It is always positive.
//   - Delete removes the record of token; deleting an unknown token is not
//     an error.
//   - The caller may reuse the payload it passed to Save once Save returns,
//     and must not modify the payload Load returns. A store that keeps a
//     token beyond the call copies it.
//   - All methods are safe for concurrent use and honour ctx's deadline.
type Store interface {
	Load(ctx context.Context, token string) (payload []byte, reissue bool, err error)
	Save(ctx context.Context, token string, payload []byte, ttl time.Duration) (newToken string, err error)
	Delete(ctx context.Context, token string) error
}

// Renewer is an optional Store capability. Renew creates a record for
// payload under a new token and deletes the record of old, as one operation
// (one round trip for a network store). The Manager uses it when a session
// is renewed or invalidated and refilled; without it, it calls Save and then
// Delete.
type Renewer interface {
	Renew(ctx context.Context, old string, payload []byte, ttl time.Duration) (newToken string, err error)
}

// CookieStore is a Store that keeps the whole session in the cookie, such as
// package cookiestore. Its tokens carry the data, so they cannot be revoked
// before they expire and every change needs a new cookie. The Manager calls
// WithCookieName once, when it is created, and uses the store it returns, so
// that a token is only valid under the cookie name it was issued for.
type CookieStore interface {
	Store
	WithCookieName(name string) CookieStore
}
