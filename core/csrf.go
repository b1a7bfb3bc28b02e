package core

import "crypto/subtle"

// CSRFToken returns the session's CSRF token, creating one (and so marking
// the session changed) if it has none yet. Put it in a hidden form field and
// compare what comes back with CheckCSRFToken. Renew replaces it. Pyramid
// calls this get_csrf_token.
func (s *Session) CSRFToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.csrf == "" {
		s.csrf = newToken()
		s.ch.any, s.ch.csrf = true, s.csrf
	}
	return s.csrf
}

// NewCSRFToken replaces the session's CSRF token with a new one and returns
// it, like Pyramid's new_csrf_token.
func (s *Session) NewCSRFToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.csrf = newToken()
	s.ch.any, s.ch.csrf = true, s.csrf
	return s.csrf
}

// CheckCSRFToken reports whether token is the session's CSRF token, in
// constant time. It is false when the session has no token, so a missing
// or empty form field never passes.
func (s *Session) CheckCSRFToken(token string) bool {
	s.mu.Lock()
	want := s.csrf
	s.mu.Unlock()
	return want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}
