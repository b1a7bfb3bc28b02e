package core

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cookieSpec is the Set-Cookie attributes, formatted once by NewManager so
// that a commit only concatenates.
type cookieSpec struct {
	name   string
	scope  string // "; Path=/", with the Domain when set
	flags  string // "; HttpOnly; Secure; SameSite=Lax"
	expire string // the whole header value that deletes the cookie
}

func newCookieSpec(o *Options) cookieSpec {
	scope := "; Path=" + o.Path
	if o.Domain != "" {
		scope += "; Domain=" + o.Domain
	}
	flags := cookieFlags(o)
	return cookieSpec{
		name:   o.CookieName,
		scope:  scope,
		flags:  flags,
		expire: o.CookieName + "=" + scope + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + flags,
	}
}

func cookieFlags(o *Options) string {
	var b strings.Builder
	if !o.AllowScriptAccess {
		b.WriteString("; HttpOnly")
	}
	if !o.Insecure {
		b.WriteString("; Secure")
	}
	switch o.SameSite {
	case http.SameSiteLaxMode:
		b.WriteString("; SameSite=Lax")
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	}
	if o.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

// lifetimeAttrs is the longest "; Max-Age=...; Expires=..." a persistent
// cookie carries: Max-Age in seconds, up to ten digits, and an
// http.TimeFormat date.
const lifetimeAttrs = len("; Max-Age=") + 10 + len("; Expires=") + len(http.TimeFormat)

// size is the length of the longest Set-Cookie header value for a token.
func (c *cookieSpec) size(token string) int {
	return len(c.name) + 1 + len(token) + len(c.scope) + lifetimeAttrs + len(c.flags)
}

// header returns the Set-Cookie header value for token: a cookie that the
// browser keeps for maxAge seconds from now, with both Max-Age and
// Expires (for clients that know only Expires), or until it closes when
// maxAge is 0.
func (c *cookieSpec) header(token string, maxAge int64, now time.Time) string {
	if maxAge <= 0 {
		return c.name + "=" + token + c.scope + c.flags
	}
	b := make([]byte, 0, c.size(token))
	b = append(b, c.name...)
	b = append(b, '=')
	b = append(b, token...)
	b = append(b, c.scope...)
	b = append(b, "; Max-Age="...)
	b = strconv.AppendInt(b, maxAge, 10)
	b = append(b, "; Expires="...)
	b = now.Add(time.Duration(maxAge)*time.Second).UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, c.flags...)
	return string(b)
}

// findCookie returns the value of the cookie called name in the Cookie header
// lines, and how many cookies of that name they hold. It does not allocate.
func findCookie(lines []string, name string) (value string, n int) {
	for _, line := range lines {
		for line != "" {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = trimSpace(part)
			eq := strings.IndexByte(part, '=')
			if eq < 0 || trimSpace(part[:eq]) != name {
				continue
			}
			n++
			value = trimSpace(part[eq+1:])
			if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
		}
	}
	return value, n
}

func trimSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// validToken reports whether v can be a token this package issued: not
// empty, not over MaxCookieSize, and only cookie-octets (RFC 6265).
func validToken(v string) bool {
	if v == "" || len(v) > MaxCookieSize {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !cookieOctets[v[i]] {
			return false
		}
	}
	return true
}

// cookieOctets marks the bytes a cookie value may hold: one look per byte
// of a token that every request with a session checks.
var cookieOctets = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = c != '"' && c != ',' && c != ';' && c != '\\'
	}
	return t
}()

// validCookieName reports whether name is an RFC 7230 token.
func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validAttr reports whether an attribute value (Path, Domain) can be sent
// as is.
func validAttr(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == ';' {
			return false
		}
	}
	return true
}

func validDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
