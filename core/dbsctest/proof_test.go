package dbsctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
)

// TestProof checks the proofs the test browser signs with the standard
// library's verifiers, and their shape: the draft's header and payload.
func TestProof(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256"} {
		key, err := NewKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := Proof(key, "the challenge", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(proof, ".")
		var header struct {
			Alg, Typ string
			JWK      map[string]string
		}
		var claims struct{ JTI string }
		decode(t, parts[0], &header)
		decode(t, parts[1], &claims)
		if header.Alg != alg || header.Typ != "dbsc+jwt" || header.JWK["kty"] == "" || claims.JTI != "the challenge" {
			t.Fatalf("%s proof: header %+v, claims %+v", alg, header, claims)
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		ok := false
		switch pub := key.Public().(type) {
		case *ecdsa.PublicKey:
			ok = len(sig) == 64 && ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
		case *rsa.PublicKey:
			ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
		}
		if !ok {
			t.Fatalf("%s proof does not verify", alg)
		}
	}
}

func decode(t *testing.T, part string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
