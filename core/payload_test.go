package core

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestPayloadRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    payload
	}{
		{"empty", payload{created: 1, issued: 2}},
		{"data", payload{created: 1, issued: 2, data: []entry{{"a", []byte(`1`)}, {"b", []byte(`{"x":[1,"y",null]}`)}}}},
		{"flashes", payload{created: 1, issued: 2, flashes: []queue{{"", []string{"one"}}, {"success", []string{"a", "b"}}}}},
		{"escapes", payload{created: 1, issued: 2, csrf: "tok", data: []entry{{"k\"\\\n\u2028é", []byte(`"v"`)}}, flashes: []queue{{"<q>", []string{"\x00\x1f\"</script>"}}}}},
		{"negative times", payload{created: -5, issued: -1}},
	}
	for _, tt := range tests {
		for _, bound := range [][]byte{nil, []byte("__Host-session")} {
			t.Run(tt.name+"/"+string(bound), func(t *testing.T) {
				b := tt.p.appendJSON(nil, bound)
				if !json.Valid(b) {
					t.Fatalf("appendJSON = %s; not valid JSON", b)
				}
				got, err := decodePayload(b, bound)
				if err != nil {
					t.Fatalf("decodePayload(%s) = %v", b, err)
				}
				if !reflect.DeepEqual(got, tt.p) {
					t.Fatalf("decodePayload(appendJSON(p)) = %+v; want %+v", got, tt.p)
				}
			})
		}
	}
}

// TestDecodePayloadCookieName checks that a payload is decoded only for
// the cookie name it was written for, compared as written.
func TestDecodePayloadCookieName(t *testing.T) {
	tests := []struct {
		in, bound string
		ok        bool
	}{
		{`{"c":1,"i":2}`, "", true},
		{`{"c":1,"i":2,"n":""}`, "", true},
		{`{"c":1,"i":2,"n":"prefs"}`, "prefs", true},
		{`{"c":1,"i":2}`, "prefs", false},
		{`{"c":1,"i":2,"n":"prefs"}`, "", false},
		{`{"c":1,"i":2,"n":"prefs"}`, "pref", false},
		{`{"c":1,"i":2,"n":"pr\u0065fs"}`, "prefs", false},
	}
	for _, tt := range tests {
		var bound []byte
		if tt.bound != "" {
			bound = []byte(tt.bound)
		}
		_, err := decodePayload([]byte(tt.in), bound)
		if tt.ok && err != nil || !tt.ok && err != errOtherCookie {
			t.Errorf("decodePayload(%s, %q) = %v; want ok %v, or errOtherCookie", tt.in, tt.bound, err, tt.ok)
		}
	}
}

func TestDecodePayloadAccepts(t *testing.T) {
	tests := []struct {
		name, in string
		want     payload
	}{
		{"whitespace", " {\n\"c\" : 1 ,\t\"i\":2 } ", payload{created: 1, issued: 2}},
		{"unknown members", `{"c":1,"x":{"y":[true,false,null,-1.5e3]},"i":2}`, payload{created: 1, issued: 2}},
		{"unsorted and duplicate keys", `{"c":1,"i":2,"d":{"b":1,"a":2,"b":3}}`, payload{created: 1, issued: 2, data: []entry{{"a", []byte("2")}, {"b", []byte("3")}}}},
		{"empty queues dropped", `{"c":1,"i":2,"f":{"a":[],"b":["x"]}}`, payload{created: 1, issued: 2, flashes: []queue{{"b", []string{"x"}}}}},
		{"escaped strings", `{"c":1,"i":2,"t":"a\u00e9\n\"","f":{"q":["\ud83d\ude00"]}}`, payload{created: 1, issued: 2, csrf: "aé\n\"", flashes: []queue{{"q", []string{"😀"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodePayload([]byte(tt.in), nil)
			if err != nil {
				t.Fatalf("decodePayload(%s) = %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("decodePayload(%s) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodePayloadRejects(t *testing.T) {
	for _, in := range []string{
		``, `null`, `[]`, `"x"`, `{`, `{"c":1`, `{"c":1,}`, `{"c":1.5}`, `{"c":"1"}`, `{"c":01}`,
		`{"c":99999999999999999999}`, `{"d":{"a":}}`, `{"d":{"a":tru}}`, `{"d":{"a":"x\q"}}`,
		`{"d":{"a":"` + "\x01" + `"}}`, `{"f":{"q":"x"}}`, `{"f":{"q":[1]}}`, `{"t":1}`, `{} {}`, `{"n":1}`, `{"n":"a`,
		`{"d":{"a":` + strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2) + `}}`,
		`{"d":{"a":"\u12"}}`, `{"d":{"a":-}}`, `{"d":{"a":1.}}`, `{"d":{"a":1e}}`,
	} {
		if p, err := decodePayload([]byte(in), nil); err == nil {
			t.Errorf("decodePayload(%.60q) = %+v, nil; want an error", in, p)
		}
	}
}

// FuzzDecodePayload checks the payload parser against encoding/json: it
// never panics, accepts only valid JSON, and decodes what it accepts as
// encoding/json does; appendJSON round-trips whatever it decoded.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range []string{
		`{"c":1700000000,"i":1700000300,"d":{"user_id":42,"username":"alice"},"f":{"success":["Saved."]},"t":"tok"}`,
		`{"c":1,"i":2,"d":{"n":9223372036854775807,"o":{"a":[1,2,{"b":null}]}}}`,
		`{"c":1,"i":2,"f":{"":["a\u00e9","\ud83d\ude00"]},"x":[true,false]}`,
		`{"d":{"b":1,"a":2,"b":3}}`, `{"c":-0,"i":1e2}`, `{"d":{"k":"\u2028"}}`, `{}`,
		`{"d":{"":1E700}}`,
		`{"c":1,"i":2,"f":{"q":["m"]},"h":{"q":3,"p":0},"o":"alice","a":"192.0.2.0","u":"Firefox on Linux","r":true}`,
		`{"c":1,"i":2,"n":"","d":{"k":1}}`,
		`{"c":1,"i":2,"o":"alice","b":{"j":{"crv":"P-256","kty":"EC","x":"x","y":"y"},"k":"key","s":3,"w":4}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePayload(b, nil)
		if err != nil {
			return
		}
		// encoding/json matches struct fields case-insensitively; the
		// payload's names are exact, so the oracle reads a map.
		var top map[string]json.RawMessage
		if err := json.Unmarshal(b, &top); err != nil {
			t.Fatalf("decodePayload accepted %q, which encoding/json rejects: %v", b, err)
		}
		var oracle struct {
			C, I int64
			D    map[string]json.RawMessage
			F    map[string][]string
			T    string
		}
		for key, dst := range map[string]any{"c": &oracle.C, "i": &oracle.I, "d": &oracle.D, "f": &oracle.F, "t": &oracle.T} {
			if raw, ok := top[key]; ok {
				if err := json.Unmarshal(raw, dst); err != nil {
					t.Fatalf("decodePayload accepted %q, but encoding/json cannot decode %q: %v", b, key, err)
				}
			}
		}
		if p.created != oracle.C || p.issued != oracle.I || p.csrf != oracle.T || len(p.data) != len(oracle.D) {
			t.Fatalf("decodePayload(%q) = %+v; encoding/json says %+v", b, p, oracle)
		}
		for _, e := range p.data {
			// Numbers as written: 1E700 is valid JSON, out of a float64's
			// range.
			a, erra := decodeNumbers(e.val)
			b, errb := decodeNumbers(oracle.D[e.key])
			if erra != nil || errb != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("key %q = %s; encoding/json says %s", e.key, e.val, oracle.D[e.key])
			}
		}
		for _, q := range p.flashes {
			if !reflect.DeepEqual(q.msgs, oracle.F[q.name]) {
				t.Fatalf("queue %q = %q; encoding/json says %q", q.name, q.msgs, oracle.F[q.name])
			}
		}
		again, err := decodePayload(p.appendJSON(nil, nil), nil)
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("round trip of %+v = %+v, %v", p, again, err)
		}
	})
}

// decodeNumbers decodes a JSON value with its numbers kept as written.
func decodeNumbers(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// FuzzAppendString checks that appendString writes what encoding/json reads
// back as the same string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\"back\\slash", "\x00\x1f\x7f", "é😀", "\u2028\u2029", "\xff\xfe", "<script>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("appendString(%q) = %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s)
		var w string
		json.Unmarshal(want, &w)
		if got != w {
			t.Fatalf("appendString(%q) reads back as %q; want %q", s, got, w)
		}
	})
}

// TestStringEveryByte puts every byte at every place of a string longer
// than the eight bytes the codec looks at together, and checks
// appendString and the parser against encoding/json: appendString's
// output reads back as encoding/json reads its own, and the parser
// accepts, and reads, the raw string as encoding/json does.
func TestStringEveryByte(t *testing.T) {
	for n := range 18 {
		for at := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("a", n))
				b[at] = byte(c)
				s := string(b)

				var got, want string
				out := appendString(nil, s)
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("appendString(%q) = %s: %v", s, out, err)
				}
				marshalled, _ := json.Marshal(s)
				json.Unmarshal(marshalled, &want)
				if got != want {
					t.Fatalf("appendString(%q) reads back as %q; want %q", s, got, want)
				}

				raw := `"` + s + `"`
				p, err := decodePayload([]byte(`{"c":1,"i":2,"t":`+raw+`}`), nil)
				var oracle string
				jsonErr := json.Unmarshal([]byte(raw), &oracle)
				switch {
				case (err == nil) != (jsonErr == nil):
					t.Fatalf("decodePayload of the string %q: %v; encoding/json: %v", raw, err, jsonErr)
				case err == nil && p.csrf != oracle:
					t.Fatalf("decodePayload of the string %q = %q; encoding/json says %q", raw, p.csrf, oracle)
				}
			}
		}
	}
}
