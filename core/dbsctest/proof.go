package dbsctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
)

// NewKey returns a new key for alg, "ES256" (an EC P-256 key) or "RS256"
// (a 2048-bit RSA key), as a browser makes one for each session.
func NewKey(alg string) (crypto.Signer, error) {
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "RS256":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, errors.New("dbsctest: unknown algorithm " + alg)
}

// JWK returns the public JWK of key, as a JSON object.
func JWK(key crypto.Signer) map[string]any {
	switch pub := key.Public().(type) {
	case *ecdsa.PublicKey:
		b, _ := pub.Bytes() // 0x04 || x || y
		return map[string]any{"kty": "EC", "crv": "P-256", "x": b64(b[1:33]), "y": b64(b[33:])}
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
	}
	return nil
}

// Algorithm returns the JWS algorithm of key: "ES256" or "RS256".
func Algorithm(key crypto.Signer) string {
	if _, ok := key.Public().(*rsa.PublicKey); ok {
		return "RS256"
	}
	return "ES256"
}

// Proof returns a DBSC proof of challenge signed with key, as a browser
// sends it: a JWT whose header holds alg, typ "dbsc+jwt" and, for a
// registration, the public key (jwk); and whose payload holds jti, the
// challenge. edit, if not nil, may change the header and the claims
// before they are signed, to make a proof a browser would not.
func Proof(key crypto.Signer, challenge string, registration bool, edit func(header, claims map[string]any)) (string, error) {
	header := map[string]any{"alg": Algorithm(key), "typ": "dbsc+jwt"}
	if registration {
		header["jwk"] = JWK(key)
	}
	claims := map[string]any{"jti": challenge}
	if edit != nil {
		edit(header, claims)
	}
	return Sign(key, header, claims)
}

// Sign returns the compact JWS of header and claims signed with key, with
// the algorithm the header names as it is ("ES256" or "RS256"; anything
// else signs as key's own algorithm).
func Sign(key crypto.Signer, header, claims map[string]any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(h) + "." + b64(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			return "", err
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	default:
		if sig, err = key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			return "", err
		}
	}
	return input + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
