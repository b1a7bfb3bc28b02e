package main

import "net/http"

// This file refuses forms posted from other sites, on every framework, as
// a second line of defence behind the CSRF token.

// crossOriginError answers a form posted from another site.
func (b *blog) crossOriginError(r request) {
	b.errorPage(r, http.StatusForbidden, "Forbidden", "Forms posted from other sites are refused.")
}

// crossOriginProtection wraps the handler of a net/http-based server (net/http,
// Gin, Echo) in http.CrossOriginProtection, which refuses with 403 a form
// posted from another site, whatever it carries: browsers say where a
// request comes from in Sec-Fetch-Site, or Origin for older ones. It backs
// up the CSRF token.
func (b *blog) crossOriginProtection(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b.crossOriginError(httpRequest{w, req})
	}))
	return p.Handler(h)
}

// originCheck is the check crossOrigin runs, made once: it is safe for
// concurrent use.
var originCheck = http.NewCrossOriginProtection()

// crossOrigin reports whether a request is one that
// http.CrossOriginProtection refuses, for Fiber, whose requests are not
// net/http's: it runs the same check.
func crossOrigin(method, host, secFetchSite, origin string) bool {
	req := &http.Request{
		Method: method,
		Host:   host,
		Header: http.Header{"Sec-Fetch-Site": {secFetchSite}, "Origin": {origin}},
	}
	return originCheck.Check(req) != nil
}
