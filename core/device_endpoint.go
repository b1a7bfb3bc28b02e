package core

import (
	"context"
	"net/http"
)

// This file is the server's side of the DBSC protocol: the registration
// endpoint, where the browser sends the public key it made for the
// session, with a proof signed by it, and the refresh endpoint, where it
// signs a challenge to get a new bound cookie. Both answer with the
// session instructions of the draft (the refresh endpoint's path, the
// bound cookie's name and attributes) and the bound cookie itself.
//
// Status codes follow what the browser does with them: 200 with the
// instructions, or with {"continue":false} to end the browser's DBSC
// session (the session is not bound, or no longer); 403 with a new
// challenge, which the browser signs and sends again; any other 4xx ends
// the browser's DBSC session (a proof that fails verification); 5xx leaves
// it for a later try (the store failed).

// The headers of the protocol. Chromium 156 sends and reads these names
// only: the older Sec-Session-* names of its origin trial are gone.
const (
	headerRegistration = "Secure-Session-Registration"
	headerChallenge    = "Secure-Session-Challenge"
	headerResponse     = "Secure-Session-Response"
	headerSessionID    = "Sec-Secure-Session-Id"
)

// A DeviceRequest is what the endpoints of device-bound sessions read of a
// request, besides its cookies: adapters implement it for their
// framework's requests ([HTTPDeviceRequest] for net/http's).
type DeviceRequest interface {
	// RequestLine returns the request's method and the host the client
	// asked for (its Host header).
	RequestLine() (method, host string)

	// HeaderValue returns the first value of the request header called
	// name, or "".
	HeaderValue(name string) string
}

// HTTPDeviceRequest returns the DeviceRequest of r.
func HTTPDeviceRequest(r *http.Request) DeviceRequest { return (*request)(r) }

func (r *request) RequestLine() (string, string)  { return r.Method, r.Host }
func (r *request) HeaderValue(name string) string { return r.Header.Get(name) }

// ServeDevice answers a request to one of the endpoints of device-bound
// sessions, path, for which [Manager.DeviceEndpoint] is true. An adapter
// calls it in its middleware instead of the application's handler, with
// the session that [Manager.Begin] attached to the request, which
// ServeDevice loads whatever bound cookie the request carries. It adds
// the response's headers to h (the bound cookie, the next challenge,
// Cache-Control: no-store, and the session cookie if it changed) and
// returns the status and body, which the adapter writes through its
// commit, as a handler's response. It is safe for concurrent use. When
// the store fails, the error goes through Options.ErrorHandler, and
// ServeDevice returns what that returns, for the adapter to answer as it
// answers a session that failed to load; if the handler returns nil, it
// answers 503 itself.
func (m *Manager) ServeDevice(ctx context.Context, s *Session, path string, r DeviceRequest, h Header) (status int, body []byte, err error) {
	// Never cached, never embedded in another site's page (the draft's
	// advice: an endpoint that answers faster when the visitor is logged
	// in leaks it through timing).
	h.Add("Cache-Control", "no-store")
	h.Add("Cross-Origin-Resource-Policy", "same-origin")
	h.Add("X-Frame-Options", "DENY")
	method, host := r.RequestLine()
	if method != http.MethodPost {
		h.Add("Allow", http.MethodPost)
		return http.StatusMethodNotAllowed, nil, nil
	}
	if err := s.loadEndpoint(ctx); err != nil {
		return m.storeFailed(ctx, err)
	}
	s.mu.Lock()
	var a answer
	if path == m.device.refresh {
		a = m.refresh(ctx, s, r, host)
	} else {
		a = m.register(ctx, s, r, host)
	}
	s.mu.Unlock()
	if a.err != nil {
		return m.storeFailed(ctx, a.err)
	}
	for _, kv := range a.headers {
		h.Add(kv[0], kv[1])
	}
	if a.body != nil {
		h.Add("Content-Type", "application/json")
	}
	return a.status, a.body, nil
}

// answer is an endpoint's response.
type answer struct {
	status  int
	body    []byte
	headers [][2]string
	err     error // the store failed
}

func (a *answer) add(name, value string) { a.headers = append(a.headers, [2]string{name, value}) }

// storeFailed passes err through the ErrorHandler; the endpoint answers
// 503 if the handler swallows it.
func (m *Manager) storeFailed(ctx context.Context, err error) (int, []byte, error) {
	if err = m.fail(ctx, err); err != nil {
		return 0, nil, err
	}
	return http.StatusServiceUnavailable, nil, nil
}

// loadEndpoint loads s for an endpoint: whatever bound cookie the request
// carries, the session is the one its session cookie names. A store
// failure is returned (before the ErrorHandler), and leaves s failed.
func (s *Session) loadEndpoint(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateUnloaded {
		return s.err
	}
	s.dbsc.endpoint = true
	err := s.m.load(ctx, s)
	if err != nil {
		s.state, s.err = stateFailed, err
	}
	return err
}

// refused logs why an endpoint refused a request, at debug level, and
// returns its answer.
func (m *Manager) refused(ctx context.Context, status int, why string, err error) answer {
	if err != nil {
		m.debug(ctx, "DBSC request refused", "status", status, "reason", why, "err", err)
	} else {
		m.debug(ctx, "DBSC request refused", "status", status, "reason", why)
	}
	return answer{status: status}
}

// register serves the registration endpoint; s.mu is held.
func (m *Manager) register(ctx context.Context, s *Session, r DeviceRequest, host string) answer {
	b := &s.payload.binding
	switch {
	case s.state != stateLive:
		return m.refused(ctx, http.StatusForbidden, "no session to bind", nil)
	case len(b.key) == 0:
		return m.refused(ctx, http.StatusForbidden, "the session was not offered binding", nil)
	case b.bound():
		return m.refused(ctx, http.StatusForbidden, "the session is bound already", nil)
	}
	p, err := parseProof(r.HeaderValue(headerResponse))
	if err == nil && p.jwk == nil {
		err = proofError("a registration without a jwk")
	}
	if err == nil {
		err = p.verify(p.jwk.key)
	}
	if err == nil {
		err = p.checkAudience(host, m.device.registration)
	}
	if err != nil {
		return m.refused(ctx, http.StatusBadRequest, "invalid proof", err)
	}
	now := m.now()
	t, ok := openChallenge(b.key, purposeRegister, p.challenge)
	switch {
	case !ok:
		return m.refused(ctx, http.StatusForbidden, "not a registration challenge of this session", nil)
	case m.stale(t, b, now):
		// The browser took too long, or sent it twice: offer again.
		a := m.refused(ctx, http.StatusForbidden, "stale or used challenge", nil)
		a.add(headerRegistration, m.registrationHeader(b, now))
		return a
	}
	return m.commitDevice(ctx, s, &deviceChange{kind: deviceRegister, key: b.key, jwk: []byte(p.jwk.canonical), since: now.Unix(), used: t}, now)
}

// refresh serves the refresh endpoint; s.mu is held.
func (m *Manager) refresh(ctx context.Context, s *Session, r DeviceRequest, host string) answer {
	b := &s.payload.binding
	now := m.now()
	switch {
	case s.state != stateLive:
		// A concurrent request renewed the session (the browser has not
		// got the new cookie yet), or the request holds two session
		// cookies: a later refresh may succeed.
		return m.refused(ctx, http.StatusServiceUnavailable, "the session cannot be written now", nil)
	case !b.bound():
		m.debug(ctx, "DBSC session ended", "reason", "the session is not bound")
		return answer{status: http.StatusOK, body: []byte(`{"continue":false}`)}
	}
	switch id := unquote(r.HeaderValue(headerSessionID)); {
	case id == "":
		return m.refused(ctx, http.StatusBadRequest, "no "+headerSessionID, nil)
	case id != sessionIdentifier(b.key):
		// The browser holds a DBSC session of an earlier login of this
		// browser session.
		m.debug(ctx, "DBSC session ended", "reason", "another session's identifier")
		return answer{status: http.StatusOK, body: []byte(`{"continue":false}`)}
	}
	token := r.HeaderValue(headerResponse)
	if token == "" {
		a := answer{status: http.StatusForbidden}
		a.add(headerChallenge, m.challengeHeader(b, now))
		return a
	}
	p, err := parseProof(token)
	if err != nil {
		return m.refused(ctx, http.StatusBadRequest, "invalid proof", err)
	}
	key, err := parseJWK(b.jwk)
	if err == nil {
		err = p.verify(key.key)
	}
	if err == nil {
		err = p.checkAudience(host, m.device.refresh)
	}
	if err != nil {
		if m.device.unbound == UnboundEnd {
			m.debug(ctx, "DBSC session ended", "reason", "a refresh signed with another key")
			s.fresh(now.Unix())
			s.resetChanges()
			s.ch.any, s.ch.fresh = true, true
		}
		return m.refused(ctx, http.StatusUnauthorized, "a proof that does not verify with the session's key", err)
	}
	t, ok := openChallenge(b.key, purposeRefresh, p.challenge)
	if !ok || m.stale(t, b, now) {
		a := m.refused(ctx, http.StatusForbidden, "not a fresh challenge of this session", nil)
		a.add(headerChallenge, m.challengeHeader(b, now))
		return a
	}
	return m.commitDevice(ctx, s, &deviceChange{kind: deviceRefresh, jwk: b.jwk, used: t}, now)
}
