package core

import (
	"net/http"
	"strconv"
	"strings"
)

// cookieSpec is the Set-Cookie attributes, formatted once by NewManager so
// that a commit only concatenates.
type cookieSpec struct {
	name   string
	suffix string // "; Path=/; HttpOnly; Secure; SameSite=Lax", with Max-Age when set
	expire string // the whole header value that deletes the cookie
}

func newCookieSpec(o *Options) cookieSpec {
	var attrs strings.Builder
	attrs.WriteString("; Path=")
	attrs.WriteString(o.Path)
	if o.Domain != "" {
		attrs.WriteString("; Domain=")
		attrs.WriteString(o.Domain)
	}
	tail := cookieFlags(o)
	spec := cookieSpec{name: o.CookieName}
	if o.MaxAge > 0 {
		spec.suffix = attrs.String() + "; Max-Age=" + strconv.FormatInt(int64(o.MaxAge.Seconds()), 10) + tail
	} else {
		spec.suffix = attrs.String() + tail
	}
	spec.expire = o.CookieName + "=" + attrs.String() + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + tail
	return spec
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

// size is the length of the Set-Cookie header value for a token.
func (c *cookieSpec) size(token string) int {
	return len(c.name) + 1 + len(token) + len(c.suffix)
}

// header returns the Set-Cookie header value for token.
func (c *cookieSpec) header(token string) string {
	return c.name + "=" + token + c.suffix
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
		c := v[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

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
