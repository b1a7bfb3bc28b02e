package main

import (
	"strings"
	"testing"
	"time"
)

func TestBrowserName(t *testing.T) {
	tests := []struct {
		name, ua, want string
	}{
		{"Firefox on Linux", firefoxLinux, "Firefox on Linux"},
		{"Chrome on Android", chromeAndroid, "Chrome on Android"},
		{"Safari on iPhone", safariIPhone, "Safari on iPhone"},
		{"Safari on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"},
		{"Safari on iPad", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPad"},
		{"Chrome on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on Windows"},
		{"Chrome on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1", "Chrome on iPhone"},
		{"Firefox on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15", "Firefox on iPhone"},
		{"Edge on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.56", "Edge on Windows"},
		{"Opera on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", "Opera on macOS"},
		{"Samsung Internet", "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"},
		{"Chrome on ChromeOS", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on ChromeOS"},
		{"headless Chromium", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36", "Chrome on Linux"},
		{"browser, unknown system", "Mozilla/5.0 (Plan 9) Gecko/20100101 Firefox/128.0", "Firefox"},
		{"not a browser", "curl/8.5.0", "curl/8.5.0"},
		{"long header", strings.Repeat("x", 100), strings.Repeat("x", 39) + "…"},
		{"long header, multibyte", strings.Repeat("é", 100), strings.Repeat("é", 39) + "…"},
		{"invalid UTF-8", "bot\xff", "bot\uFFFD"},
		{"empty", "", "Unknown browser"},
		{"spaces", "   ", "Unknown browser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := browserName(tt.ua); got != tt.want {
				t.Errorf("browserName(%q) = %q; want %q", tt.ua, got, tt.want)
			}
		})
	}
}

func TestCoarseAddress(t *testing.T) {
	tests := []struct {
		remoteAddr, want string
	}{
		{"203.0.113.57:41234", "203.0.113.x"},
		{"127.0.0.1:8080", "this computer"},
		{"203.0.113.57", "203.0.113.x"},
		{"192.168.1.20:52000", "192.168.1.x"},
		{"[2001:db8:1234:5678::1]:443", "2001:db8:1234:…"},
		{"2001:db8:1234:5678::1", "2001:db8:1234:…"},
		{"[2001:db8::1]:443", "2001:db8:0:…"},
		{"[::ffff:198.51.100.7]:80", "198.51.100.x"}, // IPv4 on an IPv6 socket
		{"[fe80::1%eth0]:80", "local network"},
		{"169.254.3.4:80", "local network"},
		{"[::1]:8080", "this computer"},
		{"@", ""}, // a unix socket
		{"", ""},
		{"not an address:80", ""},
	}
	for _, tt := range tests {
		if got := coarseAddress(tt.remoteAddr); got != tt.want {
			t.Errorf("coarseAddress(%q) = %q; want %q", tt.remoteAddr, got, tt.want)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 4, 0, 0, time.UTC)
	tests := []struct {
		before time.Duration
		want   string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{119 * time.Second, "1 minute ago"},
		{2 * time.Minute, "2 minutes ago"},
		{59 * time.Minute, "59 minutes ago"},
		{time.Hour, "1 hour ago"},
		{5*time.Hour + 30*time.Minute, "5 hours ago"},
		{24 * time.Hour, "on 1 Dec 2026, 15:04"},
		{-time.Minute, "just now"}, // another server's clock, a little ahead
	}
	for _, tt := range tests {
		if got := ago(now.Add(-tt.before), now); got != tt.want {
			t.Errorf("ago(now - %v, now) = %q; want %q", tt.before, got, tt.want)
		}
	}
}
