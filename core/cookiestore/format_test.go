package cookiestore_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// TestSecureCookieFormat holds the store to gorilla/securecookie's format,
// which it writes itself: a value securecookie encodes with the store's
// keys loads, and a value the store creates decodes with securecookie,
// signed and encrypted, under the default cookie name and another.
func TestSecureCookieFormat(t *testing.T) {
	payloads := [][]byte{
		[]byte(`{"c":1800000000,"i":1800000000}`),
		[]byte(`{"c":1800000000,"i":1800000000,"d":{"pipe":"a|b||c"}}`),
		[]byte(`{"c":1800000000,"i":1800000000,"d":{"long":"` + strings.Repeat("x", 2000) + `"}}`),
	}
	for _, encrypt := range []bool{false, true} {
		for _, name := range []string{core.DefaultCookieName, "__Host-app"} {
			t.Run(name+map[bool]string{false: "/signed", true: "/encrypted"}[encrypt], func(t *testing.T) {
				store := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Encrypt: encrypt}).WithCookieName(name)
				sc := referenceCodec(t, newSecret, encrypt)
				for _, p := range payloads {
					v, err := sc.Encode(name, bytes.Clone(p))
					if err != nil {
						t.Fatal(err)
					}
					got, reissue, err := store.Load(context.Background(), v)
					if err != nil || reissue || !bytes.Equal(got, p) {
						t.Errorf("Load(securecookie's value) = %q, %v, %v; want the payload", got, reissue, err)
					}
					v, err = store.Create(context.Background(), core.Record{Payload: p, TTL: time.Hour})
					if err != nil {
						t.Fatal(err)
					}
					var back []byte
					if err := sc.Decode(name, v, &back); err != nil || !bytes.Equal(back, p) {
						t.Errorf("securecookie's Decode(Create's value) = %q, %v; want the payload", back, err)
					}
					if err := sc.Decode(name+"x", v, &back); err == nil {
						t.Errorf("securecookie decoded a value under another cookie name")
					}
				}
			})
		}
	}
}

// referenceCodec returns securecookie set up as the store used it before it
// wrote the format itself: keys derived from secret as New derives them,
// its age and length checks off, payloads passed through as they are.
func referenceCodec(t *testing.T, secret string, encrypt bool) *securecookie.SecureCookie {
	t.Helper()
	info := "transient/cookiestore/sign"
	if encrypt {
		info += "+encrypt"
	}
	hashKey, err := hkdf.Key(sha256.New, []byte(secret), []byte(cookiestore.DefaultSalt), info, 64)
	if err != nil {
		t.Fatal(err)
	}
	var blockKey []byte
	if encrypt {
		if blockKey, err = hkdf.Key(sha256.New, []byte(secret), []byte(cookiestore.DefaultSalt), "transient/cookiestore/encrypt", 32); err != nil {
			t.Fatal(err)
		}
	}
	return securecookie.New(hashKey, blockKey).MaxAge(0).MaxLength(0).SetSerializer(securecookie.NopEncoder{})
}
