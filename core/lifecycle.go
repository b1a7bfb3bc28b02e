package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// This file is a request's session from beginning to end: Begin attaches
// it to the request, load reads it on first use, the handler changes it
// (session.go, flash.go, csrf.go, recording each change in a change set,
// changes.go), Commit writes it before the response starts, and Finish
// writes what changed after that and ends it.

// Header is where a commit adds response headers. http.Header satisfies it,
// and so does fasthttp's *ResponseHeader.
type Header interface {
	Add(key, value string)
}

// CookieSource gives the Manager a request's Cookie header lines. The
// Manager asks once, when the session is first used, and never after
// Finish or Abandon, so a source may read a server's reusable request
// buffers until then. [RequestCookies] adapts an *http.Request (and tells
// how it arrived: an [Origin]), [CookiesFrom] an http.Header.
type CookieSource interface {
	CookieLines() []string
}

// CookiesFrom returns the CookieSource of a request's http.Header.
func CookiesFrom(h http.Header) CookieSource { return headerCookies(h) }

type headerCookies http.Header

func (h headerCookies) CookieLines() []string { return h["Cookie"] }

// Begin prepares s, a zero Session, as the session of one request whose
// cookies come from src (with [Options.TokenHeader], the token header:
// src is then a [HeaderSource]), and returns a context derived from
// parent that carries it (see [FromContext]). Nothing is read, loaded or decoded until
// the session is first used, so a request that never uses it costs no more
// than this call. Adapters may embed the Session in their own per-request
// state to save an allocation; s must not be copied afterwards. A nil src
// means no cookies: a new session, never saved unless an adapter commits
// it, as tests and background jobs use (see the example).
func (m *Manager) Begin(s *Session, parent context.Context, src CookieSource) context.Context {
	if m.clientSide && !m.limitChecked.Load() {
		m.warnCookieLimit(parent, src)
	}
	s.m = m
	s.src = src
	s.node = sessionContext{Context: parent, s: s}
	return &s.node
}

// load loads the session on its first use, once.
func (s *Session) load(ctx context.Context) error {
	if s.m == nil {
		return ErrNoSession
	}
	s.mu.Lock()
	if s.state != stateUnloaded {
		err := s.err
		s.mu.Unlock()
		return err
	}
	err := s.m.load(ctx, s)
	if err != nil {
		// The store failed: the session is unknown, not empty. Until the
		// ErrorHandler says otherwise, the request fails.
		s.state, s.err = stateFailed, err
	}
	s.mu.Unlock()
	if err == nil {
		return nil
	}
	err = s.m.fail(ctx, err)
	s.mu.Lock()
	if err != nil {
		s.err = err
	} else {
		// Carry on with an empty session that is never written, so that
		// it cannot overwrite the real one.
		s.state, s.err = stateReadOnly, nil
	}
	s.mu.Unlock()
	return err
}

// load reads s from the request's cookie and the store; s.mu is held.
func (m *Manager) load(ctx context.Context, s *Session) error {
	now := m.now().Unix()
	var lines []string
	switch {
	case m.header != "":
		var err error
		if lines, err = m.headerLines(s.src); err != nil {
			return err
		}
	case s.src != nil:
		lines = s.src.CookieLines()
	}
	s.state = stateLive
	s.fresh(now)
	s.resetChanges()
	tok, n := m.findToken(lines)
	switch {
	case n == 0:
		return nil
	case n > 1:
		// One of them may be planted from a sibling domain (cookie
		// tossing): the server cannot tell which it issued, so it uses
		// neither and sets none, since a Set-Cookie would replace the
		// visitor's own and keep the planted one.
		m.rejected(ctx, "duplicated")
		m.debug(ctx, "session cookie rejected", "reason", "duplicate cookies", "count", n)
		if m.header != "" {
			// Nobody plants a header: the client is confused, and is
			// told to forget its token.
			s.dead = true
			return nil
		}
		s.state = stateReadOnly
		return nil
	}
	s.dead = true // until the store says otherwise
	if !validToken(tok) {
		if len(tok) > MaxCookieSize {
			m.rejected(ctx, "oversized")
		} else {
			m.rejected(ctx, "tampered")
		}
		m.debug(ctx, "session cookie rejected", "reason", "malformed")
		return nil
	}
	buf, reissue, err := m.store.Load(ctx, tok)
	switch {
	case errors.Is(err, ErrGone):
		// A concurrent request renewed or ended this session, and its
		// response carries the visitor's new cookie: this request must
		// neither save nor touch the cookie.
		m.rejected(ctx, "ended")
		m.debug(ctx, "session cookie rejected", "reason", "ended by a concurrent request")
		s.state, s.dead = stateReadOnly, false
		return nil
	case errors.Is(err, ErrNotFound):
		if m.clientSide {
			m.rejected(ctx, "tampered") // it failed verification
		} else {
			m.rejected(ctx, "unknown")
		}
		m.debug(ctx, "session cookie rejected", "reason", "unknown, expired or tampered")
		return nil
	case err != nil:
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	if s.decoded == nil {
		s.decoded = new(decodeRoom)
	}
	p, err := decodeInto(buf, m.bound, s.decoded)
	switch {
	case errors.Is(err, errOtherCookie):
		// Another Manager over the same store issued it, under another
		// cookie name: it is not this cookie's session.
		m.rejected(ctx, "foreign")
		m.debug(ctx, "session cookie rejected", "reason", "issued under another cookie name")
		return nil
	case err != nil:
		m.rejected(ctx, "tampered")
		m.debug(ctx, "session cookie rejected", "reason", "undecodable payload")
		return nil
	}
	if why := m.expired(&p, now); why != "" {
		if why == idleTimeout || why == absoluteTimeout {
			m.rejected(ctx, "expired")
		} else {
			m.rejected(ctx, "tampered")
		}
		m.debug(ctx, "session cookie rejected", "reason", why)
		return nil
	}
	if m.device != nil && p.binding.bound() && !s.dbsc.endpoint {
		switch use, err := m.boundRequest(ctx, s, &p, tok, lines, now); {
		case err != nil:
			return err
		case !use:
			// A new session, but the client's cookie stays, unless the
			// bound session was ended.
			s.dead = m.device.unbound == UnboundEnd
			return nil
		}
	}
	if !m.clientSide {
		// The token is kept as the record's key; the header it was cut
		// from may be a server's reusable buffer.
		tok = s.decoded.keep(tok)
	}
	s.payload, s.base = p, buf
	s.token, s.held = tok, tok
	s.isNew, s.reissue, s.dead = false, reissue, false
	return nil
}

// Commit writes s if the request changed it, or re-issues it if that is
// due, and adds to h the headers the response must carry: Set-Cookie when
// the client's cookie changes, and Vary: Cookie when the session was used
// (with [Options.TokenHeader], that header, and Vary names it).
// An adapter calls it once, just before the response's status line and
// headers are written, with the response status, and then calls
// [Manager.Finish] when the handler returns. It does nothing for a session
// the request never used. Errors go through Options.ErrorHandler; a
// non-nil result is what the adapter must report, and then h is left
// unchanged.
func (m *Manager) Commit(ctx context.Context, s *Session, status int, h Header) error {
	s.mu.Lock()
	if s.state == stateUnloaded || s.state == stateFailed {
		s.mu.Unlock()
		return nil
	}
	h.Add("Vary", m.vary())
	if status >= 500 && m.skip5xx {
		s.state = stateReadOnly
	}
	var cookie, offer string
	var err error
	if s.state == stateLive {
		if m.device != nil {
			m.offerDevice(ctx, s)
		}
		if cookie, err = m.write(ctx, s, false); err != nil {
			s.state = stateReadOnly // the stored session stays as it was
		}
		if m.device != nil {
			offer = m.offerHeader(s)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return m.fail(ctx, err)
	}
	if cookie != "" {
		m.sendToken(h, cookie)
	}
	if offer != "" {
		h.Add(headerRegistration, offer)
	}
	return nil
}

// Finish ends the request's use of s; an adapter calls it once, when the
// handler returns, after Commit. It writes what changed after Commit, once
// the response has started and no header can be added: a change that a
// server-side store can save under the same ID is saved (and a session
// invalidated late is ended); one that needs a new cookie returns an
// error matching [ErrLateChange], through Options.ErrorHandler, so that it
// is never lost silently. The session stays readable, but is never written
// again. A session the request never used can no longer be loaded
// afterwards (FromContext returns [ErrEnded]), so code that outlives the
// request never reads request memory a server has reused.
func (m *Manager) Finish(ctx context.Context, s *Session) error {
	s.mu.Lock()
	var err error
	if s.state == stateLive {
		_, err = m.write(ctx, s, true)
	}
	m.end(s)
	s.mu.Unlock()
	if err != nil {
		return m.fail(ctx, err)
	}
	return nil
}

// Abandon ends the request's use of s without writing anything more, for
// an adapter whose handler failed so badly that its changes must not be
// kept, such as a panic. As after Finish, a session the request never used
// can no longer be loaded.
func (m *Manager) Abandon(s *Session) {
	s.mu.Lock()
	m.end(s)
	s.mu.Unlock()
}

// end makes s read-only for good and lets go of the request's cookies;
// s.mu is held.
func (m *Manager) end(s *Session) {
	switch s.state {
	case stateUnloaded:
		s.state, s.err = stateFailed, ErrEnded
	case stateLive:
		s.state = stateReadOnly
	}
	s.src = nil
	m.release(s)
}

// write writes what s changed to the store and returns the Set-Cookie
// header value to send, if any (with TokenHeader, the token header's, or
// the cookie's expiry for the empty value: see sendToken). late means no
// cookie can be sent any more. s.mu is held.
func (m *Manager) write(ctx context.Context, s *Session, late bool) (string, error) {
	clock := m.now()
	now := clock.Unix()
	switch {
	case s.token == "" && s.empty():
		// Nothing to keep: no record, no cookie, but a cookie the
		// request could not use is cleared.
		s.resetChanges()
		if !late {
			m.committed(ctx, commitNone, 0)
		}
		if late || !s.dead {
			return "", nil
		}
		s.dead = false
		return m.cookie.expire, nil
	case s.token != "" && (s.empty() && (s.ch.fresh || m.clientSide) || late && s.ch.fresh):
		// The session ended here: Invalidate, or a cookie session that
		// holds nothing any more. After the response started, the record
		// ends all the same, whatever the handler did after Invalidate;
		// what it did then needs a new cookie, and is reported.
		if late && m.clientSide {
			m.committed(ctx, commitFailed, 0)
			return "", ErrLateChange
		}
		switch err := m.store.Delete(m.commitContext(ctx, s), s.token); {
		case errors.Is(err, ErrNotFound):
			m.lost(ctx, s, 0)
			return "", nil
		case err != nil:
			m.committed(ctx, commitFailed, 0)
			return "", fmt.Errorf("%w: %w", ErrStore, err)
		}
		m.committed(ctx, commitWritten, 0)
		if s.ch.fresh {
			m.event(ctx, sessionEnded)
		}
		s.token = ""
		lost := !s.empty()
		s.resetChanges()
		m.release(s)
		switch {
		case late && lost:
			return "", ErrLateChange
		case late || s.held == "":
			return "", nil
		}
		s.held = ""
		return m.cookie.expire, nil
	}
	due := s.ch.any || s.token == ""
	if !late {
		due = due || s.reissue || (m.reissue >= 0 && now-s.issued >= m.reissue)
	}
	if !due {
		if !late {
			m.committed(ctx, commitNone, 0)
		}
		return "", nil
	}
	if late && (m.clientSide || s.token == "" || s.ch.renew || s.ch.fresh) {
		m.committed(ctx, commitFailed, 0)
		return "", ErrLateChange
	}
	issued := s.issued
	s.issued = now
	ctx = m.commitContext(ctx, s)
	locked := false // the next try holds the record (contention.go)
	for attempt := 1; ; attempt++ {
		buf := m.buffer()
		var tok string
		var err error
		if locked {
			tok, err = m.writeLocked(ctx, s, buf, now)
		} else {
			*buf = s.appendJSON((*buf)[:0], m.bound)
			r := Record{Payload: *buf, TTL: m.ttl(s.created, now), Owner: s.owner}
			switch {
			case s.token == "":
				tok, err = m.store.Create(ctx, r)
			case s.ch.fresh:
				tok, err = m.store.Renew(ctx, s.token, nil, r)
			case s.ch.renew:
				tok, err = m.store.Renew(ctx, s.token, s.base, r)
			default:
				tok, err = m.store.Update(ctx, s.token, s.base, r)
			}
		}
		// The cookie goes out when it changes, and every time for a
		// persistent cookie, whose expiry moves on.
		age := m.cookieAge(&s.payload, now)
		send := !late && (tok != s.held || age > 0 || s.ch.remember != 0)
		if err == nil && send {
			limit, raise := cookieLimit(s.src)
			if size := m.cookie.size(tok); size > limit {
				err = &CookieTooLargeError{Size: size, Limit: limit, Raise: raise}
			}
		}
		conflict := asConflict(err)
		switch {
		case err == nil:
			m.written(ctx, s, attempt)
			m.wrote(s, tok, buf)
			if !send {
				return "", nil
			}
			s.held, s.dead = tok, false
			if m.header != "" {
				return m.headerValue(tok), nil
			}
			m.warnPlainHTTP(ctx, s.src)
			return m.cookie.header(tok, age, clock), nil
		case conflict != nil && attempt < maxAttempts:
			m.putBuffer(buf)
			if err := m.merge(s, conflict.Current, now); err != nil {
				m.committed(ctx, commitFailed, attempt)
				return "", err
			}
			if !s.ch.any {
				m.committed(ctx, commitNone, attempt)
				return "", nil // a re-issue: the other request's write did it
			}
			if locked = m.locking != nil && attempt >= lockAfter; !locked {
				backoff(attempt)
			}
		case errors.Is(err, ErrNotFound) && s.token != "":
			m.putBuffer(buf)
			m.lost(ctx, s, attempt-1)
			return "", nil
		default:
			m.putBuffer(buf)
			s.issued = issued
			if conflict != nil {
				m.committed(ctx, commitFailed, attempt) // the last try met one too
			} else {
				m.committed(ctx, commitFailed, attempt-1)
			}
			if errors.Is(err, ErrCookieTooLarge) {
				return "", err
			}
			return "", fmt.Errorf("%w: %w", ErrStore, err)
		}
	}
}

// storeContext is the context of a write to a server-side store: a client
// that hangs up must not cost a change the store can still save, and the
// store's own deadline bounds the call. It is made only when a write is
// due, as detaching allocates.
func (m *Manager) storeContext(ctx context.Context) context.Context {
	if m.clientSide {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// commitContext is storeContext for a commit of s, which keeps the
// detached context in its change set's room; s.mu is held.
func (m *Manager) commitContext(ctx context.Context, s *Session) context.Context {
	if m.clientSide {
		return ctx
	}
	r := s.record()
	r.detached = detached{ctx}
	return &r.detached
}

// detached is a context that carries its parent's values, without its
// deadline and cancellation, as context.WithoutCancel makes it.
type detached struct{ context.Context }

func (*detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (*detached) Done() <-chan struct{}       { return nil }
func (*detached) Err() error                  { return nil }

// asConflict returns the *ConflictError that err is, or nil.
func asConflict(err error) *ConflictError {
	if err == nil {
		return nil
	}
	var c *ConflictError
	if errors.As(err, &c) {
		return c
	}
	return nil
}

// wrote records that s was written as the payload in buf under tok.
func (m *Manager) wrote(s *Session, tok string, buf *[]byte) {
	m.release(s)
	if m.clientSide {
		m.putBuffer(buf) // a cookie session is never compared
	} else {
		s.base, s.pooled = *buf, buf // what the next write must find
	}
	s.token, s.reissue = tok, false
	s.resetChanges()
}

// merge applies the request's changes to current, the record as a
// concurrent request left it, which becomes what the request sees and what
// its next write must find. A session the request invalidated is a new
// one: it keeps what the request put in it, whatever the record holds.
func (m *Manager) merge(s *Session, current []byte, now int64) error {
	if s.ch.fresh {
		return nil
	}
	p, err := decodePayload(current, m.bound)
	if err != nil {
		return fmt.Errorf("%w: a concurrent request left a session that cannot be decoded: %w", ErrStore, err)
	}
	if err := s.ch.checkDevice(&p); err != nil {
		return err
	}
	s.ch.apply(&p)
	p.issued = now
	m.release(s)
	s.payload, s.base = p, current
	return nil
}

// lost records that a concurrent request ended the record of s, after its
// commit met conflicts: what this request changed is discarded, it writes
// nothing more, and it sends no cookie, so the one the other request set
// stays.
func (m *Manager) lost(ctx context.Context, s *Session, conflicts int) {
	m.committed(ctx, commitEnded, conflicts)
	m.debug(ctx, "session ended by a concurrent request; this request's changes are discarded")
	s.state = stateReadOnly
	s.resetChanges()
	m.release(s)
}

// release gives s.base back to the Manager's buffers if it is one of them.
func (m *Manager) release(s *Session) {
	if s.pooled != nil {
		m.putBuffer(s.pooled)
		s.pooled = nil
	}
	s.base = nil
}

func (m *Manager) buffer() *[]byte {
	if b, ok := m.buffers.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 512)
	return &b
}

func (m *Manager) putBuffer(b *[]byte) {
	if cap(*b) <= 64<<10 {
		m.buffers.Put(b) // stores do not keep the payload they are given
	}
}

// cookieAge returns how long, in seconds from now, the browser is to keep
// the cookie of p: 0 for a browser-session cookie. A remembered session's
// cookie lasts Options.MaxAge if set, or until the absolute timeout; the
// server enforces the timeouts whatever the browser keeps.
func (m *Manager) cookieAge(p *payload, now int64) int64 {
	left := max(p.created+m.absolute-now, 1)
	switch {
	case p.remember == rememberOff || m.header != "":
		return 0
	case m.maxAge > 0:
		return min(m.maxAge, left)
	case p.remember == rememberOn:
		return left
	}
	return 0
}

// ttl is how long a session created at created and issued now may live.
func (m *Manager) ttl(created, now int64) time.Duration {
	left := created + m.absolute - now
	if m.idle > 0 && m.idle < left {
		left = m.idle
	}
	return time.Duration(max(left, 1)) * time.Second
}

// What expired returns for a session past its timeouts.
const (
	absoluteTimeout = "absolute timeout"
	idleTimeout     = "idle timeout"
)

// expired returns why a payload loaded at now cannot be used, or "".
func (m *Manager) expired(p *payload, now int64) string {
	switch {
	case p.issued > now+int64(ClockSkew/time.Second):
		return "issued in the future"
	case p.created <= 0 || p.created > p.issued:
		return "bad creation time"
	case now-p.created >= m.absolute:
		return absoluteTimeout
	case m.idle > 0 && now-p.issued >= m.idle:
		return idleTimeout
	}
	return ""
}

// fail passes err through the ErrorHandler.
func (m *Manager) fail(ctx context.Context, err error) error {
	if m.onError != nil {
		return m.onError(ctx, err)
	}
	m.logger().ErrorContext(ctx, "session error", "err", err)
	return err
}

func (m *Manager) debug(ctx context.Context, msg string, args ...any) {
	if l := m.logger(); l.Enabled(ctx, slog.LevelDebug) {
		l.DebugContext(ctx, msg, args...)
	}
}

// logger returns Options.Logger, or slog's default logger when none was
// given.
func (m *Manager) logger() *slog.Logger {
	if m.log != nil {
		return m.log
	}
	return slog.Default()
}
