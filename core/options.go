package core

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Default values for the zero fields of [Options].
const (
	DefaultCookieName      = "session"
	DefaultIdleTimeout     = 20 * time.Minute // Pyramid's default timeout
	DefaultAbsoluteTimeout = 24 * time.Hour

	// MaxCookieSize is the largest Set-Cookie header value, attributes
	// included, that the Manager sends: browsers silently drop bigger
	// cookies.
	MaxCookieSize = 4096

	// ClockSkew is how far in the future a session's issue time may lie
	// before the session is rejected.
	ClockSkew = time.Minute
)

// Options configures a [Manager]. The zero value is safe: a browser-session
// cookie named "session", HttpOnly, Secure, SameSite=Lax, Path=/, a 20-minute
// idle timeout and a 24-hour absolute timeout, enforced by the server.
// Fields are named so that their zero value keeps the safe behaviour.
type Options struct {
	// CookieName is the session cookie's name. Default "session".
	// Names starting with "__Host-" or "__Secure-" must meet those
	// prefixes' rules, checked by NewManager.
	CookieName string

	// Path is the cookie's Path attribute. Default "/".
	Path string

	// Domain is the cookie's Domain attribute. Default empty: the cookie
	// is sent to the host that set it only, which is the safer choice.
	//
	// Changing CookieName, Path or Domain in a deployment leaves browsers
	// with the old cookie beside the new one; two cookies of one name are
	// treated as no session (the server cannot tell which it issued), so
	// also send the old cookie expired for a while, or change the name.
	Domain string

	// Insecure, when true, omits the Secure attribute so the cookie also
	// travels over plain HTTP. Default false: the cookie is Secure. Turn
	// it off only for local development over http://.
	Insecure bool

	// AllowScriptAccess, when true, omits the HttpOnly attribute so that
	// JavaScript can read the cookie. Default false: the cookie is HttpOnly.
	AllowScriptAccess bool

	// SameSite is the cookie's SameSite attribute. Zero means
	// http.SameSiteLaxMode; http.SameSiteDefaultMode omits the attribute.
	// http.SameSiteNoneMode requires Secure.
	SameSite http.SameSite

	// Partitioned sets the Partitioned attribute (CHIPS). It requires
	// Secure. Default false.
	Partitioned bool

	// MaxAge is the cookie's Max-Age. Zero, the default, makes a
	// browser-session cookie that the browser forgets when it closes. It
	// never extends a session beyond IdleTimeout or AbsoluteTimeout, which
	// the server enforces whatever the browser keeps.
	MaxAge time.Duration

	// IdleTimeout ends a session that has not been issued (saved or
	// re-issued) for this long; an active session is re-issued every
	// ReissueTime. Pyramid calls it timeout. Zero means
	// DefaultIdleTimeout (20 minutes); a negative value disables it.
	IdleTimeout time.Duration

	// AbsoluteTimeout ends a session this long after it was created,
	// however active it is. Zero means DefaultAbsoluteTimeout (24 hours).
	// It cannot be disabled.
	AbsoluteTimeout time.Duration

	// ReissueTime is Pyramid's reissue_time: a session that a request
	// reads but does not change is saved again, with a new issue time and
	// a fresh cookie or server-side expiry, only once at least this long
	// has passed since it was last issued. A changed session is always
	// saved. Zero means a tenth of IdleTimeout, or of MaxAge when the idle
	// timeout is disabled; a negative value never re-issues an unchanged
	// session. Any positive value below a second re-issues on every request.
	ReissueTime time.Duration

	// SkipOnServerError, when true, discards the session changes of a
	// request whose response status is 5xx. Default false: changes are
	// committed whatever the status, as Pyramid does with its default
	// set_on_exception=True.
	SkipOnServerError bool

	// ErrorHandler is called with every error the Manager meets while
	// loading or committing a session: store failures (wrapping ErrStore),
	// a cookie over MaxCookieSize, a change made too late to be saved. What
	// it returns is what the adapter reports to the application (a 5xx
	// response, or an error for the framework's error handler); returning
	// nil carries on: a session that failed to load then acts as an empty
	// session that is never saved, and a failed commit leaves the stored
	// session as it was. The default logs the error to Logger, if any, and
	// returns it. It must be safe for concurrent use.
	ErrorHandler func(ctx context.Context, err error) error

	// Logger, if set, receives rejected cookies at debug level (tampered,
	// expired, unknown...) and, through the default ErrorHandler, errors.
	// Default nil: the Manager logs nothing.
	Logger *slog.Logger

	// Clock returns the current time. Default time.Now. Tests set it to
	// move time without sleeping.
	Clock func() time.Time
}
