package core

import (
	"encoding/json"
	"reflect"
	"testing"
)

const testJWK = `{"crv":"P-256","kty":"EC","x":"TrUPdJGzc1py-2uHBdYyRSjIdSwwl-lP0UmQr6zeoTg","y":"F7yzHhN6G8JMnNf9meuP-Lh5w8g7ei6pmwHC-D3CE3M"}`

func bytesOf(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// bind returns a binding of key and jwk.
func bind(key, jwk string, since, used int64) binding {
	return binding{key: bytesOf(key), jwk: bytesOf(jwk), since: since, used: used}
}

func TestBindingRoundTrip(t *testing.T) {
	for _, b := range []binding{
		{},
		bind("k", "", 0, 0),
		bind(newBindingKey(), testJWK, 1_800_000_000, 1_800_000_000_123),
		bind("", "", 0, -1),
	} {
		p := payload{created: 1, issued: 2, owner: "alice", binding: b}
		enc := p.appendJSON(nil, nil)
		if !json.Valid(enc) {
			t.Fatalf("appendJSON = %s; not valid JSON", enc)
		}
		got, err := decodePayload(enc, nil)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Fatalf("decodePayload(%s) = %+v, %v; want %+v", enc, got, err, p)
		}
	}
}

// TestDecodeBindingAllocs holds the decoding of a bound session's binding
// to no allocation: it happens on every request of the session.
func TestDecodeBindingAllocs(t *testing.T) {
	p := payload{created: 1, issued: 2, owner: "alice"}
	plain := p.appendJSON(nil, nil)
	p.binding = bind(newBindingKey(), testJWK, 3, 4)
	bound := p.appendJSON(nil, nil)
	want := testing.AllocsPerRun(100, func() { _, _ = decodePayload(plain, nil) })
	if got := testing.AllocsPerRun(100, func() { _, _ = decodePayload(bound, nil) }); got != want {
		t.Fatalf("decoding a bound session allocates %v times, one that is not %v; want as many", got, want)
	}
}

func TestDecodeBinding(t *testing.T) {
	accepts := map[string]binding{
		`{"c":1,"i":2,"b":{}}`:                             {},
		`{"c":1,"i":2,"b":{"k":"key","x":[1]}}`:            bind("key", "", 0, 0),
		`{"c":1,"i":2,"b":{"k":"a\"b"}}`:                   bind(`a\"b`, "", 0, 0), // as written
		`{"c":1,"i":2,"b":{"j":{"kty":"EC"},"w":5,"s":4}}`: bind("", `{"kty":"EC"}`, 4, 5),
	}
	for in, want := range accepts {
		p, err := decodePayload([]byte(in), nil)
		if err != nil || !reflect.DeepEqual(p.binding, want) {
			t.Errorf("decodePayload(%s).binding = %+v, %v; want %+v", in, p.binding, err, want)
		}
	}
	for _, in := range []string{
		`{"b":1}`, `{"b":{"k":1}}`, `{"b":{"j":"key"}}`, `{"b":{"j":null}}`, `{"b":{"w":1.5}}`, `{"b":{"s":"1"}}`, `{"b":{"j":{}`,
		`{"b":{"j":{"a"}}}`, `{"b":{"j":{"a":}}}`, `{"b":{"j":{"a":1,}}}`, `{"b":{"j":{1:1}}}`, `{"b":{"j":{"a":1}`,
	} {
		if _, err := decodePayload([]byte(in), nil); err == nil {
			t.Errorf("decodePayload(%s) = nil error; want one", in)
		}
	}
}

// TestDeviceChange checks what a registration or a refresh makes of the
// record as another request left it: it applies while its condition
// holds, and is refused (errBinding, with the record's time) once another
// request registered or consumed the challenge first.
func TestDeviceChange(t *testing.T) {
	offered := bind("K", "", 0, 10)
	bound := bind("K", testJWK, 100, 20)
	refused := binding{used: -99}
	tests := []struct {
		name    string
		change  deviceChange
		current binding
		want    binding // after apply; refused: errBinding
	}{
		{"offer", deviceChange{kind: deviceOffer, key: []byte("N")}, binding{}, bind("N", "", 0, 0)},
		{"offer after another offer", deviceChange{kind: deviceOffer, key: []byte("N")}, offered, offered},
		{"register", deviceChange{kind: deviceRegister, key: []byte("K"), jwk: []byte(testJWK), since: 100, used: 20}, offered, bound},
		{"register, another key offered meanwhile", deviceChange{kind: deviceRegister, key: []byte("OLD"), jwk: []byte(testJWK), used: 20}, offered, refused},
		{"register, registered meanwhile", deviceChange{kind: deviceRegister, key: []byte("K"), jwk: []byte(testJWK), used: 30}, bound, refused},
		{"register, challenge used meanwhile", deviceChange{kind: deviceRegister, key: []byte("K"), jwk: []byte(testJWK), used: 10}, offered, refused},
		{"refresh", deviceChange{kind: deviceRefresh, jwk: []byte(testJWK), used: 25}, bound, bind("K", testJWK, 100, 25)},
		{"refresh, same challenge used meanwhile", deviceChange{kind: deviceRefresh, jwk: []byte(testJWK), used: 20}, bound, refused},
		{"refresh, newer challenge used meanwhile", deviceChange{kind: deviceRefresh, jwk: []byte(testJWK), used: 19}, bound, refused},
		{"refresh, the session ended meanwhile", deviceChange{kind: deviceRefresh, jwk: []byte(testJWK), used: 25}, binding{}, refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			change := tt.change
			c := changes{device: &change}
			p := payload{binding: tt.current}
			err := c.checkDevice(&p)
			if tt.want.used == refused.used {
				if err != errBinding || change.current != tt.current.used {
					t.Fatalf("checkDevice = %v, current %d; want errBinding and %d", err, change.current, tt.current.used)
				}
				return
			}
			if err != nil {
				t.Fatalf("checkDevice = %v; want nil", err)
			}
			c.apply(&p)
			if !reflect.DeepEqual(p.binding, tt.want) {
				t.Fatalf("apply: binding %+v; want %+v", p.binding, tt.want)
			}
		})
	}
}
