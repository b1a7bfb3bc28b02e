package cookiestore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"sync"
)

// This file writes and reads the cookie format of gorilla/securecookie
// (v1.1, with its NopEncoder and its age and length checks off), byte for
// byte, so that cookies issued by either verify with the other
// (TestSecureCookieFormat):
//
//	value = base64url(timestamp "|" body "|" mac)
//	body  = base64url(payload), or base64url(iv || AES-CTR(payload)) with Encrypt
//	mac   = HMAC-SHA256(hash key, name "|" timestamp "|" body)
//
// with padded base64url and the timestamp in decimal Unix seconds.
// securecookie's own Encode and Decode take 15 and 11 allocations a call
// (a new HMAC, fmt.Sprintf, bytes.SplitN, four base64 copies and the
// conversions between them) and no option of its API avoids them; here a
// store keeps its HMAC states and scratch buffers in pools, so that a
// cookie costs one allocation to write (the string) and one to read (the
// payload), with the same keys and the same MAC.

// errInvalid is any value that does not verify.
var errInvalid = errors.New("cookiestore: invalid cookie value")

// codec is one secret's keys.
type codec struct {
	hashKey []byte
	block   cipher.Block // nil without Encrypt
	macs    sync.Pool    // hash.Hash: HMAC-SHA256 states under hashKey
}

func newCodec(hashKey, blockKey []byte) (*codec, error) {
	c := &codec{hashKey: hashKey}
	if blockKey != nil {
		b, err := aes.NewCipher(blockKey)
		if err != nil {
			return nil, err
		}
		c.block = b
	}
	return c, nil
}

// mac returns a reset HMAC state of c's hash key; put it back with
// c.macs.Put.
func (c *codec) mac() hash.Hash {
	if h, ok := c.macs.Get().(hash.Hash); ok {
		h.Reset()
		return h
	}
	return hmac.New(sha256.New, c.hashKey)
}

// scratch is a store's reusable buffers.
type scratch struct{ a, b []byte }

// maxScratch is the largest buffer a pool keeps: a cookie's worth, with
// room.
const maxScratch = 16 << 10

// scratches is a store's pool of *scratch, shared by the copies
// WithCookieName makes.
type scratches struct{ pool sync.Pool }

func (p *scratches) get() *scratch {
	if s, ok := p.pool.Get().(*scratch); ok {
		return s
	}
	return new(scratch)
}

func (p *scratches) put(s *scratch) {
	if cap(s.a) <= maxScratch && cap(s.b) <= maxScratch {
		p.pool.Put(s)
	}
}

// encode returns the cookie value carrying payload under name, at
// timestamp now. It does not modify payload.
func (c *codec) encode(bufs *scratches, name string, payload []byte, now int64) (string, error) {
	s := bufs.get()
	defer bufs.put(s)
	body := payload
	if c.block != nil {
		n := aes.BlockSize
		s.b = append(s.b[:0], make([]byte, n)...)
		if _, err := rand.Read(s.b[:n]); err != nil {
			return "", err
		}
		s.b = append(s.b, payload...)
		cipher.NewCTR(c.block, s.b[:n]).XORKeyStream(s.b[n:], s.b[n:])
		body = s.b
	}
	// name|timestamp|body|, MAC'd without the last pipe, which the MAC
	// then follows; the name is not sent.
	m := append(s.a[:0], name...)
	m = append(m, '|')
	m = strconv.AppendInt(m, now, 10)
	m = append(m, '|')
	m = base64.URLEncoding.AppendEncode(m, body)
	h := c.mac()
	h.Write(m)
	m = append(m, '|')
	m = h.Sum(m)
	c.macs.Put(h)
	s.a = m
	s.b = base64.URLEncoding.AppendEncode(s.b[:0], m[len(name)+1:])
	return string(s.b), nil
}

// decodeTo appends to dst the payload of value, a cookie value issued
// under name by one of codecs, and reports which one verified it; -1 if
// none did.
func decodeTo(bufs *scratches, codecs []*codec, name, value string, dst []byte) ([]byte, int) {
	s := bufs.get()
	defer bufs.put(s)
	// name|timestamp|body|mac, decoded after the name, so that the MAC's
	// input is in one piece.
	s.b = append(s.b[:0], value...)
	m := append(s.a[:0], name...)
	m = append(m, '|')
	m, err := base64.URLEncoding.AppendDecode(m, s.b)
	s.a = m
	if err != nil {
		return dst, -1
	}
	raw := m[len(name)+1:]
	i := bytes.IndexByte(raw, '|')
	if i < 0 {
		return dst, -1
	}
	j := bytes.IndexByte(raw[i+1:], '|')
	if j < 0 {
		return dst, -1
	}
	j += i + 1
	if !validTimestamp(raw[:i]) {
		return dst, -1
	}
	signed, sum, body := m[:len(name)+1+j], raw[j+1:], raw[i+1:j]
	for k, c := range codecs {
		h := c.mac()
		h.Write(signed)
		s.b = h.Sum(s.b[:0])
		c.macs.Put(h)
		if !hmac.Equal(s.b, sum) {
			continue
		}
		start := len(dst)
		dst, err = base64.URLEncoding.AppendDecode(dst, body)
		if err != nil {
			return dst[:start], -1
		}
		if c.block != nil {
			n := aes.BlockSize
			if len(dst)-start <= n {
				return dst[:start], -1
			}
			iv := dst[start : start+n]
			cipher.NewCTR(c.block, iv).XORKeyStream(dst[start+n:], dst[start+n:])
			dst = append(dst[:start], dst[start+n:]...)
		}
		return dst, k
	}
	return dst, -1
}

// validTimestamp reports whether t is a timestamp securecookie would
// accept: what strconv.ParseInt accepts in base 10, an int64.
func validTimestamp(t []byte) bool {
	neg := false
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 || len(t) > 19 {
		return false
	}
	var n uint64
	for _, d := range t {
		if d < '0' || d > '9' {
			return false
		}
		n = n*10 + uint64(d-'0') // 19 digits cannot overflow a uint64
	}
	if neg {
		return n <= 1<<63
	}
	return n < 1<<63
}
