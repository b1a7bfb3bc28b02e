package core

import "context"

// contextKey is the type of sessionKey; a pointer to it cannot collide with
// any other package's key.
type contextKey struct{ name string }

var sessionKey = &contextKey{"session"}

// sessionContext carries a session. Each Session embeds one, so attaching a
// session to a request costs no extra allocation.
type sessionContext struct {
	context.Context
	s *Session
}

// Value answers for the session under two keys: sessionKey, for
// FromContext, and the session's Manager, for Manager.FromContext, so that
// several Managers' sessions can travel in one request.
func (c *sessionContext) Value(key any) any {
	if key == sessionKey || (c.s.m != nil && key == c.s.m) {
		return c.s
	}
	return c.Context.Value(key)
}

// NewContext returns a copy of ctx that carries s, for code that is handed
// a session outside the middleware, such as a background job or a test.
// Adapters use [Manager.Begin] instead.
func NewContext(ctx context.Context, s *Session) context.Context {
	return &sessionContext{Context: ctx, s: s}
}

// FromContext returns the session of the request that ctx belongs to,
// loading it on first use. It returns [ErrNoSession] if ctx carries no
// session, and an error matching [ErrStore] if the store failed: the
// caller must then fail the request (the adapters' 5xx) rather than act as
// if the visitor had no session. With several session middlewares on one
// route, it returns the session of the last one installed; use
// [Manager.FromContext] for the others.
func FromContext(ctx context.Context) (*Session, error) {
	s, _ := ctx.Value(sessionKey).(*Session)
	return loaded(ctx, s)
}

// FromContext returns the session of m that ctx carries, loading it on
// first use, as the package-level [FromContext] does: it is how a request
// that passed through two session middlewares, with two Managers (a
// long-lived preferences session in a cookie, say, and a login session in
// Redis), reaches each of its sessions.
func (m *Manager) FromContext(ctx context.Context) (*Session, error) {
	s, _ := ctx.Value(m).(*Session)
	return loaded(ctx, s)
}

func loaded(ctx context.Context, s *Session) (*Session, error) {
	if s == nil {
		return nil, ErrNoSession
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}
