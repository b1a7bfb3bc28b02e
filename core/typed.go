package core

import (
	"encoding/json"
	"strconv"
)

// Get returns the value under key decoded as a T. It returns [ErrNoKey] if
// the session has no such key, and the decoding error if the stored JSON
// does not fit a T. Integers are decoded exactly:
//
//	id, err := core.Get[int64](s, "user_id")
func Get[T any](s *Session, key string) (T, error) {
	var v T
	err := s.Get(key, &v)
	return v, err
}

// String returns the string under key; ok is false if there is none or the
// value is not a JSON string.
func (s *Session) String(key string) (v string, ok bool) {
	return v, s.Get(key, &v) == nil
}

// Int returns the integer under key; ok is false if there is none or the
// value is not an integer that fits an int.
func (s *Session) Int(key string) (v int, ok bool) {
	return v, s.Get(key, &v) == nil
}

// Bool returns the boolean under key; ok is false if there is none or the
// value is not a JSON boolean.
func (s *Session) Bool(key string) (v bool, ok bool) {
	return v, s.Get(key, &v) == nil
}

// unmarshal is json.Unmarshal with fast paths for the common types; raw is
// always a valid JSON value.
func unmarshal(raw []byte, v any) error {
	switch p := v.(type) {
	case *string:
		if s, ok := simpleString(raw); ok {
			*p = s
			return nil
		}
	case *int:
		if n, err := strconv.ParseInt(string(raw), 10, 0); err == nil {
			*p = int(n)
			return nil
		}
	case *int64:
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			*p = n
			return nil
		}
	case *bool:
		switch string(raw) {
		case "true", "false":
			*p = raw[0] == 't'
			return nil
		}
	}
	return json.Unmarshal(raw, v)
}

// simpleString decodes a JSON string without escapes or non-ASCII bytes.
func simpleString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return "", false
		}
	}
	return string(body), true
}
