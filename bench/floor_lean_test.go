package bench_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// The lean floor is the least work any signed-cookie session must do, and
// the floor every claim about the cookie store is made against (issue 23):
// written inline in a net/http handler with the standard library only,
//
//   - read: r.Cookie, one base64url (unpadded) decoding, HMAC-SHA256 over
//     the cookie's name and the payload with a fresh hmac.New, a
//     constant-time comparison, and encoding/json into a typed struct,
//     whose expiry it checks;
//   - write: encoding/json from the struct, HMAC-SHA256 as above, one
//     base64url encoding of the payload and its MAC, and http.SetCookie.
//
// It keeps no creation or issue time, no CSRF token, no owner and no
// change set, and handles no error the way a library must: a real store
// does more. floorMux's row (floor-hmac) decodes into a map[string]any
// instead, which costs more.

// leanSession is the lean floor's session, typed.
type leanSession struct {
	UserID   int      `json:"user_id"`
	Username string   `json:"username"`
	Flash    []string `json:"_flash,omitempty"`
	Exp      int64    `json:"exp"`
}

// leanTTL is how long a lean floor's session lasts.
const leanTTL = 24 * time.Hour

// leanKey is the lean floor's HMAC key, and leanName its cookie's name
// as the MAC covers it, followed by a separator.
var (
	leanKey  = []byte(secret)
	leanName = []byte("session|")
)

// leanMAC returns the HMAC-SHA256 of the cookie's name and body, with a
// fresh hmac.New, as a handler that keeps no state would.
func leanMAC(body []byte) []byte {
	mac := hmac.New(sha256.New, leanKey)
	mac.Write(leanName)
	mac.Write(body)
	return mac.Sum(nil)
}

// leanMux is the lean floor row: the three routes, and a login that sets
// the cookie of the benchmarks' session.
func leanMux() http.Handler {
	const name = "session"
	mux := untouchedMux()
	write := func(w http.ResponseWriter, s *leanSession) bool {
		s.Exp = time.Now().Add(leanTTL).Unix()
		body, err := json.Marshal(s)
		if err != nil {
			fail(w, err.Error())
			return false
		}
		raw := append(body, leanMAC(body)...)
		http.SetCookie(w, &http.Cookie{Name: name, Value: base64.RawURLEncoding.EncodeToString(raw),
			Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		return true
	}
	read := func(w http.ResponseWriter, r *http.Request, s *leanSession) bool {
		cookie, err := r.Cookie(name)
		if err != nil {
			fail(w, "no cookie")
			return false
		}
		raw, err := base64.RawURLEncoding.DecodeString(cookie.Value)
		if err != nil || len(raw) < sha256.Size {
			fail(w, "bad cookie")
			return false
		}
		body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
		if !hmac.Equal(leanMAC(body), sum) {
			fail(w, "bad cookie")
			return false
		}
		if err := json.Unmarshal(body, s); err != nil || s.Exp <= time.Now().Unix() {
			fail(w, "bad or expired session")
			return false
		}
		if msg := checkSession(s.UserID, s.Username); msg != "" {
			fail(w, msg)
			return false
		}
		return true
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if write(w, &leanSession{UserID: userID, Username: userName}) {
			ok(w)
		}
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		var s leanSession
		if read(w, r, &s) {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		var s leanSession
		if !read(w, r, &s) {
			return
		}
		if msg := checkFlashes(len(s.Flash)); msg != "" {
			fail(w, msg)
			return
		}
		s.Flash = []string{flashMsg}
		if write(w, &s) {
			ok(w)
		}
	})
	return mux
}
