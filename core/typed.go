package core

import (
	"encoding/json"
	"strconv"
	"unsafe"
)

// Get returns the value under key decoded as a T. It returns [ErrNoKey] if
// the session has no such key, and the decoding error if the stored JSON
// does not fit a T. Integers are decoded exactly:
//
//	id, err := core.Get[int64](s, "user_id")
func Get[T any](s *Session, key string) (T, error) {
	var v T
	raw, ok := s.raw(key)
	if !ok {
		return v, ErrNoKey
	}
	// Strings, integers and booleans are decoded here, without reflection
	// or an allocation; anything else goes through encoding/json.
	switch p := any(&v).(type) {
	case *string:
		if str, ok := decodeString(raw); ok {
			*p = str
			return v, nil
		}
	case *int:
		if n, ok := decodeInt(raw, 0); ok {
			*p = int(n)
			return v, nil
		}
	case *int64:
		if n, ok := decodeInt(raw, 64); ok {
			*p = n
			return v, nil
		}
	case *bool:
		if b, ok := decodeBool(raw); ok {
			*p = b
			return v, nil
		}
	}
	return decode[T](raw)
}

// decode is Get's general case, apart so that Get's v stays on the stack.
func decode[T any](raw []byte) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// String returns the string under key; ok is false if there is none or the
// value is not a JSON string.
func (s *Session) String(key string) (v string, ok bool) {
	v, err := Get[string](s, key)
	return v, err == nil
}

// Int returns the integer under key; ok is false if there is none or the
// value is not an integer that fits an int.
func (s *Session) Int(key string) (v int, ok bool) {
	v, err := Get[int](s, key)
	return v, err == nil
}

// Bool returns the boolean under key; ok is false if there is none or the
// value is not a JSON boolean.
func (s *Session) Bool(key string) (v bool, ok bool) {
	v, err := Get[bool](s, key)
	return v, err == nil
}

// raw returns the JSON stored under key. Stored values are never modified,
// only replaced, so the caller may read it without the lock.
func (s *Session) raw(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.find(key); ok {
		return s.data[i].val, true
	}
	return nil, false
}

// decodeString decodes a JSON string without escapes or non-ASCII bytes,
// sharing raw's memory: a session's values are replaced, never changed in
// place, and a loaded one is the store's payload, which nothing modifies
// (see Store). ok is false for any other value, which encoding/json then
// decodes.
func decodeString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return "", false
		}
	}
	return unsafe.String(unsafe.SliceData(body), len(body)), true
}

// decodeInt decodes a JSON integer of the given bit size; ok is false for
// any other value (a fraction, an exponent, out of range).
func decodeInt(raw []byte, bits int) (int64, bool) {
	n, err := strconv.ParseInt(string(raw), 10, bits)
	return n, err == nil
}

func decodeBool(raw []byte) (bool, bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
