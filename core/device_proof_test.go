package core

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/transient-go/transient/core/dbsctest"
)

// keys are made once: RSA keys take a while under the race detector.
var keys = sync.OnceValue(func() map[string]any {
	es, _ := dbsctest.NewKey("ES256")
	es2, _ := dbsctest.NewKey("ES256")
	rs, _ := dbsctest.NewKey("RS256")
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	return map[string]any{"es": es, "es2": es2, "rs": rs, "small": small}
})

func b64(v any) string {
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		b, _ = json.Marshal(v)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestProof parses and verifies proofs, the good and every kind of bad
// one: each bad one is an errProof, never a panic.
func TestProof(t *testing.T) {
	k := keys()
	es, es2, rs := k["es"].(*ecdsa.PrivateKey), k["es2"].(*ecdsa.PrivateKey), k["rs"].(*rsa.PrivateKey)
	small := k["small"].(*rsa.PrivateKey)
	sign := func(key crypto.Signer, edit func(h, c map[string]any)) string {
		p, err := dbsctest.Proof(key, "challenge", true, edit)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	esJWK, _ := json.Marshal(dbsctest.JWK(es))
	hs := func() string {
		input := b64(map[string]any{"alg": "HS256", "typ": "dbsc+jwt", "jwk": dbsctest.JWK(es)}) + "." + b64(map[string]any{"jti": "challenge"})
		mac := hmac.New(sha256.New, esJWK)
		mac.Write([]byte(input))
		return input + "." + b64(mac.Sum(nil))
	}()
	good := sign(es, nil)
	parts := strings.Split(good, ".")
	tests := []struct {
		name  string
		token string
		key   any // verify with this key; nil: the proof's own jwk
		ok    bool
	}{
		{"ES256", good, nil, true},
		{"ES256, quoted as a structured string", `"` + good + `"`, nil, true},
		{"RS256", sign(rs, nil), nil, true},
		{"ES256 with aud", sign(es, func(_, c map[string]any) { c["aud"] = "https://example.com/dbsc/refresh" }), nil, true},
		{"verified with the registered key", sign(es, nil), &es.PublicKey, true},
		{"another key", sign(es2, nil), &es.PublicKey, false},
		{"ES256 claimed, RSA key", sign(es, nil), &rs.PublicKey, false},
		{"RS256 signature, EC key", sign(rs, nil), &es.PublicKey, false},
		{"alg none", b64(map[string]any{"alg": "none", "typ": "dbsc+jwt"}) + "." + parts[1] + ".", &es.PublicKey, false},
		{"HS256 keyed with the public key", hs, &es.PublicKey, false},
		{"alg ES384", sign(es, func(h, _ map[string]any) { h["alg"] = "ES384" }), nil, false},
		{"alg lower case", sign(es, func(h, _ map[string]any) { h["alg"] = "es256" }), nil, false},
		{"no typ", sign(es, func(h, _ map[string]any) { delete(h, "typ") }), nil, false},
		{"typ JWT", sign(es, func(h, _ map[string]any) { h["typ"] = "JWT" }), nil, false},
		{"crit", sign(es, func(h, _ map[string]any) { h["crit"] = []string{"exp"} }), nil, false},
		{"no jti", sign(es, func(_, c map[string]any) { delete(c, "jti") }), nil, false},
		{"jti a number", sign(es, func(_, c map[string]any) { c["jti"] = 7 }), nil, false},
		{"aud a number", sign(es, func(_, c map[string]any) { c["aud"] = 7 }), nil, false},
		{"jwk with d", sign(es, func(h, _ map[string]any) { h["jwk"].(map[string]any)["d"] = "AAAA" }), nil, false},
		{"jwk on P-384", sign(es, func(h, _ map[string]any) { h["jwk"].(map[string]any)["crv"] = "P-384" }), nil, false},
		{"jwk oct", sign(es, func(h, _ map[string]any) { h["jwk"] = map[string]any{"kty": "oct", "k": "AAAA"} }), nil, false},
		{"jwk off the curve", sign(es, func(h, _ map[string]any) {
			h["jwk"].(map[string]any)["y"] = b64(make([]byte, 32))
		}), nil, false},
		{"jwk x short", sign(es, func(h, _ map[string]any) { h["jwk"].(map[string]any)["x"] = "AAAA" }), nil, false},
		{"RSA 1024 bits", sign(small, nil), nil, false},
		{"RSA exponent 3", sign(rs, func(h, _ map[string]any) { h["jwk"].(map[string]any)["e"] = "Aw" }), nil, false},
		{"two parts", parts[0] + "." + parts[1], nil, false},
		{"four parts", good + ".AAAA", nil, false},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], nil, false},
		{"standard base64", parts[0] + "." + parts[1] + ".+" + parts[2][1:], nil, false},
		{"signature cut", good[:len(good)-4], nil, false},
		{"header not JSON", b64("{") + "." + parts[1] + "." + parts[2], nil, false},
		{"payload changed", parts[0] + "." + b64(map[string]any{"jti": "another"}) + "." + parts[2], nil, false},
		{"oversized", good + strings.Repeat("A", MaxProofSize), nil, false},
		{"empty", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkProof(tt.token, tt.key)
			switch {
			case tt.ok && err != nil:
				t.Fatalf("proof refused: %v", err)
			case !tt.ok && err == nil:
				t.Fatalf("proof accepted; want refused")
			case !tt.ok && !errors.Is(err, errProof):
				t.Fatalf("error %v; want one matching errProof", err)
			}
		})
	}
}

// checkProof parses token and verifies it with key, or with its own jwk.
func checkProof(token string, key any) error {
	p, err := parseProof(token)
	if err != nil {
		return err
	}
	if key == nil {
		if p.jwk == nil {
			return proofError("no jwk")
		}
		key = p.jwk.key
	}
	if err := p.verify(key); err != nil {
		return err
	}
	return p.checkAudience("example.com", "/dbsc/refresh")
}

func TestCanonicalJWK(t *testing.T) {
	// RFC 7638, section 3.1: the thumbprint of its example RSA key.
	n := "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	p, err := parseJWK([]byte(`{"kty":"RSA","n":"` + n + `","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(p.canonical))
	if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("thumbprint = %s; want RFC 7638's NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", got)
	}
	// A modulus sent with a leading zero has the same canonical form.
	b, _ := base64.RawURLEncoding.DecodeString(n)
	again, err := parseJWK([]byte(`{"kty":"RSA","n":"` + b64(append([]byte{0}, b...)) + `","e":"AQAB"}`))
	if err != nil || again.canonical != p.canonical {
		t.Fatalf("leading zero: %v, %s; want %s", err, again.canonical, p.canonical)
	}
}

func TestCheckAudience(t *testing.T) {
	tests := []struct {
		aud  any
		host string
		ok   bool
	}{
		{nil, "example.com", true},
		{"https://example.com/dbsc/refresh", "example.com", true},
		{"https://EXAMPLE.com/dbsc/refresh", "example.com", true},
		{[]string{"https://other.example", "https://example.com/dbsc/refresh"}, "example.com", true},
		{"http://127.0.0.1:8080/dbsc/refresh", "127.0.0.1:8080", true},
		{"http://example.com/dbsc/refresh", "example.com", false}, // plain HTTP, not loopback
		{"https://example.com/dbsc/registration", "example.com", false},
		{"https://attacker.example/dbsc/refresh", "example.com", false},
		{"https://user@example.com/dbsc/refresh", "example.com", false},
		{"", "example.com", false},
	}
	for _, tt := range tests {
		p := &proof{}
		switch a := tt.aud.(type) {
		case string:
			p.aud = []string{a}
		case []string:
			p.aud = a
		}
		if err := p.checkAudience(tt.host, "/dbsc/refresh"); (err == nil) != tt.ok {
			t.Errorf("checkAudience(%v) on %s = %v; want ok %v", tt.aud, tt.host, err, tt.ok)
		}
	}
}

// FuzzParseProof feeds the proof parser anything: it never panics, and a
// proof it accepts verifies only with the key that signed it.
func FuzzParseProof(f *testing.F) {
	k := keys()
	es := k["es"].(*ecdsa.PrivateKey)
	for _, seed := range []string{
		"", ".", "..", "a.b.c", `"a.b.c"`,
		b64(map[string]any{"alg": "none"}) + "." + b64(map[string]any{"jti": "c"}) + ".",
		b64(map[string]any{"alg": "ES256", "typ": "dbsc+jwt", "jwk": map[string]any{"kty": "EC", "crv": "P-256", "x": "", "y": ""}}) + ".e30.AA",
		b64(map[string]any{"alg": "RS256", "typ": "dbsc+jwt", "jwk": map[string]any{"kty": "RSA", "n": "AQAB", "e": "AQAB"}}) + ".e30.AA",
	} {
		f.Add(seed)
	}
	for _, key := range []string{"es", "rs"} {
		p, _ := dbsctest.Proof(k[key].(crypto.Signer), "challenge", true, nil)
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := parseProof(token)
		if err != nil {
			if !errors.Is(err, errProof) {
				t.Fatalf("parseProof error %v does not match errProof", err)
			}
			return
		}
		if p.jwk != nil {
			_ = p.verify(p.jwk.key)
			if _, err := parseJWK([]byte(p.jwk.canonical)); err != nil {
				t.Fatalf("the canonical form of an accepted jwk does not parse: %v", err)
			}
		}
		if p.verify(&es.PublicKey) == nil && !strings.Contains(token, ".") {
			t.Fatalf("a proof without dots verified")
		}
		_ = p.checkAudience("example.com", "/dbsc/refresh")
	})
}
