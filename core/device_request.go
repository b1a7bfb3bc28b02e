package core

import (
	"context"
	"errors"
	"fmt"
)

// This file is what device binding does to an ordinary request: loading a
// bound session checks the request's bound cookie (lifecycle.go's load
// calls boundRequest), and the commit of a login offers binding (Commit
// calls offerDevice, then offerHeader). A session that is not bound costs one comparison
// more to load, and a Manager without binding one comparison per commit.

// deviceState is what device binding knows of one request.
type deviceState struct {
	endpoint bool // the request is one of the endpoints: its session loads whatever bound cookie it carries
	bound    bool // the request carried a valid bound cookie of its bound session
	login    bool // the request called Session.SetOwner: a login
	offering bool // the commit offers the browser to bind the session
}

// boundRequest decides whether a request of p, a bound session, whose
// token is tok and whose cookies are lines, may use it: yes with a valid
// bound cookie (the request is then device-bound), or in the moments
// after registration; otherwise as DeviceBinding.Unbound says. With
// UnboundEnd it ends the record, and an error is the store's. s.mu is
// held.
func (m *Manager) boundRequest(ctx context.Context, s *Session, p *payload, tok string, lines []string, now int64) (bool, error) {
	grace := int64(boundGrace / 1e9)
	v, n := findCookie(lines, m.device.cookie.name)
	if exp, ok := openBound(p.binding.key, v); n == 1 && ok && now <= exp+grace {
		s.dbsc.bound = true
		return true, nil
	}
	switch {
	case now-p.binding.since < grace:
		// Sent before the browser had the bound cookie its registration
		// brought.
		return true, nil
	case m.device.unbound == UnboundAllow:
		m.debug(ctx, "bound session used without a valid bound cookie", "reason", "DeviceBinding.Unbound is UnboundAllow")
		return true, nil
	case m.device.unbound == UnboundEnd:
		m.rejected(ctx, "unbound")
		m.debug(ctx, "bound session ended", "reason", "a request without a valid bound cookie")
		if err := m.store.Delete(m.storeContext(ctx), tok); err != nil && !errors.Is(err, ErrNotFound) {
			return false, fmt.Errorf("%w: %w", ErrStore, err)
		}
		return false, nil
	}
	m.rejected(ctx, "unbound")
	m.debug(ctx, "bound session not used", "reason", "no valid bound cookie")
	return false, nil
}

// offerDevice makes the commit of s offer the browser to bind the
// session, if the request is a login (it called SetOwner) of a session
// that has an owner and was never offered, and DeviceBinding.Offer
// agrees: s gets a binding key, a change that its write saves. Only the
// login's response carries the offer: a later request may come from a
// copy of the cookie, whose holder must not bind the session to a key of
// its own. s.mu is held.
func (m *Manager) offerDevice(ctx context.Context, s *Session) {
	if !s.dbsc.login || s.owner == "" || len(s.binding.key) > 0 || m.device.offer != nil && !m.device.offer(ctx, s.owner) {
		return
	}
	s.binding.key = []byte(newBindingKey())
	s.ch.device, s.ch.any = &deviceChange{kind: deviceOffer, key: s.binding.key}, true
	s.dbsc.offering = true
}

// offerHeader returns the Secure-Session-Registration header of a commit
// that offered binding and wrote the session, or "". s.mu is held.
func (m *Manager) offerHeader(s *Session) string {
	if !s.dbsc.offering {
		return ""
	}
	s.dbsc.offering = false
	if s.state != stateLive || len(s.binding.key) == 0 || s.binding.bound() {
		return "" // not written, or another request bound it meanwhile
	}
	return m.registrationHeader(&s.binding, m.now())
}
