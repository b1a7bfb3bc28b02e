package core

import (
	"context"
	"log/slog"
	"sync/atomic"
)

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
//
// A missing session is a programming error, the session middleware left
// off a route, and the adapters answer it with 500. The first time it
// happens in the process, FromContext logs it at error level through
// slog.Default() with the fix: with no session there is no Manager, and so
// no Options.Logger, to log it through. [Manager.FromContext], which has
// one, logs it through that Manager's Logger instead.
func FromContext(ctx context.Context) (*Session, error) {
	s, _ := ctx.Value(sessionKey).(*Session)
	if s == nil && noMiddlewareLogged.CompareAndSwap(false, true) {
		logNoMiddleware(ctx, slog.Default())
	}
	return loaded(ctx, s)
}

// FromContext returns the session of m that ctx carries, loading it on
// first use, as the package-level [FromContext] does: it is how a request
// that passed through two session middlewares, with two Managers (a
// long-lived preferences session in a cookie, say, and a login session in
// Redis), reaches each of its sessions. When ctx carries no session of m
// (m's middleware is not installed on the route), it returns
// [ErrNoSession] and logs the mistake with its fix, once per Manager,
// through m's Options.Logger (slog.Default() by default).
func (m *Manager) FromContext(ctx context.Context) (*Session, error) {
	s, _ := ctx.Value(m).(*Session)
	if s == nil && m.noMiddleware.CompareAndSwap(false, true) {
		logNoMiddleware(ctx, m.logger())
	}
	return loaded(ctx, s)
}

// noMiddlewareLogged records that the package-level FromContext has logged
// a missing middleware. It is the one piece of package-level mutable
// state in core, and it holds no configuration: the mistake it reports
// leaves no Manager to hang it on, and logging on every request instead
// would bury the line under copies of itself. It only ever goes from false
// to true, and changes nothing but whether that line is logged again.
var noMiddlewareLogged atomic.Bool

// logNoMiddleware tells the developer that a route lacks the session
// middleware, and how to fix it.
func logNoMiddleware(ctx context.Context, l *slog.Logger) {
	l.ErrorContext(ctx, "session middleware missing: a handler asked for the session of a request that did not go through"+
		" the session middleware, and got a 500; install the adapter's Middleware (sessionhttp, sessiongin, sessionecho"+
		" or sessionfiber) before the handlers that use the session, on every route that does (with several Managers,"+
		" the middleware of the Manager asked for); this is logged once", "err", ErrNoSession)
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
