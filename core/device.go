package core

import (
	"context"
	"strings"
	"time"
)

// This file turns on device-bound sessions: Device Bound Session
// Credentials (DBSC, a W3C draft that Chromium ships), which tie a logged-in
// session to a key pair the browser keeps in the device's secure hardware,
// so that a copy of the session cookie stops working on any other machine
// within minutes. The protocol is in device_endpoint.go, its proofs in
// device_proof.go, its challenges and cookies in device_token.go, and what
// a session records in device_payload.go.

// Default values for the zero fields of [DeviceBinding].
const (
	DefaultRegistrationPath = "/dbsc/registration"
	DefaultRefreshPath      = "/dbsc/refresh"
	DefaultBoundLifetime    = 5 * time.Minute
)

// MinBoundLifetime is the shortest [DeviceBinding.Lifetime] NewManager
// accepts: below it, a browser signs a refresh for nearly every page.
const MinBoundLifetime = 10 * time.Second

// DeviceBinding configures device-bound sessions (DBSC) on a [Manager],
// through [Options.DeviceBinding]; nil leaves them off. The zero value is
// the safe configuration: after login (when [Session.SetOwner] gives a
// session its owner), the response asks the browser to bind the session
// to a key of its own; from then on each request of the session also
// needs a bound cookie that lasts five minutes and that only the browser
// holding that key can renew, by signing a challenge at the refresh
// endpoint. The adapters serve the registration and refresh endpoints
// themselves. Browsers without DBSC ignore the offer, and their sessions
// carry on as before. docs/device-bound-sessions.md is the guide.
//
// Device-bound sessions need a server-side store (memstore, redisstore,
// pgstore), which keeps the key, the single use of each challenge and the
// end of a session: NewManager refuses them with a [CookieStore] (see
// [ErrConfig]).
type DeviceBinding struct {
	// RegistrationPath is the path of the endpoint where the browser
	// registers a session's public key. Default
	// DefaultRegistrationPath. Like RefreshPath, it must lie within
	// Options.Path, so that the session cookie reaches it.
	RegistrationPath string

	// RefreshPath is the path of the endpoint where the browser renews
	// the bound cookie, signing a challenge. Default DefaultRefreshPath.
	RefreshPath string

	// CookieName is the bound cookie's name. Default Options.CookieName
	// followed by "-bound" ("session-bound", "__Host-session-bound").
	// It has the session cookie's attributes (Path, Domain, Secure,
	// HttpOnly, SameSite).
	CookieName string

	// Lifetime is how long a bound cookie lasts: how long a stolen copy
	// of the cookies works on another machine, at most, and how often the
	// browser signs a refresh. Default DefaultBoundLifetime (5 minutes);
	// at least MinBoundLifetime.
	Lifetime time.Duration

	// Offer decides whether the browser of owner's session is asked to
	// bind it. It is called, with the request's context, at the commit of
	// a login (a request that called Session.SetOwner, on a session with
	// an owner that was never offered binding). It must be safe for
	// concurrent use and must not use the session. Default nil: every login is
	// offered. Anonymous sessions are never offered, nor sessions that
	// logged in before binding was turned on, until they log in again:
	// only the login's response carries the offer, so that whoever holds
	// a copy of the cookie cannot bind the session to a key of its own.
	Offer func(ctx context.Context, owner string) bool

	// Unbound is what a request of a bound session becomes when it does
	// not carry a valid bound cookie: a stolen session cookie, or a
	// browser whose refreshes fail. Default UnboundAnonymous.
	Unbound Unbound
}

// Unbound is what a request of a bound session becomes when it does not
// carry a valid bound cookie. A browser that holds the key never sends one
// (it defers the request and refreshes the cookie first), unless its
// refreshes fail; a copy of the session cookie used elsewhere always does.
type Unbound uint8

const (
	// UnboundAnonymous, the default, gives the request a new, empty
	// session, as for an unknown cookie, but leaves the bound session
	// and the client's cookie alone: the device that holds the key
	// carries on, and a request that logs in again starts a session of
	// its own.
	UnboundAnonymous Unbound = iota

	// UnboundEnd ends the bound session, on every app server, as a
	// logout does, and gives the request a new one. It is the stricter
	// choice, and it lets whoever holds a copy of the session cookie log
	// the device out; a refresh signed with another key than the
	// session's also ends it.
	UnboundEnd

	// UnboundAllow uses the session all the same, with
	// [Session.DeviceBound] false: binding is then advisory, for a
	// rollout that watches before it enforces, or for an application
	// that requires it only on the pages that check DeviceBound.
	UnboundAllow
)

// boundGrace is how long a bound cookie is still accepted after it
// expired, and how long after a registration a request without it is
// still the session's (with DeviceBound false): the time a request the
// browser sent just before may take to arrive.
const boundGrace = 10 * time.Second

// deviceConfig is a Manager's resolved DeviceBinding.
type deviceConfig struct {
	registration, refresh string
	cookie                cookieSpec // the bound cookie: the session cookie's attributes, another name
	attributes            string     // those attributes as the session instructions give them
	lifetime              int64      // seconds
	challengeTTL          int64      // milliseconds a challenge is accepted for
	offer                 func(context.Context, string) bool
	unbound               Unbound
}

// newDeviceConfig resolves and checks o.DeviceBinding, for a Manager whose
// other options o are resolved; it returns nil when binding is off.
func newDeviceConfig(o *Options, store Store) (*deviceConfig, error) {
	d := o.DeviceBinding
	if d == nil {
		return nil, nil
	}
	if _, ok := store.(CookieStore); ok {
		return nil, configError("device-bound sessions need a server-side store (memstore, redisstore, pgstore):" +
			" a cookie store cannot make a challenge single-use (the client can send an older cookie back)," +
			" cannot end a bound session, and would spend a fifth of the cookie on the key")
	}
	c := &deviceConfig{
		registration: d.RegistrationPath,
		refresh:      d.RefreshPath,
		lifetime:     int64(d.Lifetime / time.Second),
		offer:        d.Offer,
		unbound:      d.Unbound,
	}
	if c.registration == "" {
		c.registration = DefaultRegistrationPath
	}
	if c.refresh == "" {
		c.refresh = DefaultRefreshPath
	}
	if d.Lifetime == 0 {
		c.lifetime = int64(DefaultBoundLifetime / time.Second)
	}
	name := d.CookieName
	if name == "" {
		name = o.CookieName + "-bound"
	}
	bound := *o
	bound.CookieName = name
	c.cookie = newCookieSpec(&bound)
	c.attributes = strings.TrimPrefix(c.cookie.scope+c.cookie.flags, "; ")
	// A challenge lasts until the bound cookie issued with it expires, and
	// a minute more: the browser keeps the one a refresh gives it for the
	// next refresh.
	c.challengeTTL = (c.lifetime + 60) * 1000
	switch {
	case o.Partitioned:
		return nil, configError("device-bound sessions cannot use a Partitioned cookie (the DBSC draft refuses them)")
	case !validPath(c.registration, o.Path):
		return nil, configError("DeviceBinding.RegistrationPath %q must start with / and lie within the cookie's Path %q", c.registration, o.Path)
	case !validPath(c.refresh, o.Path):
		return nil, configError("DeviceBinding.RefreshPath %q must start with / and lie within the cookie's Path %q", c.refresh, o.Path)
	case c.registration == c.refresh:
		return nil, configError("DeviceBinding.RegistrationPath and RefreshPath are both %q", c.refresh)
	case !validCookieName(name) || name == o.CookieName:
		return nil, configError("DeviceBinding.CookieName %q must be a valid cookie name other than the session cookie's", name)
	case strings.HasPrefix(name, "__Host-") && (o.Insecure || o.Path != "/" || o.Domain != ""):
		return nil, configError("a __Host- bound cookie must be Secure, with Path=/ and no Domain")
	case strings.HasPrefix(name, "__Secure-") && o.Insecure:
		return nil, configError("a __Secure- bound cookie must be Secure")
	case d.Lifetime != 0 && d.Lifetime < MinBoundLifetime:
		return nil, configError("DeviceBinding.Lifetime %v is shorter than MinBoundLifetime (%v)", d.Lifetime, MinBoundLifetime)
	case c.lifetime*int64(time.Second) >= int64(o.AbsoluteTimeout):
		return nil, configError("DeviceBinding.Lifetime must be shorter than AbsoluteTimeout (%v)", o.AbsoluteTimeout)
	case d.Unbound > UnboundAllow:
		return nil, configError("unknown DeviceBinding.Unbound value %d", d.Unbound)
	}
	return c, nil
}

// validPath reports whether path can be an endpoint's path, reached by a
// cookie of Path cookiePath (RFC 6265's path-match).
func validPath(path, cookiePath string) bool {
	if path == "" || path[0] != '/' || !validAttr(path) || strings.ContainsAny(path, "?#\"\\ ") {
		return false
	}
	return path == cookiePath || strings.HasPrefix(path, cookiePath) &&
		(strings.HasSuffix(cookiePath, "/") || path[len(cookiePath)] == '/')
}

// DeviceEndpoint reports whether path is the path of one of the endpoints
// of device-bound sessions that m serves: adapters then answer the request
// with [Manager.ServeDevice] instead of the application's handler. It is
// false for every path when binding is off, and costs a comparison or two.
func (m *Manager) DeviceEndpoint(path string) bool {
	return m.device != nil && (path == m.device.registration || path == m.device.refresh)
}

// DeviceBound reports whether this request proved that its session is
// bound to the device that registered it: the session is device-bound
// (see [DeviceBinding]) and the request carried a valid bound cookie,
// which only that device can renew. A page that needs more than a bearer
// cookie (a payment, a change of password) can require it. It is false
// for a session that is not bound, and for one of a browser without DBSC.
func (s *Session) DeviceBound() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dbsc.bound && s.binding.bound()
}
