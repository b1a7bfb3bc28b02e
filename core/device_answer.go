package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// This file is what the endpoints of device-bound sessions answer once a
// proof is verified (device_endpoint.go): the change written at once, the
// bound cookie, the session instructions, and the next challenge.

// stale reports whether a challenge made at t (Unix milliseconds) can no
// longer be used by a session whose binding is b.
func (m *Manager) stale(t int64, b *binding, now time.Time) bool {
	ms := now.UnixMilli()
	return t <= b.used || ms-t > m.device.challengeTTL || t-ms > ClockSkew.Milliseconds()
}

// commitDevice records change, a registration or a refresh, and writes the
// session at once, so that a change another request made first refuses
// it (the same challenge used twice, two registrations); s.mu is held.
func (m *Manager) commitDevice(ctx context.Context, s *Session, change *deviceChange, now time.Time) answer {
	s.ch.device, s.ch.any = change, true
	s.ch.applyDevice(&s.payload)
	cookie, err := m.write(ctx, s, false)
	b := &s.payload.binding
	switch {
	case errors.Is(err, errBinding):
		// The request's change cannot stand: nothing more is written.
		s.state = stateReadOnly
		s.resetChanges()
		b.used = max(b.used, change.current)
		a := m.refused(ctx, http.StatusForbidden, "another request changed the binding first", nil)
		if change.kind == deviceRefresh {
			a.add(headerChallenge, m.challengeHeader(b, now))
		}
		return a
	case err != nil:
		s.state = stateReadOnly
		return answer{err: err}
	case s.state != stateLive:
		// A concurrent request ended the session meanwhile.
		return answer{status: http.StatusOK, body: []byte(`{"continue":false}`)}
	}
	// Written: the adapter's commit has nothing to add, and reports no
	// second commit of the request to the Observer.
	s.state = stateReadOnly
	var a answer
	if cookie != "" {
		a.add("Set-Cookie", cookie)
	}
	exp := now.Unix() + m.device.lifetime
	a.add("Set-Cookie", m.device.cookie.header(boundValue(b.key, exp), m.device.lifetime, now))
	// The next refresh's challenge, which saves the browser a round trip.
	a.add(headerChallenge, m.challengeHeader(b, now))
	a.status, a.body = http.StatusOK, m.instructions(b.key)
	return a
}

// instructions returns the session instructions of the draft for a
// session whose binding key is key: its identifier, the refresh
// endpoint, the whole origin as its scope, and the bound cookie.
func (m *Manager) instructions(key []byte) []byte {
	d := m.device
	b := make([]byte, 0, 256)
	b = append(b, `{"session_identifier":`...)
	b = appendString(b, sessionIdentifier(key))
	b = append(b, `,"refresh_url":`...)
	b = appendString(b, d.refresh)
	b = append(b, `,"scope":{"include_site":false},"credentials":[{"type":"cookie","name":`...)
	b = appendString(b, d.cookie.name)
	b = append(b, `,"attributes":`...)
	b = appendString(b, d.attributes)
	return append(b, `}]}`...)
}

// registrationHeader returns the Secure-Session-Registration header that
// offers the browser to bind a session whose binding is b.
func (m *Manager) registrationHeader(b *binding, now time.Time) string {
	c := newChallenge(b.key, purposeRegister, challengeTime(b, now.UnixMilli()))
	return `(ES256 RS256);path="` + m.device.registration + `";challenge="` + c + `"`
}

// challengeHeader returns a Secure-Session-Challenge header with a new
// refresh challenge for a session whose binding is b.
func (m *Manager) challengeHeader(b *binding, now time.Time) string {
	c := newChallenge(b.key, purposeRefresh, challengeTime(b, now.UnixMilli()))
	return `"` + c + `";id="` + sessionIdentifier(b.key) + `"`
}

// unquote returns the string of a structured-field string as this package
// makes them (no escapes), or v as it is: Chromium sends bare values.
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ';'); i >= 0 { // parameters are ignored
		v = v[:i]
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}
