package core

import (
	"context"
	"net"
	"net/http"
	"strings"
)

// This file warns about the classic lost session of local development:
// cookies are Secure by default, and a browser keeps a Secure cookie that
// came over plain HTTP only from localhost, so on a LAN address, a
// docker-compose service name or a *.test host every request looks like a
// new visitor, and nothing else says why.

// An Origin is a [CookieSource] that also says how the request arrived.
// The Manager asks it when it is about to send a Secure cookie, until it
// has logged its one warning (see [Options.Insecure]).
type Origin interface {
	// PlainHTTP reports whether the request reached the server over plain
	// HTTP, as the client sent it (a proxy's X-Forwarded-Proto: https
	// means it did not), and the host the client asked for.
	PlainHTTP() (host string, plain bool)
}

// RequestCookies returns the CookieSource of r: its Cookie header lines,
// and how it arrived (it is an [Origin]).
func RequestCookies(r *http.Request) CookieSource { return (*request)(r) }

type request http.Request

func (r *request) CookieLines() []string { return r.Header["Cookie"] }

func (r *request) PlainHTTP() (string, bool) {
	plain := r.TLS == nil && !strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	return r.Host, plain
}

// warnPlainHTTP logs, once per Manager, that a Secure cookie goes out in
// reply to a plain-HTTP request to a host that is not loopback.
func (m *Manager) warnPlainHTTP(ctx context.Context, src CookieSource) {
	if m.insecure || m.warned.Load() {
		return
	}
	o, ok := src.(Origin)
	if !ok {
		return
	}
	host, plain := o.PlainHTTP()
	if !plain || loopback(host) || !m.warned.CompareAndSwap(false, true) {
		return
	}
	m.logger().WarnContext(ctx, "session cookie is Secure, but this request came over plain HTTP to "+host+
		": browsers drop a Secure cookie that does not come over HTTPS (localhost aside), so every request will look like a new visitor;"+
		" serve over HTTPS, or set core.Options.Insecure for local development over plain HTTP", "host", host)
}

// loopback reports whether host, with or without a port, names this
// machine: localhost, *.localhost, or a loopback address.
func loopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
