package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Store keeps sessions between requests. The Manager encodes and decodes
// payloads; a Store only moves bytes and never looks inside them.
//
// A token is what the session cookie carries. For a server-side store
// (package memstore, redisstore, pgstore) it is a session ID, made with
// [NewID]; for a [CookieStore] it is the encoded payload itself.
//
// A server-side store applies each request's commit to the record as it is
// at commit time: the Manager sends the payload it loaded along with the new
// one, and Update and Renew write only if the record still holds what was
// loaded. When another request changed the record in between, they return
// a [*ConflictError] with the record as it is now; the Manager applies the
// request's changes to that and tries again. The store needs no lock
// across calls and never merges anything itself. Past a conflict or two,
// the Manager takes the slower path that cannot starve, if the store has
// it: see [LockingStore].
//
// The contract every server-side Store keeps, checked by package storetest:
//
//   - Load returns the payload of token. It returns [ErrNotFound] for a
//     token that is unknown, expired or not of the form [ValidID] accepts,
//     and creates nothing while looking; [ErrGone] (which matches
//     ErrNotFound) for a record that Renew or Delete ended less than
//     [GoneTTL] ago. Any other error means the store could not answer (it
//     is down, slow or broken); the Manager then fails the request rather
//     than start an empty session that could overwrite the real one.
//     reissue is always false.
//   - Create stores r under a new token, made with [NewID], and returns it.
//   - Update replaces the record of token with r if the record still holds
//     old (byte for byte), and returns token. If it holds something else,
//     Update writes nothing and returns a *ConflictError holding the
//     current payload. If the record is gone (deleted, renewed, expired,
//     never created), Update writes nothing and returns ErrNotFound: an
//     ended session is never brought back.
//   - Renew ends the record of token and stores r under a new token, which
//     it returns, as one operation, if the record still holds old (nil old:
//     whatever it holds). It fails as Update does, writing nothing, when
//     the record holds something else or is gone.
//   - Delete ends the record of token. It returns ErrNotFound if there was
//     no live record.
//   - A record that Renew or Delete ended stays gone: Update, Renew and
//     Delete return ErrNotFound for its token, and for [GoneTTL] (or until
//     the record would have expired, if that comes first) Load returns
//     ErrGone, so that a request that was on its way with the old cookie
//     leaves the cookie a concurrent login or logout has just set alone.
//   - Records are forgotten after their Record.TTL.
//   - Every method that returns a token returns "" with an error.
//   - The caller may reuse the payloads it passed once a call returns. A
//     payload the store returns (from Load, in a ConflictError, and an
//     Index's List) is the caller's to keep and is never modified after,
//     by the store or the caller: the session's strings share its memory,
//     so a store never hands out a buffer it reuses or changes in place.
//     A store that keeps a token beyond the call copies it.
//   - All methods are safe for concurrent use and honour ctx's deadline.
//
// A [CookieStore] keeps the session in the cookie instead: see there.
type Store interface {
	Load(ctx context.Context, token string) (payload []byte, reissue bool, err error)
	Create(ctx context.Context, r Record) (token string, err error)
	Update(ctx context.Context, token string, old []byte, r Record) (newToken string, err error)
	Renew(ctx context.Context, token string, old []byte, r Record) (newToken string, err error)
	Delete(ctx context.Context, token string) error
}

// A LockingStore is a server-side [Store] that can also write a record
// while holding it against every other writer: the path a commit falls
// back to once its optimistic writes have met concurrent changes, so that
// no commit starves however many requests keep changing the session (many
// tabs of a busy single-page app, or a thief who holds a copy of the
// cookie and keeps the record changing so that a privilege drop never
// lands). Update and Renew stay the fast path: one round trip while they
// succeed. memstore, redisstore and pgstore implement it.
//
// What holds under contention: a commit to a server-side store writes
// optimistically, and after two conflicts a LockingStore writes its
// change set with UpdateLocked, so every commit lands, after the commits
// that were waiting before it, and none answers 503 because others keep
// writing. With a Store that is not a LockingStore the Manager keeps
// trying optimistically, with random waits that grow between tries, and
// gives up after 16 tries: a commit that many concurrent writers keep
// beating fails with ErrStore (503), having written nothing; no change is
// ever lost without an error.
//
// UpdateLocked waits its turn to hold the record of token, calls change
// with the payload the record holds, and writes the Record change returns:
// under token, or with renew under a new token, which it returns, ending
// the record of token as Renew does. The contract, checked by package
// storetest:
//
//   - Turns are fair: callers get the record in the order they asked for
//     it (or an order that lets none of them wait forever), and every
//     caller's turn comes, however many others keep asking, with
//     UpdateLocked or with Update and Renew; only ctx's deadline ends a
//     wait, and a caller whose deadline passed while it waited leaves no
//     hold behind.
//   - While a caller holds the record, no other write replaces it: Update
//     and Renew of the record either wait until the hold ends or return a
//     *ConflictError, writing nothing. Delete may end the record at any
//     time; the holder then writes nothing and gets ErrNotFound.
//   - change may be called more than once (a store that lost the hold,
//     because its holder outlived the store's bound on a hold, takes a new
//     turn); only what its last call returned is written. It must not
//     block, and must not call the store. It may keep current after it
//     returns: the store never modifies or reuses a payload it passed.
//   - If change returns an error, nothing is written, the hold ends and
//     UpdateLocked returns that error as is.
//   - A record that is gone (ended, expired, never created, or a token that
//     is not of the form [ValidID] accepts) is never written: UpdateLocked
//     returns ErrNotFound without calling change.
//   - With every error, the token returned is "".
//   - A hold is bounded: a holder that stops (its process dies or hangs)
//     lets go after a time the store documents, and whatever it writes
//     after that is refused. A failed call leaves no hold behind for
//     longer than that bound.
type LockingStore interface {
	Store
	UpdateLocked(ctx context.Context, token string, renew bool, change func(current []byte) (Record, error)) (newToken string, err error)
}

// A Record is a session as the Manager writes it to a [Store].
type Record struct {
	// Payload is the session, as the Manager encodes it. It is never
	// empty.
	Payload []byte

	// TTL is how long the store keeps the record; it is always positive.
	// The Manager enforces its own timeouts from the payload as well.
	TTL time.Duration

	// Owner is the user the session belongs to ([Session.SetOwner]), or
	// "" for an anonymous session. An [Index] lists the record under it.
	// A record's owner never changes in place: a new owner comes with
	// Renew.
	Owner string
}

// An Index is a server-side Store that also lists each owner's sessions,
// so that a user can see and end them ([Manager.Sessions],
// [Manager.EndSession]). Records are listed by handle ([HandleOf]), a name
// that is safe to show: it does not reveal the session's ID.
//
// The contract, checked by package storetest:
//
//   - A record that Create, Update or Renew writes with an Owner is listed
//     under that owner until it is ended or expires; one written without
//     is never listed. An index that lists a record longer (an entry of a
//     record already ended) must leave it out of List.
//   - List returns owner's live records, with their payloads, in no
//     particular order; nothing for an owner without any.
//   - End ends the record listed as handle under owner, at once and for
//     good: it is deleted, not marked gone as Delete does, so the
//     visitor's next request starts a new session. It returns ErrNotFound
//     when owner has no live record of that handle.
//   - Each owner has a bounded number of records listed (the store
//     documents how many): when one more is written, the store ends the
//     owner's records that were written longest ago.
//   - An owner with no live record takes no space in the index once its
//     records have expired.
type Index interface {
	Store
	List(ctx context.Context, owner string) ([]Listed, error)
	End(ctx context.Context, owner, handle string) error
}

// Listed is one record of an owner, as an [Index] lists it.
type Listed struct {
	Handle  string
	Payload []byte
}

// HandleOf returns the handle of the session whose ID is id: the hex
// SHA-256 of the ID, which names the session without revealing the ID, as
// an [Index] lists it and [SessionInfo] shows it.
func HandleOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// GoneTTL is how long a server-side [Store] remembers a record that Renew
// or Delete ended: the time a request sent with the old cookie before the
// browser got the new one may take to arrive. Such a request is anonymous,
// saves nothing and sets no cookie. A browser that never got the new
// cookie (the response to its login was lost on the way) is in the same
// state for at most GoneTTL; after it, its old cookie is merely unknown,
// and its next change starts a new session.
const GoneTTL = time.Minute

// A ConflictError is returned by a Store's Update or Renew when the record
// no longer holds the payload the request loaded: another request changed
// it in between. Current is the record's payload now.
type ConflictError struct {
	Current []byte
}

func (e *ConflictError) Error() string {
	return "core: session changed by a concurrent request"
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// CookieStore is a Store that keeps the whole session in the cookie, such
// as package cookiestore. Its tokens carry the data, so they cannot be
// revoked before they expire and every change needs a new cookie: Create,
// Update and Renew each return a new token for r, ignore token and old,
// and never report a conflict; Delete does nothing. Concurrent requests of
// one visitor therefore overwrite each other: the last response's cookie
// wins. Load returns ErrNotFound for a token it cannot verify, and reissue
// when the token verified but should be replaced, such as one signed with
// an old key.
//
// The Manager calls WithCookieName once, when it is created, and uses the
// store it returns, so that a token is only valid under the cookie name it
// was issued for.
type CookieStore interface {
	Store
	WithCookieName(name string) CookieStore
}
