package dbsctest

import "strings"

// This file reads the structured fields (RFC 9651) of the draft's headers,
// as far as the test browser needs: lists of items and of inner lists of
// tokens, with parameters whose values are strings or tokens.

// structuredList splits the lines of a list field into its members.
func structuredList(lines []string) []string {
	var out []string
	for _, line := range lines {
		depth, quoted, start := 0, false, 0
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case quoted && c == '\\':
				i++
			case c == '"':
				quoted = !quoted
			case quoted:
			case c == '(':
				depth++
			case c == ')':
				depth--
			case c == ',' && depth == 0:
				out = append(out, strings.TrimSpace(line[start:i]))
				start = i + 1
			}
		}
		if m := strings.TrimSpace(line[start:]); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// parseRegistration parses a member of Secure-Session-Registration: an
// inner list of algorithms and its parameters.
func parseRegistration(item string) (algs []string, params map[string]string, ok bool) {
	if !strings.HasPrefix(item, "(") {
		return nil, nil, false
	}
	end := strings.IndexByte(item, ')')
	if end < 0 {
		return nil, nil, false
	}
	algs = strings.Fields(item[1:end])
	params, ok = parseParams(item[end+1:])
	return algs, params, ok
}

// parseItem parses an item whose value is a string or a token, and its
// parameters.
func parseItem(item string) (value string, params map[string]string, ok bool) {
	value, rest, ok := bareItem(item)
	if !ok {
		return "", nil, false
	}
	params, ok = parseParams(rest)
	return value, params, ok
}

// parseParams parses ";key=value" parameters.
func parseParams(s string) (map[string]string, bool) {
	params := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] != ';' {
			return nil, false
		}
		s = strings.TrimSpace(s[1:])
		key := s
		if i := strings.IndexAny(s, "=;"); i >= 0 {
			key = s[:i]
		}
		s = s[len(key):]
		if !strings.HasPrefix(s, "=") {
			params[key] = "?1" // a boolean true
			continue
		}
		v, rest, ok := bareItem(s[1:])
		if !ok {
			return nil, false
		}
		params[key], s = v, rest
	}
	return params, true
}

// bareItem reads a string or a token at the start of s.
func bareItem(s string) (value, rest string, ok bool) {
	if s == "" {
		return "", "", false
	}
	if s[0] != '"' {
		end := strings.IndexAny(s, "; ,")
		if end < 0 {
			end = len(s)
		}
		return s[:end], s[end:], end > 0
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
