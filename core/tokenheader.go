package core

import (
	"fmt"
	"net/textproto"
	"strings"
)

// This file carries the session token in a request header and a response
// header instead of a cookie, for API clients that keep no cookies (a
// mobile app, a command-line tool, a single-page app on another origin):
// Options.TokenHeader. Everything else about a session stays as it is; only
// where its token travels changes. load reads the token with findToken,
// write returns what goes back to the client, and Commit sends it with
// sendToken.

// A HeaderSource is a [CookieSource] that also gives the lines of any
// request header. A Manager with [Options.TokenHeader] reads its token
// from them and never asks for the cookies. [RequestCookies] and
// [CookiesFrom] return one, and so does every adapter of this module; with
// a CookieSource that is not one, such a Manager's sessions fail to load,
// with an error matching [ErrConfig].
type HeaderSource interface {
	// HeaderValues returns the values of the request header name, given
	// in its canonical form (textproto.CanonicalMIMEHeaderKey), one per
	// header line, as http.Header.Values does.
	HeaderValues(name string) []string
}

// HeaderValues returns the values of the request header name (canonical).
func (r *request) HeaderValues(name string) []string { return r.Header[name] }

// HeaderValues returns the values of the header name (canonical).
func (h headerCookies) HeaderValues(name string) []string { return h[name] }

// bearerScheme is the auth-scheme of Authorization: Bearer <token>
// (RFC 6750), matched without regard to case, as RFC 9110 asks.
const bearerScheme = "Bearer"

// reservedHeaders are the headers a token cannot travel in: HTTP itself,
// the cookies, and what the Manager adds to a response.
var reservedHeaders = []string{
	"Cookie", "Set-Cookie", "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
	"Te", "Trailer", "Upgrade", "Content-Length", "Content-Type", "Vary", "Cache-Control",
}

// checkTokenHeader validates o's TokenHeader, before o.resolve fills in the
// cookie's defaults, and returns it in canonical form ("" for the cookie).
func checkTokenHeader(o *Options, store Store) (string, error) {
	if o.TokenHeader == "" {
		return "", nil
	}
	name := textproto.CanonicalMIMEHeaderKey(o.TokenHeader)
	cookie := []struct {
		field string
		set   bool
	}{
		{"CookieName", o.CookieName != ""},
		{"Path", o.Path != ""},
		{"Domain", o.Domain != ""},
		{"Insecure", o.Insecure},
		{"AllowScriptAccess", o.AllowScriptAccess},
		{"SameSite", o.SameSite != 0},
		{"Partitioned", o.Partitioned},
		{"MaxAge", o.MaxAge != 0},
	}
	if _, ok := store.(CookieStore); ok {
		return "", configError("Options.TokenHeader needs a server-side store, and this is a cookie store, which keeps the whole" +
			" session in the client's token and cannot end it before it expires: use memstore, redisstore or pgstore")
	}
	if o.DeviceBinding != nil {
		return "", configError("Options.DeviceBinding binds the session cookie to the browser's device, and a Manager with" +
			" TokenHeader sends no cookie: leave DeviceBinding nil, or bind the sessions of a second Manager, the browser's")
	}
	if !validCookieName(name) {
		return "", configError("Options.TokenHeader %q is not a valid header name", o.TokenHeader)
	}
	for _, r := range reservedHeaders {
		if name == r {
			return "", configError("Options.TokenHeader %q is a header HTTP or the Manager uses for something else:"+
				" use Authorization (for Authorization: Bearer <token>) or a header of your own, such as X-Session-Token", o.TokenHeader)
		}
	}
	for _, c := range cookie {
		if c.set {
			return "", configError("Options.%s is an attribute of the session cookie, and a Manager with TokenHeader"+
				" sends no cookie: leave it unset", c.field)
		}
	}
	return name, nil
}

// headerLines returns the lines of the token header in the request of
// src, which must be a HeaderSource.
func (m *Manager) headerLines(src CookieSource) ([]string, error) {
	if src == nil {
		return nil, nil
	}
	hs, ok := src.(HeaderSource)
	if !ok {
		return nil, fmt.Errorf("%w: Options.TokenHeader needs an adapter that reads request headers, and its"+
			" CookieSource (%T) is not a core.HeaderSource: add a HeaderValues method to it", ErrConfig, src)
	}
	return hs.HeaderValues(m.header), nil
}

// findToken returns the token the client sent in lines, the request's
// Cookie header lines or, with TokenHeader, the token header's, and how
// many it sent: a request with two is used by neither (see load).
func (m *Manager) findToken(lines []string) (string, int) {
	if m.header == "" {
		return findCookie(lines, m.cookie.name)
	}
	return headerToken(lines, m.header == "Authorization")
}

// headerToken returns the token in lines, the values of the token header,
// and how many lines are not empty. An empty line is no token (a client
// sends back the empty value that ended its session). With bearer, a
// single line of another scheme (Basic, say, for a proxy in front) is no
// token either, and "Bearer" with nothing after it is an empty, invalid
// one.
func headerToken(lines []string, bearer bool) (tok string, n int) {
	found := false
	for _, v := range lines {
		v = trimSpace(v)
		if v == "" {
			continue
		}
		n++
		if bearer {
			scheme, rest, _ := strings.Cut(v, " ")
			if !strings.EqualFold(scheme, bearerScheme) {
				continue
			}
			v = trimSpace(rest)
		}
		tok, found = v, true
	}
	if n == 1 && !found {
		return "", 0
	}
	return tok, n
}

// headerValue returns the token header's value that gives the client tok.
func (m *Manager) headerValue(tok string) string {
	if m.header == "Authorization" {
		return bearerScheme + " " + tok
	}
	return tok
}

// sendToken adds to h the header that gives the client v, what write
// returned: a Set-Cookie header value or, with TokenHeader, the token
// header's value, where the cookie's expiry, which write returns to end
// the client's session, stands for the empty value that does it. A
// response that carries a token is never to be stored by a cache.
func (m *Manager) sendToken(h Header, v string) {
	if m.header == "" {
		h.Add("Set-Cookie", v)
		return
	}
	if v == m.cookie.expire {
		v = ""
	}
	h.Add(m.header, v)
	h.Add("Cache-Control", "no-store")
}

// vary is what the Vary header of a response that used the session names:
// the header the token came in.
func (m *Manager) vary() string {
	if m.header == "" {
		return "Cookie"
	}
	return m.header
}

var (
	_ HeaderSource = (*request)(nil)
	_ HeaderSource = headerCookies(nil)
)
