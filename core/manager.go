package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// A Manager creates, loads and commits sessions: it is what Pyramid calls a
// session factory. Make one with [NewManager] at start-up and share it; it
// is safe for concurrent use. Adapters call [Manager.Begin] when a request
// arrives and [Manager.Commit] before the first byte of the response;
// handlers reach the session through [FromContext] or their adapter.
type Manager struct {
	store      Store
	renewer    Renewer
	clientSide bool // the store keeps the data in the cookie
	cookie     cookieSpec
	maxAge     bool  // the cookie has a Max-Age, refreshed on every re-issue
	idle       int64 // seconds; 0 when disabled
	absolute   int64 // seconds
	reissue    int64 // seconds; -1 never
	skip5xx    bool
	onError    func(context.Context, error) error
	log        *slog.Logger
	now        func() time.Time
	buffers    sync.Pool // *[]byte for encoding payloads
}

// NewManager returns a Manager that keeps sessions in store, configured by
// opts (nil means the defaults described on [Options]). It returns an error
// matching [ErrConfig] for a configuration that is unsafe or that browsers
// would reject, such as SameSite=None without Secure or an invalid cookie
// name; stores check their own settings, such as key lengths, in their
// constructors.
func NewManager(store Store, opts *Options) (*Manager, error) {
	if store == nil {
		return nil, configError("store is nil")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := o.resolve(); err != nil {
		return nil, err
	}
	m := &Manager{
		store:    store,
		cookie:   newCookieSpec(&o),
		maxAge:   o.MaxAge > 0,
		idle:     seconds(o.IdleTimeout),
		absolute: seconds(o.AbsoluteTimeout),
		reissue:  seconds(o.ReissueTime),
		skip5xx:  o.SkipOnServerError,
		onError:  o.ErrorHandler,
		log:      o.Logger,
		now:      o.Clock,
	}
	if cs, ok := store.(CookieStore); ok {
		m.store, m.clientSide = cs.WithCookieName(o.CookieName), true
	}
	m.renewer, _ = m.store.(Renewer)
	if size := m.cookie.size(NewID()); size > MaxCookieSize {
		return nil, configError("a session cookie with these attributes is %d bytes, over %d", size, MaxCookieSize)
	}
	return m, nil
}

// resolve fills in defaults and validates o.
func (o *Options) resolve() error {
	if o.CookieName == "" {
		o.CookieName = DefaultCookieName
	}
	if o.Path == "" {
		o.Path = "/"
	}
	if o.SameSite == 0 {
		o.SameSite = http.SameSiteLaxMode
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.AbsoluteTimeout == 0 {
		o.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if o.ReissueTime == 0 {
		switch {
		case o.IdleTimeout > 0:
			o.ReissueTime = o.IdleTimeout / 10
		case o.MaxAge > 0:
			o.ReissueTime = o.MaxAge / 10
		default:
			o.ReissueTime = -1
		}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	secure := !o.Insecure
	switch {
	case !validCookieName(o.CookieName):
		return configError("cookie name %q is not a valid token", o.CookieName)
	case !validAttr(o.Path) || o.Path[0] != '/':
		return configError("cookie path %q must start with / and hold no ';' or control characters", o.Path)
	case o.Domain != "" && !validDomain(o.Domain):
		return configError("cookie domain %q is not a domain name", o.Domain)
	case strings.HasPrefix(o.CookieName, "__Host-") && (!secure || o.Path != "/" || o.Domain != ""):
		return configError("a __Host- cookie must be Secure, with Path=/ and no Domain")
	case strings.HasPrefix(o.CookieName, "__Secure-") && !secure:
		return configError("a __Secure- cookie must be Secure")
	case o.SameSite == http.SameSiteNoneMode && !secure:
		return configError("SameSite=None requires Secure (do not set Insecure)")
	case o.SameSite < http.SameSiteDefaultMode || o.SameSite > http.SameSiteNoneMode:
		return configError("unknown SameSite value %d", o.SameSite)
	case o.Partitioned && !secure:
		return configError("a Partitioned cookie must be Secure")
	case o.MaxAge < 0:
		return configError("MaxAge is negative; use Session.Invalidate to end a session")
	case o.AbsoluteTimeout < time.Second:
		return configError("AbsoluteTimeout must be at least a second")
	case o.IdleTimeout > 0 && o.IdleTimeout < time.Second:
		return configError("IdleTimeout must be at least a second")
	case o.IdleTimeout > 0 && o.ReissueTime >= o.IdleTimeout:
		return configError("ReissueTime (%v) must be shorter than IdleTimeout (%v), or active sessions would time out", o.ReissueTime, o.IdleTimeout)
	}
	return nil
}

func seconds(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d / time.Second)
}

// Header is where a commit adds response headers. http.Header satisfies it,
// and so does fasthttp's *ResponseHeader.
type Header interface {
	Add(key, value string)
}

// CookieSource gives the Manager a request's Cookie header lines. The
// Manager asks once, when the session is first used, and never after the
// request's handler has returned, so a source may read a server's reusable
// request buffers. [CookiesFrom] adapts an http.Header.
type CookieSource interface {
	CookieLines() []string
}

// CookiesFrom returns the CookieSource of a request's http.Header.
func CookiesFrom(h http.Header) CookieSource { return headerCookies(h) }

type headerCookies http.Header

func (h headerCookies) CookieLines() []string { return h["Cookie"] }

// Begin prepares s, a zero Session, as the session of one request whose
// cookies come from src, and returns a context derived from parent that
// carries it (see [FromContext]). Nothing is read, loaded or decoded until
// the session is first used, so a request that never uses it costs no more
// than this call. Adapters may embed the Session in their own per-request
// state to save an allocation; s must not be copied afterwards. A nil src
// means no cookies: a new session, never saved unless an adapter commits
// it, as tests and background jobs use (see the example).
func (m *Manager) Begin(s *Session, parent context.Context, src CookieSource) context.Context {
	s.m = m
	s.src = src
	s.node = sessionContext{Context: parent, s: s}
	return &s.node
}

// Commit saves s if the request changed it, or re-issues it if that is due,
// and adds to h the headers the response must carry: Set-Cookie when the
// client's cookie changes, and Vary: Cookie when the session was used. An
// adapter calls it once, just before the response's status line and headers
// are written, with the response status, and then calls [Manager.Finish]
// when the handler returns. It does nothing for a session the request
// never used. Errors go through Options.ErrorHandler; a non-nil
// result is what the adapter must report, and then h is left unchanged.
func (m *Manager) Commit(ctx context.Context, s *Session, status int, h Header) error {
	s.mu.Lock()
	if s.state != stateLoaded {
		s.mu.Unlock()
		return nil
	}
	h.Add("Vary", "Cookie")
	s.started = true
	if s.detached || (status >= 500 && m.skip5xx) {
		s.skip = true
		s.mu.Unlock()
		return nil
	}
	cookie, err := m.persist(ctx, s, false)
	s.mu.Unlock()
	if err != nil {
		return m.fail(ctx, err)
	}
	if cookie != "" {
		h.Add("Set-Cookie", cookie)
	}
	return nil
}

// Finish ends the request's use of s; an adapter calls it once, when the
// handler returns, after Commit. It saves what changed after Commit, once
// the response has started and no header can be added: a change that a
// server-side store can save under the same ID is saved (and a session
// invalidated late is deleted); one that needs a new cookie returns an
// error matching [ErrLateChange], through Options.ErrorHandler, so that it
// is never lost silently. A session the request never used can no longer be
// loaded afterwards (FromContext returns [ErrEnded]), so code that outlives
// the request never reads request memory a server has reused.
func (m *Manager) Finish(ctx context.Context, s *Session) error {
	s.mu.Lock()
	if s.state == stateUnloaded {
		s.state, s.err, s.src = stateFailed, ErrEnded, nil
	}
	if s.state != stateLoaded || s.detached || s.skip {
		s.mu.Unlock()
		return nil
	}
	_, err := m.persist(ctx, s, true)
	s.mu.Unlock()
	if err != nil {
		return m.fail(ctx, err)
	}
	return nil
}

// Abandon ends the request's use of s without saving anything more, for an
// adapter whose handler failed so badly that no response is coming, such as
// a panic. As after Finish, a session the request never used can no longer
// be loaded.
func (m *Manager) Abandon(s *Session) {
	s.mu.Lock()
	if s.state == stateUnloaded {
		s.state, s.err, s.src = stateFailed, ErrEnded, nil
	}
	s.skip = true
	s.mu.Unlock()
}

// persist writes s to the store if needed and returns the Set-Cookie header
// value to send, if any. late means no cookie can be sent any more. s.mu is
// held.
func (m *Manager) persist(ctx context.Context, s *Session, late bool) (string, error) {
	if !m.clientSide {
		// A client that hangs up must not cost a change the store can
		// still save; the store's own deadline bounds the call.
		ctx = context.WithoutCancel(ctx)
	}
	now := m.now().Unix()
	if s.empty() {
		if s.token == "" && s.stale == "" && !s.hadCookie {
			return "", nil // a visitor with nothing to keep gets no cookie
		}
		if late && m.clientSide && s.hadCookie {
			return "", ErrLateChange
		}
		if err := m.drop(ctx, s); err != nil {
			return "", err
		}
		if late || !s.hadCookie {
			return "", nil
		}
		s.hadCookie, s.held = false, ""
		return m.cookie.expire, nil
	}
	due := s.dirty || s.stale != "" || s.token == ""
	if !late {
		due = due || s.reissue || (m.reissue >= 0 && now-s.issued >= m.reissue)
	}
	if !due {
		return "", nil
	}
	if late && (m.clientSide || s.token == "") {
		return "", ErrLateChange
	}
	issued := s.issued
	s.issued = now
	buf := m.buffer()
	*buf = s.appendJSON((*buf)[:0])
	tok, err := m.save(ctx, s, *buf, m.ttl(s.created, now))
	if cap(*buf) <= 64<<10 {
		m.buffers.Put(buf) // stores do not keep the payload they are given
	}
	if err == nil && !late && (tok != s.held || m.maxAge) {
		if size := m.cookie.size(tok); size > MaxCookieSize {
			err = &CookieTooLargeError{Size: size, Limit: MaxCookieSize}
		}
	}
	switch {
	case errors.Is(err, ErrNotFound) && s.token != "":
		// A concurrent request deleted the record (logout, renew): do not
		// bring it back. This request's changes go with it, and so do any
		// it makes later.
		m.debug(ctx, "session deleted by a concurrent request; changes discarded")
		s.token, s.dirty, s.skip = "", false, true
		if late || !s.hadCookie {
			return "", nil
		}
		s.hadCookie, s.held = false, ""
		return m.cookie.expire, nil
	case errors.Is(err, ErrCookieTooLarge):
		s.issued = issued
		return "", err
	case err != nil:
		s.issued = issued
		return "", fmt.Errorf("%w: %w", ErrStore, err)
	}
	s.token, s.stale = tok, ""
	s.dirty, s.reissue = false, false
	if late || (tok == s.held && !m.maxAge) {
		return "", nil
	}
	s.held, s.hadCookie = tok, true
	return m.cookie.header(tok), nil
}

func (m *Manager) buffer() *[]byte {
	if b, ok := m.buffers.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 512)
	return &b
}

// save writes buf for s, replacing the stale record if there is one.
func (m *Manager) save(ctx context.Context, s *Session, buf []byte, ttl time.Duration) (string, error) {
	if s.stale == "" || s.token != "" {
		return m.store.Save(ctx, s.token, buf, ttl)
	}
	if m.renewer != nil {
		return m.renewer.Renew(ctx, s.stale, buf, ttl)
	}
	tok, err := m.store.Save(ctx, "", buf, ttl)
	if err != nil {
		return "", err
	}
	return tok, m.store.Delete(ctx, s.stale)
}

// drop deletes the records of s.
func (m *Manager) drop(ctx context.Context, s *Session) error {
	for _, tok := range [2]string{s.stale, s.token} {
		if tok != "" && !m.clientSide {
			if err := m.store.Delete(ctx, tok); err != nil {
				return fmt.Errorf("%w: %w", ErrStore, err)
			}
		}
	}
	s.stale, s.token, s.dirty = "", "", false
	return nil
}

// ttl is how long a session created at created and issued now may live.
func (m *Manager) ttl(created, now int64) time.Duration {
	left := created + m.absolute - now
	if m.idle > 0 && m.idle < left {
		left = m.idle
	}
	return time.Duration(max(left, 1)) * time.Second
}

// expired returns why a payload loaded at now cannot be used, or "".
func (m *Manager) expired(p *payload, now int64) string {
	switch {
	case p.issued > now+int64(ClockSkew/time.Second):
		return "issued in the future"
	case p.created <= 0 || p.created > p.issued:
		return "bad creation time"
	case now-p.created >= m.absolute:
		return "absolute timeout"
	case m.idle > 0 && now-p.issued >= m.idle:
		return "idle timeout"
	}
	return ""
}

// fail passes err through the ErrorHandler.
func (m *Manager) fail(ctx context.Context, err error) error {
	if m.onError != nil {
		return m.onError(ctx, err)
	}
	if m.log != nil {
		m.log.ErrorContext(ctx, "session error", "err", err)
	}
	return err
}

func (m *Manager) debug(ctx context.Context, msg string, args ...any) {
	if m.log != nil && m.log.Enabled(ctx, slog.LevelDebug) {
		m.log.DebugContext(ctx, msg, args...)
	}
}
