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
