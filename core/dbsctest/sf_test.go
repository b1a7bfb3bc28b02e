package dbsctest

import (
	"reflect"
	"testing"
)

func TestStructuredList(t *testing.T) {
	tests := []struct {
		lines []string
		want  []string
	}{
		{nil, nil},
		{[]string{`(ES256 RS256);path="/r";challenge="c"`}, []string{`(ES256 RS256);path="/r";challenge="c"`}},
		{[]string{`(ES256);path="a,b", (RS256);path="c"`}, []string{`(ES256);path="a,b"`, `(RS256);path="c"`}},
		{[]string{`"c1";id="s1"`, `"c2";id="s\"2", "c3";id="s3"`}, []string{`"c1";id="s1"`, `"c2";id="s\"2"`, `"c3";id="s3"`}},
	}
	for _, tt := range tests {
		if got := structuredList(tt.lines); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("structuredList(%q) = %q; want %q", tt.lines, got, tt.want)
		}
	}
}

func TestParseRegistration(t *testing.T) {
	algs, params, ok := parseRegistration(`(ES256 RS256);path="/dbsc/registration";challenge="abc";authorization="x\"y"`)
	if !ok || !reflect.DeepEqual(algs, []string{"ES256", "RS256"}) ||
		!reflect.DeepEqual(params, map[string]string{"path": "/dbsc/registration", "challenge": "abc", "authorization": `x"y`}) {
		t.Fatalf("parseRegistration = %q, %q, %v", algs, params, ok)
	}
	for _, bad := range []string{`ES256;path="/r"`, `(ES256;path="/r"`, `(ES256);path="/r`, `(ES256)x`} {
		if _, _, ok := parseRegistration(bad); ok {
			t.Errorf("parseRegistration(%q) = ok; want refused", bad)
		}
	}
}

func TestParseItem(t *testing.T) {
	v, params, ok := parseItem(`"challenge";id="session id";flag`)
	if !ok || v != "challenge" || !reflect.DeepEqual(params, map[string]string{"id": "session id", "flag": "?1"}) {
		t.Fatalf("parseItem = %q, %q, %v", v, params, ok)
	}
	if v, _, ok := parseItem(`token;id=x`); !ok || v != "token" {
		t.Fatalf("parseItem(token) = %q, %v", v, ok)
	}
}
