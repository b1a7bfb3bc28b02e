package core

import (
	"errors"
	"fmt"
	"net/http"
)

var (
	// ErrNotFound is what a Store returns for a token it has no valid
	// record for. The Manager turns it into a fresh session.
	ErrNotFound = errors.New("core: session not found")

	// ErrGone is what a server-side Store's Load returns for a record that
	// a renewal or a logout ended moments ago (see [GoneTTL]). It matches
	// ErrNotFound. The Manager gives the request a fresh session that is
	// never saved and sets no cookie, so that the cookie the browser has
	// just been given stays.
	ErrGone = fmt.Errorf("%w (ended by a renewal or logout)", ErrNotFound)

	// ErrConflict is matched by a [*ConflictError].
	ErrConflict = errors.New("core: session changed by a concurrent request")

	// ErrStore wraps every Store failure other than ErrNotFound: the store
	// could not be reached, timed out or failed. Requests that meet it fail;
	// see [StatusCode].
	ErrStore = errors.New("core: session store failed")

	// ErrNoSession is returned by [FromContext] when the context carries no
	// session: the session middleware is not installed on this route.
	ErrNoSession = errors.New("core: no session in context (is the session middleware installed?)")

	// ErrEnded is returned by [FromContext] for the session of a request
	// that has ended, if the request never used it.
	ErrEnded = errors.New("core: session used after its request ended")

	// ErrNoKey is returned by [Get] for a key the session
	// does not hold.
	ErrNoKey = errors.New("core: no such key in session")

	// ErrInvalidValue is returned by [Session.Set] for a value that cannot
	// be encoded as JSON, and by [Session.SetOwner] for an owner that
	// cannot be stored and compared exactly.
	ErrInvalidValue = errors.New("core: value cannot be stored in a session")

	// ErrCookieTooLarge is matched by a [*CookieTooLargeError].
	ErrCookieTooLarge = errors.New("core: session cookie too large")

	// ErrLateChange is returned when a session changed after the response
	// had started and the change needs a new cookie, which can no longer be
	// sent. Changes that a server-side store can save under the same ID
	// are saved instead.
	ErrLateChange = errors.New("core: session changed after the response started")

	// ErrNotRevocable is returned by [Manager.Sessions], EndSession and
	// the others with a store that cannot list or end sessions before they
	// expire: a cookie store, whose sessions live in the cookies. Use a
	// server-side store (memstore, redisstore, pgstore) for these.
	ErrNotRevocable = errors.New("core: the session store cannot list or end sessions (a cookie store's sessions live in the client's cookie; use a server-side store)")

	// ErrConfig is matched by every error NewManager returns for bad
	// Options.
	ErrConfig = errors.New("core: invalid session configuration")
)

// CookieTooLargeError reports a Set-Cookie header over the browser limit of
// [MaxCookieSize] bytes, or over the smaller limit of a server that could
// not read it back (see [CookieLimiter]). The session is not saved and the
// client keeps the cookie it had.
//
// Only a cookie store's cookies come near the limit: its cookie carries
// the session, encoded twice in base64 (once by the store's signing, once
// more for the cookie), so that about 2.1 KB of session data fills the
// 4096 bytes. A server-side store's cookie holds only the session's ID.
type CookieTooLargeError struct {
	Size  int // bytes in the whole Set-Cookie header value
	Limit int // MaxCookieSize, or the server's smaller limit

	// Raise is set when Limit is the server's rather than the browsers':
	// what to change so that the server reads back larger cookies.
	Raise string
}

func (e *CookieTooLargeError) Error() string {
	if e.Raise != "" {
		return fmt.Sprintf("core: session cookie is %d bytes, over the %d bytes this server can read back in a request; %s", e.Size, e.Limit, e.Raise)
	}
	return fmt.Sprintf("core: session cookie is %d bytes, over the %d-byte limit browsers enforce (a cookie store holds about 2.1 KB of session data);"+
		" store less in the session, or use a server-side store (memstore, redisstore, pgstore)", e.Size, e.Limit)
}

// Unwrap makes errors.Is(err, ErrCookieTooLarge) true.
func (e *CookieTooLargeError) Unwrap() error { return ErrCookieTooLarge }

// StatusCode returns the HTTP status an adapter answers with for a session
// error: 503 Service Unavailable when the store failed (the request may
// succeed once it is back), 500 Internal Server Error otherwise.
func StatusCode(err error) int {
	if errors.Is(err, ErrStore) {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}
