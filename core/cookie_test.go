package core

import "testing"

func TestFindCookie(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		value string
		n     int
	}{
		{"none", nil, "", 0},
		{"other cookies", []string{"a=1; b=2"}, "", 0},
		{"one", []string{"a=1; session=abc; b=2"}, "abc", 1},
		{"spaces", []string{"  session =  abc  ;x=y"}, "abc", 1},
		{"quoted", []string{`session="abc"`}, "abc", 1},
		{"empty value", []string{"session="}, "", 1},
		{"prefix is not the name", []string{"xsession=1; session2=2"}, "", 0},
		{"no equals sign", []string{"session; a=1"}, "", 0},
		{"duplicate in one line", []string{"session=a; session=b"}, "b", 2},
		{"duplicate across lines", []string{"session=a", "x=1; session=b"}, "b", 2},
		{"trailing semicolons", []string{";;session=a;;"}, "a", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, n := findCookie(tt.lines, "session")
			if v != tt.value || n != tt.n {
				t.Fatalf("findCookie(%q) = %q, %d; want %q, %d", tt.lines, v, n, tt.value, tt.n)
			}
		})
	}
}

func TestFindCookieDoesNotAllocate(t *testing.T) {
	lines := []string{"theme=dark; session=abcdefghijklmnopqrstuvwxyz; lang=en"}
	if n := testing.AllocsPerRun(100, func() { findCookie(lines, "session") }); n != 0 {
		t.Fatalf("findCookie allocates %v times; want 0", n)
	}
}

func TestValidToken(t *testing.T) {
	for tok, want := range map[string]bool{
		"abc-_=.123":                          true,
		"":                                    false,
		"a b":                                 false,
		"a;b":                                 false,
		"a,b":                                 false,
		`a"b`:                                 false,
		"a\\b":                                false,
		"é":                                   false,
		"a\x7f":                               false,
		string(make([]byte, MaxCookieSize+1)): false,
	} {
		if got := validToken(tok); got != want {
			t.Errorf("validToken(%.20q) = %v; want %v", tok, got, want)
		}
	}
	// Every byte, alone and after a valid one: RFC 6265's cookie-octet is
	// %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
	for c := range 256 {
		want := c == 0x21 || 0x23 <= c && c <= 0x2b || 0x2d <= c && c <= 0x3a ||
			0x3c <= c && c <= 0x5b || 0x5d <= c && c <= 0x7e
		for _, tok := range []string{string([]byte{byte(c)}), "a" + string([]byte{byte(c)})} {
			if got := validToken(tok); got != want {
				t.Errorf("validToken(%q) = %v; want %v", tok, got, want)
			}
		}
	}
}
