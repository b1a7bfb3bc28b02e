package main

import "testing"

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

func TestNextPage(t *testing.T) {
	tests := []struct {
		next, want string
	}{
		{"/dashboard", "/dashboard"},
		{"/articles/new", "/articles/new"},
		{"/dashboard?tab=mine&x=%2F", "/dashboard?tab=mine&x=%2F"},
		{"/", "/"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // a path on this site
		{"", ""},
		{"//evil.example", ""},
		{"///evil.example", ""},
		{`/\evil.example`, ""},
		{`/a\b`, ""},
		{"https://evil.example", ""},
		{"javascript:alert(1)", ""},
		{"%2F%2Fevil.example", ""},
		{"evil.example/dashboard", ""},
		{"/\t/evil.example", ""},
		{"/ /evil.example", ""},
		{"/\r\nSet-Cookie: x=y", ""},
		{"/\x00", ""},
		{"/\x7f", ""},
		{"/café", ""},
	}
	for _, tt := range tests {
		if got := nextPage(tt.next); got != tt.want {
			t.Errorf("nextPage(%q) = %q; want %q", tt.next, got, tt.want)
		}
	}
}
