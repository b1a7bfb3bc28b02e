package sessionhttp_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// benchMux holds the benchmarks' routes: one that never touches the
// session, one that reads it, one that changes it, and the login that
// makes the session they read.
func benchMux() *http.ServeMux {
	mux := http.NewServeMux()
	// ok answers as Gin's and Echo's c.String do: with a Content-Type and
	// an explicit status, so that the recorder sniffs nothing.
	plain := []string{"text/plain; charset=utf-8"}
	ok := func(w http.ResponseWriter) {
		w.Header()["Content-Type"] = plain
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("ok"))
	}
	mux.HandleFunc("GET /untouched", func(w http.ResponseWriter, r *http.Request) { ok(w) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return
		}
		_ = s.Set("user_id", 42)
		_ = s.Set("username", "alice")
		ok(w)
	})
	read := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return nil
		}
		id, _ := core.Get[int64](s, "user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			http.Error(w, "wrong session", http.StatusInternalServerError)
			return nil
		}
		return s
	}
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) != nil {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		if s := read(w, r); s != nil {
			s.Flash("Article saved successfully!", "")
			ok(w)
		}
	})
	return mux
}

// floorKey signs the floor's cookies.
var floorKey = []byte(strings.Repeat("k", 32))

// floorCookie returns the floor's cookie for data: base64 of the JSON and
// its HMAC-SHA256.
func floorCookie(data map[string]any) string {
	body, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	mac := hmac.New(sha256.New, floorKey)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(body))
}

// floor is the least any signed-cookie session must do for a read-write
// request, written inline in a handler: base64-decode the cookie, verify
// its HMAC-SHA256, decode the JSON into a map, read user_id and username,
// add a flash, then encode, sign and base64-encode the new cookie.
func floor(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("session")
	if err != nil {
		http.Error(w, "no cookie", http.StatusBadRequest)
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(raw) < sha256.Size {
		http.Error(w, "bad cookie", http.StatusBadRequest)
		return
	}
	body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	mac := hmac.New(sha256.New, floorKey)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), sum) {
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	var data map[string]any
	if err := json.Unmarshal(body, &data); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	if data["user_id"] != 42.0 || data["username"] != "alice" {
		http.Error(w, "wrong session", http.StatusInternalServerError)
		return
	}
	flashes, _ := data["_flash"].([]any)
	data["_flash"] = append(flashes, "Article saved successfully!")
	http.SetCookie(w, &http.Cookie{Name: "session", Value: floorCookie(data), Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	w.Header()["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("ok"))
}

// BenchmarkNetHTTP measures the middleware with a cookie store against the
// same mux without it ("bare"), in process, for the three request shapes
// (see adaptertest.BenchShapes). "floor" is the least work a signed-cookie
// session can do for "write" (see floor), in the same run.
func BenchmarkNetHTTP(b *testing.B) {
	b.Run("floor", func(b *testing.B) {
		req := httptest.NewRequest("POST", "/write", nil)
		req.Header.Set("Cookie", "session="+floorCookie(map[string]any{"user_id": 42, "username": "alice"}))
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			floor(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("floor = %d %q", rec.Code, rec.Body)
			}
		}
	})
	adaptertest.BenchShapes(b, benchMux(), sessionhttp.Middleware(adaptertest.BenchManager(b), nil)(benchMux()))
}
