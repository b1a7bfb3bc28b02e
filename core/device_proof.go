package core

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
)

// This file reads and checks a DBSC proof: the JWT (a JWS in compact
// form) the browser signs with the session's key, in the
// Secure-Session-Response header of a registration or a refresh. It uses
// the standard library's crypto rather than a JOSE library: a proof has
// one shape and two algorithms, so the check is a hundred lines that read
// top to bottom, and package core keeps to the standard library.
//
// What is checked, in this order: the size, before anything is parsed;
// the three base64url parts (strictly); the header's "alg", exactly ES256
// or RS256 ("none", the HMACs and every other are refused, whatever key
// the session has); its "typ", "dbsc+jwt"; no "crit"; on a registration
// its "jwk", an EC P-256 key for ES256 or an RSA key of 2048 to 4096 bits
// with exponent 65537 for RS256; the signature, with that key or, on a
// refresh, with the key the session registered, whose type must match
// the algorithm; then the payload's "jti", the challenge, which the
// caller checks (device_token.go), and its "aud", when the browser sends
// one, which must be the endpoint's URL. The draft defines no "iat", and
// Chromium sends none: a challenge carries its own time.

// MaxProofSize is the largest proof, in bytes, the endpoints read: a
// registration signed with a 4096-bit RSA key takes about 2 KB. A larger
// one is refused before it is parsed.
const MaxProofSize = 4096

// errProof is matched by every error about a proof; the endpoints answer
// it with a 4xx and log it at debug level.
var errProof = errors.New("core: invalid DBSC proof")

func proofError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errProof}, args...)...)
}

// A proof is a parsed, not yet verified, DBSC proof.
type proof struct {
	alg       string
	jwk       *publicJWK // the header's key; nil when absent
	challenge string     // the payload's jti
	aud       []string   // the payload's aud, if any
	signed    []byte     // the JWS signing input: header.payload, as sent
	sig       []byte
}

// publicJWK is a public key from a JWK, and that JWK in canonical form.
type publicJWK struct {
	key       crypto.PublicKey // *ecdsa.PublicKey or *rsa.PublicKey
	canonical string           // RFC 7638: its thumbprint is the SHA-256 of these bytes
}

// parseProof parses token, the value of a Secure-Session-Response header,
// without verifying it.
func parseProof(token string) (*proof, error) {
	if len(token) > MaxProofSize {
		return nil, proofError("%d bytes, over %d", len(token), MaxProofSize)
	}
	// The draft makes the header a structured-field string; Chromium
	// sends the bare token.
	if len(token) >= 2 && token[0] == '"' && token[len(token)-1] == '"' {
		token = token[1 : len(token)-1]
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, proofError("not a compact JWS: %d parts", len(parts))
	}
	header, err := strictB64.DecodeString(parts[0])
	if err != nil {
		return nil, proofError("header: %v", err)
	}
	body, err := strictB64.DecodeString(parts[1])
	if err != nil {
		return nil, proofError("payload: %v", err)
	}
	sig, err := strictB64.DecodeString(parts[2])
	if err != nil {
		return nil, proofError("signature: %v", err)
	}
	var h struct {
		Alg  string          `json:"alg"`
		Typ  string          `json:"typ"`
		JWK  json.RawMessage `json:"jwk"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return nil, proofError("header: %v", err)
	}
	switch {
	case h.Alg != "ES256" && h.Alg != "RS256":
		return nil, proofError("alg %q: want ES256 or RS256", h.Alg)
	case !strings.EqualFold(h.Typ, "dbsc+jwt"):
		return nil, proofError("typ %q: want dbsc+jwt", h.Typ)
	case h.Crit != nil:
		return nil, proofError("crit: no extension is understood")
	}
	var c struct {
		JTI *string         `json:"jti"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, proofError("payload: %v", err)
	}
	if c.JTI == nil {
		return nil, proofError("payload: no jti")
	}
	p := &proof{alg: h.Alg, challenge: *c.JTI, signed: []byte(token[:len(parts[0])+1+len(parts[1])]), sig: sig}
	if c.Aud != nil {
		var one string
		if json.Unmarshal(c.Aud, &one) == nil {
			p.aud = []string{one}
		} else if json.Unmarshal(c.Aud, &p.aud) != nil {
			return nil, proofError("aud: want a string or strings")
		}
	}
	if h.JWK != nil && !bytes.Equal(h.JWK, []byte("null")) {
		if p.jwk, err = parseJWK(h.JWK); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseJWK parses a public JWK: EC P-256, or RSA of 2048 to 4096 bits with
// exponent 65537.
func parseJWK(raw []byte) (*publicJWK, error) {
	var k struct {
		Kty, Crv, X, Y, N, E string
		D                    json.RawMessage
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, proofError("jwk: %v", err)
	}
	if k.D != nil {
		return nil, proofError("jwk: a private key")
	}
	switch k.Kty {
	case "EC":
		x, errx := strictB64.DecodeString(k.X)
		y, erry := strictB64.DecodeString(k.Y)
		if k.Crv != "P-256" || errx != nil || erry != nil || len(x) != 32 || len(y) != 32 {
			return nil, proofError("jwk: want an EC key on P-256 with 32-byte x and y")
		}
		key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, proofError("jwk: %v", err)
		}
		return &publicJWK{key: key, canonical: canonicalEC(x, y)}, nil
	case "RSA":
		n, errn := strictB64.DecodeString(k.N)
		e, erre := strictB64.DecodeString(k.E)
		if errn != nil || erre != nil || !bytes.Equal(bytes.TrimLeft(e, "\x00"), []byte{1, 0, 1}) {
			return nil, proofError("jwk: want an RSA key with exponent 65537")
		}
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
		if bits := key.N.BitLen(); bits < 2048 || bits > 4096 || key.N.Bit(0) == 0 {
			return nil, proofError("jwk: an RSA key of %d bits; want an odd modulus of 2048 to 4096 bits", bits)
		}
		return &publicJWK{key: key, canonical: canonicalRSA(key.N.Bytes())}, nil
	}
	return nil, proofError("jwk: kty %q: want EC or RSA", k.Kty)
}

func canonicalEC(x, y []byte) string {
	return `{"crv":"P-256","kty":"EC","x":"` + base64.RawURLEncoding.EncodeToString(x) +
		`","y":"` + base64.RawURLEncoding.EncodeToString(y) + `"}`
}

func canonicalRSA(n []byte) string {
	return `{"e":"AQAB","kty":"RSA","n":"` + base64.RawURLEncoding.EncodeToString(n) + `"}`
}

// verify checks p's signature with key, which must be of p's algorithm's
// type.
func (p *proof) verify(key crypto.PublicKey) error {
	digest := sha256.Sum256(p.signed)
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if p.alg != "ES256" {
			return proofError("alg %s for an EC key", p.alg)
		}
		if len(p.sig) != 64 {
			return proofError("an ES256 signature of %d bytes; want 64", len(p.sig))
		}
		r, s := new(big.Int).SetBytes(p.sig[:32]), new(big.Int).SetBytes(p.sig[32:])
		if !ecdsa.Verify(k, digest[:], r, s) {
			return proofError("bad signature")
		}
	case *rsa.PublicKey:
		if p.alg != "RS256" {
			return proofError("alg %s for an RSA key", p.alg)
		}
		if len(p.sig) != k.Size() {
			return proofError("an RS256 signature of %d bytes; want %d", len(p.sig), k.Size())
		}
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], p.sig) != nil {
			return proofError("bad signature")
		}
	default:
		return proofError("no key")
	}
	return nil
}

// checkAudience checks p's aud, if it has one: it must name the endpoint
// at path on host (the request's Host), over HTTPS or, on loopback, HTTP.
// Behind a proxy that rewrites Host, a browser that sends aud is refused.
func (p *proof) checkAudience(host, path string) error {
	if p.aud == nil {
		return nil
	}
	for _, aud := range p.aud {
		u, err := url.Parse(aud)
		if err == nil && (u.Scheme == "https" || u.Scheme == "http" && loopback(u.Host)) &&
			strings.EqualFold(u.Host, host) && u.Path == path && u.User == nil {
			return nil
		}
	}
	return proofError("aud %q: want this endpoint, %s%s", p.aud, host, path)
}
