package core

// A Device is where a user uses a session, as the application describes it
// when it marks the session as the user's (see [Session.SetOwner]), for a
// page that lists the user's sessions. Keep it coarse and short: it is
// stored in the session.
type Device struct {
	// UserAgent is the browser, such as the request's User-Agent header
	// or a name derived from it ("Firefox on Linux").
	UserAgent string

	// Address is a coarse network address or place, such as the client's
	// IP address with its last byte zeroed, or a city.
	Address string
}

// SetOwner marks the session as the session of owner (a user ID the
// application chooses), on device, so that the user can see and end it
// ([Manager.Sessions], [Manager.EndSession]) with a server-side store that
// keeps an [Index]. Call it at login. A session that changes owner also
// gets a new ID and CSRF token, as with [Session.Renew], since privileges
// change with it; the same owner on another device only updates the
// device. An empty owner makes the session anonymous again. A cookie store
// keeps the owner in the cookie, but cannot list or end its sessions.
func (s *Session) SetOwner(owner string, device Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if owner == s.owner && device == s.device {
		return
	}
	if owner != s.owner {
		s.renew()
	}
	s.owner, s.device = owner, device
	s.ch.any, s.ch.owner = true, &ownerChange{owner, device}
}

// Owner returns the session's owner, or "" for an anonymous session.
func (s *Session) Owner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owner
}
