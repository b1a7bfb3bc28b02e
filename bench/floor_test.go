package bench_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
)

// The floor is the least any cookie session must do, written inline in a
// handler with the standard library only: base64-decode the cookie, check
// it (HMAC-SHA256, or open it with AES-256-GCM), decode the JSON into a
// map, read user_id and username; for a write, replace the flash messages
// with the new one, then encode, seal and base64-encode the new cookie. It
// checks no timestamp and binds no cookie name: a real store must do more.
// The GCM row draws a random nonce per cookie.

// A floorCodec seals and opens the floor's cookies.
type floorCodec interface {
	seal(body []byte) string
	open(value string) ([]byte, bool)
}

// hmacCodec signs with HMAC-SHA256: base64(body || mac).
type hmacCodec struct{ key []byte }

func newHMACCodec() hmacCodec { return hmacCodec{key: []byte(secret)} }

func (c hmacCodec) seal(body []byte) string {
	mac := hmac.New(sha256.New, c.key)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(body))
}

func (c hmacCodec) open(value string) ([]byte, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < sha256.Size {
		return nil, false
	}
	body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	mac := hmac.New(sha256.New, c.key)
	mac.Write(body)
	return body, hmac.Equal(mac.Sum(nil), sum)
}

// gcmCodec encrypts with AES-256-GCM: base64(nonce || ciphertext || tag).
type gcmCodec struct{ aead cipher.AEAD }

func newGCMCodec(b *testing.B) gcmCodec {
	block, err := aes.NewCipher(blockKey)
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	return gcmCodec{aead: aead}
}

func (c gcmCodec) seal(body []byte) string {
	n := c.aead.NonceSize()
	nonce := make([]byte, n, n+len(body)+c.aead.Overhead())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, body, nil))
}

func (c gcmCodec) open(value string) ([]byte, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	n := c.aead.NonceSize()
	if err != nil || len(raw) < n+c.aead.Overhead() {
		return nil, false
	}
	body, err := c.aead.Open(raw[n:n], raw[:n], raw[n:], nil)
	return body, err == nil
}

// floorMux is a floor row: the three routes, and a login that sets the
// cookie of the benchmarks' session.
func floorMux(c floorCodec) http.Handler {
	mux := untouchedMux()
	setCookie := func(w http.ResponseWriter, data map[string]any) bool {
		body, err := json.Marshal(data)
		if err != nil {
			fail(w, err.Error())
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: c.seal(body), Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		return true
	}
	read := func(w http.ResponseWriter, r *http.Request) map[string]any {
		cookie, err := r.Cookie("session")
		if err != nil {
			fail(w, "no cookie")
			return nil
		}
		body, valid := c.open(cookie.Value)
		if !valid {
			fail(w, "bad cookie")
			return nil
		}
		var data map[string]any
		if err := json.Unmarshal(body, &data); err != nil {
			fail(w, "bad JSON")
			return nil
		}
		id, _ := data["user_id"].(float64)
		name, _ := data["username"].(string)
		if msg := checkSession(int(id), name); msg != "" {
			fail(w, msg)
			return nil
		}
		return data
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if setCookie(w, map[string]any{"user_id": userID, "username": userName}) {
			ok(w)
		}
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) != nil {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		data := read(w, r)
		if data == nil {
			return
		}
		flashes, _ := data["_flash"].([]any)
		if msg := checkFlashes(len(flashes)); msg != "" {
			fail(w, msg)
			return
		}
		data["_flash"] = []any{flashMsg}
		if setCookie(w, data) {
			ok(w)
		}
	})
	return mux
}
