package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Session is one visitor's data across requests: string keys with JSON
// values, flash queues and a CSRF token, with the metadata Pyramid's
// ISession has. Handlers get it from [FromContext] or their adapter; they
// never save it: the adapter commits it before the response starts.
//
// Values are encoded as JSON when they are set and decoded when they are
// read, so a value read back is a copy: change it and Set it again.
// Integers round-trip exactly, whatever their size.
//
// A Session is safe for concurrent use by the goroutines of its request.
// It remains readable after the request, but changes made then are not
// saved.
type Session struct {
	m    *Manager
	node sessionContext
	mu   sync.Mutex

	state uint8
	err   error        // the load error, for every later caller
	src   CookieSource // the request's cookies, until loaded

	payload
	token     string // token of the stored record, "" when there is none
	stale     string // token of a record to delete at the next commit
	held      string // the token the client's cookie holds, "" when none is valid
	hadCookie bool   // the client has a cookie of ours, valid or not
	isNew     bool
	dirty     bool // changed since the last commit
	reissue   bool // the store asked for a new token
	detached  bool // failed to load and carried on empty: never saved
	started   bool // the response has started
	skip      bool // save nothing more: a 5xx that must not commit, an abandoned request, or a record deleted by a concurrent request
}

const (
	stateUnloaded = iota
	stateLoaded
	stateFailed
)

// load reads the session from the request's cookie and the store, once.
func (s *Session) load(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.m == nil:
		s.mu.Unlock()
		return ErrNoSession
	case s.state == stateLoaded:
		s.mu.Unlock()
		return nil
	case s.state == stateFailed:
		err := s.err
		s.mu.Unlock()
		return err
	}
	err := s.loadLocked(ctx)
	if err != nil {
		// The store failed: the session is unknown, not empty. Until the
		// ErrorHandler says otherwise, the request fails.
		s.state, s.err = stateFailed, err
	}
	s.mu.Unlock()
	if err == nil {
		return nil
	}
	if err = s.m.fail(ctx, err); err != nil {
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		return err
	}
	s.mu.Lock()
	s.state, s.err, s.detached = stateLoaded, nil, true
	s.mu.Unlock()
	return nil
}

func (s *Session) loadLocked(ctx context.Context) error {
	m := s.m
	now := m.now().Unix()
	var lines []string
	if s.src != nil {
		lines = s.src.CookieLines()
	}
	s.src = nil
	tok, n := findCookie(lines, m.cookie.name)
	s.state = stateLoaded
	s.fresh(now)
	if n == 0 {
		return nil
	}
	s.hadCookie = true
	if n > 1 {
		m.debug(ctx, "session cookie rejected", "reason", "duplicate cookies", "count", n)
		return nil
	}
	if !validToken(tok) {
		m.debug(ctx, "session cookie rejected", "reason", "malformed")
		return nil
	}
	buf, reissue, err := m.store.Load(ctx, tok)
	switch {
	case errors.Is(err, ErrNotFound):
		m.debug(ctx, "session cookie rejected", "reason", "unknown, expired or tampered")
		return nil
	case err != nil:
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	p, err := decodePayload(buf)
	if err != nil {
		m.debug(ctx, "session cookie rejected", "reason", "undecodable payload")
		return nil
	}
	if !m.clientSide {
		// The token is kept as the record's key; the header it was cut
		// from may be a server's reusable buffer.
		tok = strings.Clone(tok)
	}
	if why := m.expired(&p, now); why != "" {
		m.debug(ctx, "session cookie rejected", "reason", why)
		if !m.clientSide {
			s.stale = tok
		}
		return nil
	}
	s.payload = p
	s.token, s.held = tok, tok
	s.isNew, s.reissue = false, reissue
	return nil
}

// fresh makes s a new, empty session.
func (s *Session) fresh(now int64) {
	s.payload = payload{created: now, issued: now}
	s.isNew = true
}

// Created returns when the session was created, to the second.
func (s *Session) Created() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Unix(s.created, 0)
}

// IsNew reports whether the session was created by this request: the
// client had no valid session, or the session was invalidated.
func (s *Session) IsNew() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isNew
}

// Changed marks the session as changed, so that it is saved at the end of
// the request even if nothing else changed. Set, Delete, Clear and the
// flash methods mark the session themselves.
func (s *Session) Changed() {
	s.mu.Lock()
	s.dirty = true
	s.mu.Unlock()
}

// Invalidate ends the session: its data, flash messages and CSRF token are
// dropped, a server-side store deletes its record and the response clears
// the cookie. The Session stays usable in the same request as a new, empty
// session, so a flash added after Invalidate ("You have been logged out.")
// is saved in a fresh session with a new ID.
func (s *Session) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" {
		s.stale, s.token = s.token, ""
	}
	s.fresh(s.m.now().Unix())
	s.dirty = true
}

// Renew keeps the session's data but gives it a new ID, and a new CSRF token
// if it had one: the response carries a new cookie and a server-side store
// deletes the old record, so a copy of the old cookie is worthless. Call it
// whenever privileges change, at login and logout above all, to defeat
// session fixation. With a cookie store the old cookie cannot be revoked:
// it stays valid until it expires.
func (s *Session) Renew() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" {
		s.stale, s.token = s.token, ""
	}
	if s.csrf != "" {
		s.csrf = newToken()
	}
	s.dirty = true
}

func (s *Session) find(key string) (int, bool) {
	return slices.BinarySearchFunc(s.data, key, func(e entry, k string) int { return strings.Compare(e.key, k) })
}

// Set stores v, encoded as JSON, under key. It returns an error matching
// [ErrInvalidValue], and changes nothing, if v cannot be encoded (a channel,
// a function, a NaN...); it never fails for a string, an int, an int64 or a
// bool. Setting a key to the value it already holds does not mark the
// session changed.
func (s *Session) Set(key string, v any) error {
	val, err := marshal(v)
	if err != nil {
		return fmt.Errorf("%w: key %q: %w", ErrInvalidValue, key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.find(key)
	switch {
	case !ok:
		s.data = slices.Insert(s.data, i, entry{key, val})
	case bytes.Equal(s.data[i].val, val):
		return nil
	default:
		s.data[i].val = val
	}
	s.dirty = true
	return nil
}

// marshal encodes v as JSON, without reflection for the common types.
func marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(nil, v), nil
	case int:
		return strconv.AppendInt(nil, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case bool:
		return strconv.AppendBool(nil, v), nil
	}
	return json.Marshal(v)
}

// Has reports whether the session holds key.
func (s *Session) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.find(key)
	return ok
}

// Delete removes key. Deleting a missing key does nothing.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.find(key); ok {
		s.data = slices.Delete(s.data, i, i+1)
		s.dirty = true
	}
}

// Keys returns the session's keys in sorted order.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, len(s.data))
	for i, e := range s.data {
		keys[i] = e.key
	}
	return keys
}

// Len returns the number of keys.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.data)
}

// Clear removes every key and every flash message. Unlike Invalidate it
// keeps the session, its ID, its creation time and its CSRF token.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.data) > 0 || len(s.flashes) > 0 {
		s.data, s.flashes = nil, nil
		s.dirty = true
	}
}
