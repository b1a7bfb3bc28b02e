package main

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// This file describes the device of a login for the sessions page, the way
// the user would: a browser and a system rather than a User-Agent header,
// and a network rather than an address.

// browsers are the browsers browserName knows, in the order it looks for
// them: Edge and Opera also say Chrome, Chrome also says Safari.
var browsers = []struct{ token, name string }{
	{"Edg/", "Edge"},
	{"EdgA/", "Edge"},
	{"EdgiOS/", "Edge"},
	{"OPR/", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Firefox/", "Firefox"},
	{"FxiOS/", "Firefox"},
	{"CriOS/", "Chrome"},
	{"Chrome/", "Chrome"}, // HeadlessChrome/ too
	{"Version/", "Safari"},
}

// systems are the systems browserName knows, in the order it looks for
// them: Android also says Linux, iPhone and iPad also say Mac OS X.
var systems = []struct{ token, name string }{
	{"iPhone", "iPhone"},
	{"iPad", "iPad"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Windows", "Windows"},
	{"Macintosh", "macOS"},
	{"Linux", "Linux"},
}

// maxAgent is how much of a User-Agent header browserName keeps when it
// does not recognise the browser.
const maxAgent = 40

// browserName returns a short name for the browser that sent the
// User-Agent header ua, such as "Firefox on Linux" or "Safari on iPhone";
// the start of ua when it names no browser it knows ("curl/8.5.0"), and
// "Unknown browser" when ua is empty.
func browserName(ua string) string {
	var browser, system string
	for _, b := range browsers {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case strings.TrimSpace(ua) == "":
		return "Unknown browser"
	}
	ua = strings.ToValidUTF8(strings.TrimSpace(ua), "\uFFFD")
	if utf8.RuneCountInString(ua) <= maxAgent {
		return ua
	}
	return string([]rune(ua)[:maxAgent-1]) + "…"
}

// coarseAddress returns the network of the client at remoteAddr (the
// request's RemoteAddr, "host:port", or a bare IP address) as the
// sessions page shows it: an IPv4 address with its last byte hidden
// ("203.0.113.x"), the /48 of an IPv6 address ("2001:db8:1234:…"), "this
// computer" for a loopback address, and "local network" for a link-local
// one, whose prefix tells nothing. That tells a user which network a login
// came from, not which machine, and keeps the session free of a precise
// address. It returns "" for what is not an IP address.
func coarseAddress(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	ip = ip.Unmap().WithZone("")
	switch {
	case ip.IsLoopback():
		return "this computer"
	case ip.IsLinkLocalUnicast():
		return "local network"
	case ip.Is4():
		b := ip.As4()
		return fmt.Sprintf("%d.%d.%d.x", b[0], b[1], b[2])
	}
	b := ip.As16()
	return fmt.Sprintf("%x:%x:%x:…", uint16(b[0])<<8|uint16(b[1]), uint16(b[2])<<8|uint16(b[3]), uint16(b[4])<<8|uint16(b[5]))
}
