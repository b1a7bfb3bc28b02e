package main

import (
	"net/http"
	"net/url"
	"testing"
)

// TestForwardedHost checks, over real HTTP on every framework, that a form
// posted from another site is refused even when the request names that
// site in X-Forwarded-Host: the blog trusts no proxy, so it compares the
// Origin with the Host the client sent, as http.CrossOriginProtection
// does, and never with a header any client can set.
func TestForwardedHost(t *testing.T) {
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel()
			base := startBlog(t, framework, "cookie", "")
			c := newClient(t, base)
			token := c.csrfToken("/login") // a valid token: only the origin is wrong
			form := url.Values{"csrf_token": {token}}

			// The client sends Host: the blog's own host and port.
			evil := http.Header{"Origin": {"http://evil.example"}, "X-Forwarded-Host": {"evil.example"}}
			wantPage(t, c.postWith("/logout", form, evil), http.StatusForbidden, "Forms posted from other sites are refused.")

			// X-Forwarded-Host does not make the blog's own forms look
			// foreign either.
			own := http.Header{"Origin": {base}, "X-Forwarded-Host": {"evil.example"}}
			wantRedirect(t, c.postWith("/logout", form, own), "/")
		})
	}
}

func TestCrossOrigin(t *testing.T) {
	const host = "127.0.0.1:8080"
	tests := []struct {
		name, method, secFetchSite, origin string
		want                               bool
	}{
		{"GET from anywhere", "GET", "cross-site", "http://evil.example", false},
		{"same-origin POST", "POST", "same-origin", "http://" + host, false},
		{"typed-in POST", "POST", "none", "", false},
		{"cross-site POST", "POST", "cross-site", "", true},
		{"same-site POST", "POST", "same-site", "", true},
		{"non-browser POST", "POST", "", "", false},
		{"old browser, same origin", "POST", "", "http://" + host, false},
		{"old browser, other origin", "POST", "", "http://evil.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crossOrigin(tt.method, host, tt.secFetchSite, tt.origin); got != tt.want {
				t.Errorf("crossOrigin(%q, %q, %q, %q) = %v; want %v", tt.method, host, tt.secFetchSite, tt.origin, got, tt.want)
			}
		})
	}
}
