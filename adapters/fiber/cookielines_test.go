package sessionfiber

import (
	"bufio"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestCookieLines checks that the session reads a request's cookies as
// fasthttp gives them: the Cookie lines as they came, or, once something
// has read a cookie through fasthttp, the one line PeekAll rebuilds from
// the cookies it parsed.
func TestCookieLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []string // the request's Cookie lines
	}{
		{"none", nil},
		{"one", []string{"session=abc"}},
		{"several", []string{"session=abc; theme=dark"}},
		{"two lines", []string{"a=1", "session=abc; b=2"}},
		{"duplicates", []string{"session=abc; session=def"}},
		{"no name", []string{"abc; session=def"}},
		{"quoted", []string{`session="abc"; theme=dark`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "GET / HTTP/1.1\r\nHost: example.com\r\n"
			for _, l := range tt.lines {
				raw += "Cookie: " + l + "\r\n"
			}
			raw += "\r\n"
			var h fasthttp.RequestHeader
			if err := h.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
				t.Fatal(err)
			}
			st := &state{header: &h}
			if got := st.CookieLines(); !same(got, tt.lines) {
				t.Errorf("CookieLines() = %q; want %q", got, tt.lines)
			}

			_ = h.Cookie("theme") // fasthttp parses the lines
			var rebuilt []string
			for _, l := range h.PeekAll("Cookie") {
				if len(l) > 0 {
					rebuilt = append(rebuilt, string(l))
				}
			}
			if got := st.CookieLines(); !same(got, rebuilt) {
				t.Errorf("CookieLines() once fasthttp has parsed them = %q; want %q", got, rebuilt)
			}
		})
	}
}

// same reports whether a and b hold the same lines, nil being none.
func same(a, b []string) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}
