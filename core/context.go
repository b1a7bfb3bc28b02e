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

func (c *sessionContext) Value(key any) any {
	if key == sessionKey {
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
// if the visitor had no session.
func FromContext(ctx context.Context) (*Session, error) {
	s, _ := ctx.Value(sessionKey).(*Session)
	if s == nil {
		return nil, ErrNoSession
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}
