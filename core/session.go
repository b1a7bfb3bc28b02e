package core

import (
	"encoding/json"
	"fmt"
	"strconv"
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
// With a server-side store, a commit writes what the request changed, not
// the whole session it loaded: another request of the same visitor that
// ran at the same time keeps the keys it set and the messages it flashed.
// See [Store].
//
// A Session is safe for concurrent use by the goroutines of its request.
// It remains readable after the request, but changes made then are not
// saved.
type Session struct {
	m    *Manager
	node sessionContext
	mu   sync.Mutex

	state uint8
	err   error        // why the session failed to load, for every later caller
	src   CookieSource // the request's cookies, until the request ends

	payload             // what the request sees: the record as loaded, with the request's changes
	ch      changes     // the request's changes since the session was loaded or last written
	decoded *decodeRoom // where the loaded payload's first entries go, made when one is decoded
	changes *room       // where ch's first entries go, made at the first change (record)
	base    []byte      // the record's payload as loaded or last written; nil when there is none
	pooled  *[]byte     // the Manager's buffer that base is in, if it is in one
	token   string      // the record's token; "" when there is none
	held    string      // the token the client's cookie holds; "" when it holds no valid one
	dead    bool        // the client sent one cookie the request could not use: clear it if nothing replaces it
	isNew   bool
	reissue bool // the store asked for a new token

	dbsc deviceState // device binding (device_request.go)
}

// A session's state. A session is loaded on first use. Once loaded it is
// written at commit if the request changed it, unless it is read-only:
// loading failed and the ErrorHandler carried on, a concurrent request
// ended its record, its request failed with a 5xx that the options skip or
// was abandoned, or its request has finished.
const (
	stateUnloaded = iota
	stateLive
	stateReadOnly
	stateFailed // err says why
)

// A session that a request uses keeps the first entries of the payload it
// loaded in a decodeRoom, made when it decodes one, and those of its
// change set in a room, made at its first change, with the context of its
// writes (lifecycle.go's commitContext): one allocation each, so that the
// usual request makes none of its own for any of them, and a read-only
// request only the first. Neither is part of the Session itself, which an
// adapter allocates for every request, untouched ones included (bench's
// BenchmarkUntouched).

// room is a session's room for the first entries of its change set.
type room struct {
	keys     [2]entry
	flashed  [2]flash
	popped   [1]mark
	spare    [1]string // payload.spare's
	detached detached
}

// record readies s's change set to record a change: its room is made at
// the first. Every method that appends to the change set calls it first.
func (s *Session) record() *room {
	if s.changes == nil {
		r := new(room)
		s.changes = r
		s.ch.keys, s.ch.flashed, s.ch.popped = r.keys[:0], r.flashed[:0], r.popped[:0]
		s.payload.spare = r.spare[:0]
	}
	return s.changes
}

// resetChanges empties the change set, which starts in its room again.
func (s *Session) resetChanges() {
	if r := s.changes; r != nil {
		s.ch = changes{keys: r.keys[:0], flashed: r.flashed[:0], popped: r.popped[:0]}
	} else {
		s.ch = changes{}
	}
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
	s.ch.any = true
	s.mu.Unlock()
}

// Invalidate ends the session: its data, flash messages and CSRF token are
// dropped, a server-side store ends its record and the response clears the
// cookie. The Session stays usable in the same request as a new, empty
// session, so a flash added after Invalidate ("You have been logged out.")
// is saved in a fresh session with a new ID.
func (s *Session) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh(s.m.now().Unix())
	s.resetChanges()
	s.ch.any, s.ch.fresh = true, true
}

// Renew keeps the session's data but gives it a new ID, and a new CSRF token
// if it had one: the response carries a new cookie and a server-side store
// ends the old record, so a copy of the old cookie is worthless. Call it
// whenever privileges change, at login and logout above all, to defeat
// session fixation. With a cookie store the old cookie cannot be revoked:
// it stays valid until it expires.
func (s *Session) Renew() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renew()
}

func (s *Session) renew() {
	s.ch.any, s.ch.renew = true, true
	if s.csrf != "" {
		s.csrf = newToken()
		s.ch.csrf = s.csrf
	}
}

// RememberMe chooses whether this visitor's cookie outlives the browser
// session: with on, the cookie gets Max-Age and Expires, lasting
// Options.MaxAge if it is set and otherwise until the session's absolute
// timeout; with off, it is a browser-session cookie, which the browser
// forgets when it closes, whatever Options.MaxAge says. Call it at login,
// from a "Remember me" box. The server enforces IdleTimeout and
// AbsoluteTimeout either way. scs calls this RememberMe too.
func (s *Session) RememberMe(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := uint8(rememberOff)
	if on {
		v = rememberOn
	}
	if s.remember != v {
		s.remember, s.ch.remember, s.ch.any = v, v, true
	}
}

// Set stores v, encoded as JSON, under key. It returns an error matching
// [ErrInvalidValue], and changes nothing, if v cannot be encoded (a channel,
// a function, a NaN...) or nests arrays and objects more than 1000 levels
// deep; it never fails for a string, an int, an int64 or a bool. Setting a key to the value it already holds does not mark the
// session changed.
func (s *Session) Set(key string, v any) error {
	val, err := marshal(v)
	if err == nil && (val[0] == '[' || val[0] == '{') && nesting(val) > maxDepth {
		// What Set accepts, the next request must read back.
		err = fmt.Errorf("nested more than %d levels deep", maxDepth)
	}
	if err != nil {
		return fmt.Errorf("%w: key %q: %w", ErrInvalidValue, key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set(key, val) {
		s.record()
		s.ch.setKey(key, val)
	}
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

// nesting returns how deeply the arrays and objects of val, valid JSON,
// nest.
func nesting(val []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(val); i++ {
		switch c := val[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
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
	if s.del(key) {
		s.record()
		s.ch.setKey(key, nil)
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
// keeps the session, its ID, its creation time and its CSRF token. With a
// server-side store, it removes what the session holds when the request
// commits, including what a concurrent request added meanwhile.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.data) == 0 && len(s.flashes) == 0 {
		return
	}
	if s.countsMessages() {
		// The messages this request flashed were never numbered; the
		// others are given up.
		for _, q := range s.flashes {
			s.setHead(q.name, s.head(q.name)+int64(len(q.msgs)-s.ch.pending(q.name)))
		}
	}
	s.payload.clear(false)
	s.ch.clear()
}

// countsMessages reports whether the session numbers its flash messages,
// which only a server-side store needs (see changes.go).
func (s *Session) countsMessages() bool { return !s.m.clientSide }
