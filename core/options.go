package core

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
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
// Fields are named so that their zero value keeps the safe behaviour. With
// TokenHeader set, the session token travels in a header instead of the
// cookie, and the cookie's fields stay unset.
type Options struct {
	// CookieName is the session cookie's name. Default "session".
	// Names starting with "__Host-" or "__Secure-" must meet those
	// prefixes' rules, checked by NewManager. A session is bound to the
	// name it was issued under, with every store: sent under another
	// name, to another Manager over the same store, it is not found.
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
	// session as it was. The default logs the error to Logger at error
	// level and returns it. It must be safe for concurrent use.
	ErrorHandler func(ctx context.Context, err error) error

	// Logger receives, through the default ErrorHandler, the errors that
	// fail a request (a store outage, an oversized cookie) at error level,
	// and rejected cookies (tampered, expired, unknown, duplicated...) and
	// discarded stale changes at debug level. Default nil: slog.Default()
	// at the time of logging, whose default handler shows errors and hides
	// debug lines. Successful requests log nothing. It also gets the
	// warnings the Manager gives once, with their fix: a Secure cookie sent
	// in reply to plain HTTP, a server that cannot read back the cookie
	// store's cookies (see CookieLimiter), and a route without this
	// Manager's middleware (see Manager.FromContext). To log nothing at
	// all, set slog.New(slog.DiscardHandler).
	Logger *slog.Logger

	// Observer is told what the Manager does (commits, sessions created
	// and ended, rejected cookies), for metrics and traces: see [Observer]
	// and package otelsession, which records them with OpenTelemetry.
	// Give the same Observer to the store's options for the store's calls.
	// Default nil: nothing is recorded, at no cost.
	Observer *Observer

	// Clock returns the current time. Default time.Now. Tests set it to
	// move time without sleeping.
	Clock func() time.Time

	// DeviceBinding, when set, turns on device-bound sessions (DBSC): a
	// session with an owner is bound to a key the browser keeps in the
	// device's hardware, and a copy of its cookie stops working anywhere
	// else within minutes. See [DeviceBinding]. Default nil: off.
	DeviceBinding *DeviceBinding

	// TokenHeader, when set, carries the session token in this request
	// header and response header instead of a cookie, for API clients
	// that keep no cookies: a mobile app, a command-line tool, a
	// single-page app on another origin. "Authorization" carries it in
	// the Bearer scheme, as Authorization: Bearer <token>; any other
	// name, such as "X-Session-Token", carries the bare token.
	//
	// The client sends the token it last received. A response that gives
	// it a new one (the first change of a new session, Session.Renew at
	// login, SetOwner) carries the header with the new token, and
	// Cache-Control: no-store; one that ends its session
	// (Session.Invalidate, or a token the server does not know) carries
	// the header with an empty value, and the client forgets its token.
	// The lifecycle is the cookie's: timeouts, renewal, the user's
	// sessions, concurrent requests and late changes behave the same.
	//
	// A Manager with TokenHeader never reads a cookie nor sends one, and
	// a Manager without it never reads the header, so a browser, which
	// attaches cookies to a cross-site request by itself but never this
	// header, cannot lend such a session to another site (no CSRF). Two
	// Managers over one store, one with a cookie and one with a header,
	// keep separate sessions: neither's token is found through the
	// other. The client must keep the token safe (see SECURITY.md and
	// docs/api-clients.md). TokenHeader needs a server-side store
	// (memstore, redisstore, pgstore), and NewManager refuses it with a
	// cookie store, with DeviceBinding, and with any of the cookie's
	// fields set (CookieName, Path, Domain, Insecure, AllowScriptAccess,
	// SameSite, Partitioned, MaxAge). RememberMe has no effect on such a
	// session: the client keeps its token as long as it likes, and the
	// server's timeouts end the session. The adapter must give the
	// Manager the request's headers ([HeaderSource]), as every adapter of
	// this module does. Default "": the session cookie.
	TokenHeader string
}

// resolve fills in defaults and validates o.
func (o *Options) resolve() error {
	if o.CookieName == "" {
		o.CookieName = DefaultCookieName
	}
	if o.Path == "" {
		o.Path = "/"
	}
	if o.SameSite == 0 {
		o.SameSite = http.SameSiteLaxMode
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.AbsoluteTimeout == 0 {
		o.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if o.ReissueTime == 0 {
		switch {
		case o.IdleTimeout > 0:
			o.ReissueTime = o.IdleTimeout / 10
		case o.MaxAge > 0:
			o.ReissueTime = o.MaxAge / 10
		default:
			o.ReissueTime = -1
		}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	secure := !o.Insecure
	switch {
	case !validCookieName(o.CookieName):
		return configError("cookie name %q is not a valid token", o.CookieName)
	case !validAttr(o.Path) || o.Path[0] != '/':
		return configError("cookie path %q must start with / and hold no ';' or control characters", o.Path)
	case o.Domain != "" && !validDomain(o.Domain):
		return configError("cookie domain %q is not a domain name", o.Domain)
	case strings.HasPrefix(o.CookieName, "__Host-") && (!secure || o.Path != "/" || o.Domain != ""):
		return configError("a __Host- cookie must be Secure, with Path=/ and no Domain")
	case strings.HasPrefix(o.CookieName, "__Secure-") && !secure:
		return configError("a __Secure- cookie must be Secure")
	case o.SameSite == http.SameSiteNoneMode && !secure:
		return configError("SameSite=None requires Secure (do not set Insecure)")
	case o.SameSite < http.SameSiteDefaultMode || o.SameSite > http.SameSiteNoneMode:
		return configError("unknown SameSite value %d", o.SameSite)
	case o.Partitioned && !secure:
		return configError("a Partitioned cookie must be Secure")
	case o.MaxAge < 0:
		return configError("MaxAge is negative; use Session.Invalidate to end a session")
	case o.AbsoluteTimeout < time.Second:
		return configError("AbsoluteTimeout must be at least a second")
	case o.IdleTimeout > 0 && o.IdleTimeout < time.Second:
		return configError("IdleTimeout must be at least a second")
	case o.IdleTimeout > 0 && o.ReissueTime >= o.IdleTimeout:
		return configError("ReissueTime (%v) must be shorter than IdleTimeout (%v), or active sessions would time out", o.ReissueTime, o.IdleTimeout)
	}
	return nil
}

func seconds(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d / time.Second)
}
