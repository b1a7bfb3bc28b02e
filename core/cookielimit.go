package core

import (
	"context"
	"fmt"
)

// This file keeps a visitor from being locked out by a server that cannot
// read back the cookie it sent: fasthttp (and so Fiber) reads all of a
// request's headers into a buffer of 4096 bytes by default, and answers
// 431 Request Header Fields Too Large to every request whose headers do
// not fit, before any handler runs, while a cookie store's session may
// take 4096 bytes on its own.

// A CookieLimiter is a [CookieSource] whose server cannot read back, in a
// later request, a cookie as large as [MaxCookieSize]. Adapters for such
// servers implement it. The Manager then refuses to send a larger cookie,
// with a [*CookieTooLargeError] that names the setting to change, so that
// the client keeps the cookie it had; and, with a cookie store, it warns
// once, on the first request, that the limit is lower than the sessions
// the store can hold.
type CookieLimiter interface {
	// CookieLimit returns the size of the largest Set-Cookie header value,
	// counted as MaxCookieSize counts it, that the server can read back
	// with the other headers of an ordinary request, and what to change
	// to raise it, such as "set fiber.Config.ReadBufferSize to 8192".
	CookieLimit() (limit int, raise string)
}

// cookieLimit returns the size of the largest Set-Cookie header value the
// Manager may send in reply to the request of src, and, when that is the
// server's limit rather than the browsers', what raises it.
func cookieLimit(src CookieSource) (int, string) {
	if l, ok := src.(CookieLimiter); ok {
		if limit, raise := l.CookieLimit(); limit < MaxCookieSize {
			return limit, raise
		}
	}
	return MaxCookieSize, ""
}

// warnCookieLimit logs, once per Manager, that the server of src cannot
// read back the cookies a cookie store may send.
func (m *Manager) warnCookieLimit(ctx context.Context, src CookieSource) {
	l, ok := src.(CookieLimiter)
	if !ok || !m.limitChecked.CompareAndSwap(false, true) {
		return
	}
	limit, raise := l.CookieLimit()
	if limit >= MaxCookieSize {
		return
	}
	m.logger().WarnContext(ctx, fmt.Sprintf("session cookies may not fit this server's request buffer: a cookie store's session"+
		" can take %d bytes, but this server reads back cookies of %d bytes at most, and a visitor with a larger one would get"+
		" 431 Request Header Fields Too Large on every request; %s. Until then, a session whose cookie would not fit is not"+
		" saved, and its request fails with core.ErrCookieTooLarge", MaxCookieSize, limit, raise))
}
