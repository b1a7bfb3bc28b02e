package core

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Device is where a user uses a session, as the application describes it
// when it marks the session as the user's (see [Session.SetOwner]), for a
// page that lists the user's sessions. Keep it coarse and short: it is
// stored in the session.
//
// Its fields usually come from the client (a User-Agent header), so
// SetOwner takes them as they are only when they are clean: it replaces
// invalid UTF-8 and control characters with U+FFFD, and cuts each field
// to [MaxDeviceLength] bytes, at a character boundary. It never refuses a
// device.
type Device struct {
	// UserAgent is the browser, such as the request's User-Agent header
	// or a name derived from it ("Firefox on Linux").
	UserAgent string

	// Address is a coarse network address or place, such as the client's
	// IP address with its last byte zeroed, or a city.
	Address string
}

// MaxOwnerLength is the longest owner, in bytes, that [Session.SetOwner]
// accepts. An owner is a user ID: an email address is at most 254 bytes,
// and an OpenID Connect issuer and subject together fit in well under
// 1024. Every store indexes the owner as it is (PostgreSQL in a btree,
// whose entries are limited to about 2.7 KB; Redis under a hash of it)
// and keeps it in every session of the user, so the bound keeps each of
// them far from its limits.
const MaxOwnerLength = 1024

// MaxDeviceLength is how many bytes of each field of a [Device]
// [Session.SetOwner] keeps.
const MaxDeviceLength = 256

// checkOwner returns why owner cannot be a session's owner, or nil.
func checkOwner(owner string) error {
	var why string
	switch {
	case len(owner) > MaxOwnerLength:
		why = fmt.Sprintf("is %d bytes long, over MaxOwnerLength (%d)", len(owner), MaxOwnerLength)
	case !utf8.ValidString(owner):
		why = "is not valid UTF-8"
	case strings.IndexFunc(owner, unicode.IsControl) >= 0:
		why = "holds a control character"
	default:
		return nil
	}
	// The owner itself stays out of the error, which may be logged.
	return fmt.Errorf("%w: the owner %s", ErrInvalidValue, why)
}

// cleanDevice returns d with invalid UTF-8 and control characters replaced
// by U+FFFD, and each field cut to MaxDeviceLength bytes. A clean device
// is returned as it is, without allocating.
func cleanDevice(d Device) Device {
	return Device{UserAgent: cleanField(d.UserAgent), Address: cleanField(d.Address)}
}

func cleanField(s string) string {
	if len(s) <= MaxDeviceLength && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s { // an invalid byte comes as U+FFFD
		if unicode.IsControl(r) {
			r = utf8.RuneError
		}
		if b.Len()+utf8.RuneLen(r) > MaxDeviceLength {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SetOwner marks the session as the session of owner (a user ID the
// application chooses), on device, so that the user can see and end it
// ([Manager.Sessions], [Manager.EndSession]) with a server-side store that
// keeps an [Index]. Call it at login. A session that changes owner also
// gets a new ID and CSRF token, as with [Session.Renew], since privileges
// change with it; the same owner on another device only updates the
// device. An empty owner makes the session anonymous again. A cookie store
// keeps the owner in the cookie, but cannot list or end its sessions.
//
// An owner is kept and compared byte for byte by every store, so SetOwner
// accepts only what each of them can: valid UTF-8 without control
// characters (NUL included), at most [MaxOwnerLength] bytes. For any other
// owner it returns an error matching [ErrInvalidValue] and changes
// nothing: the visitor is not logged in. The device's fields are cleaned
// rather than refused (see [Device]).
func (s *Session) SetOwner(owner string, device Device) error {
	if err := checkOwner(owner); err != nil {
		return err
	}
	device = cleanDevice(device)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dbsc.login = true // device binding is offered at login (device_request.go)
	if owner == s.owner && device == s.device {
		return nil
	}
	if owner != s.owner {
		s.renew()
	}
	s.owner, s.device = owner, device
	s.ch.any, s.ch.owner = true, &ownerChange{owner, device}
	return nil
}

// Owner returns the session's owner, or "" for an anonymous session.
func (s *Session) Owner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owner
}
