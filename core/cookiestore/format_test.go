package cookiestore_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// plainCodec is securecookie with its defaults and the keys the package
// documentation says a Store derives from secret.
func plainCodec(t *testing.T, secret string, encrypt bool) *securecookie.SecureCookie {
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
	return securecookie.New(hashKey, blockKey).SetSerializer(securecookie.NopEncoder{})
}

// TestSecurecookieFormat checks that a Store's cookies are securecookie's,
// both ways, under the keys its documentation gives: securecookie with its
// own defaults reads what the Store writes, and the Store reads what
// securecookie writes, signed and encrypted, for payloads of every size up
// to the cookie's room.
func TestSecurecookieFormat(t *testing.T) {
	for _, encrypt := range []bool{false, true} {
		store := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Encrypt: encrypt})
		plain := plainCodec(t, newSecret, encrypt)
		for _, size := range []int{2, 55, 56, 64, 200, 2000} {
			payload := bytes.Repeat([]byte("x"), size)
			token, err := store.Create(context.Background(), core.Record{Payload: payload, TTL: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			if err := plain.Decode(core.DefaultCookieName, token, &got); err != nil || !bytes.Equal(got, payload) {
				t.Errorf("Encrypt=%v, %d bytes: securecookie read the Store's cookie as %q, %v", encrypt, size, got, err)
			}
			theirs, err := plain.Encode(core.DefaultCookieName, bytes.Clone(payload))
			if err != nil {
				t.Fatal(err)
			}
			got, _, err = store.Load(context.Background(), theirs)
			if err != nil || !bytes.Equal(got, payload) {
				t.Errorf("Encrypt=%v, %d bytes: the Store read securecookie's cookie as %q, %v", encrypt, size, got, err)
			}
			tampered := []byte(theirs)
			tampered[len(tampered)/2] ^= 1
			if got, _, err := store.Load(context.Background(), string(tampered)); err != core.ErrNotFound {
				t.Errorf("Encrypt=%v, %d bytes: a tampered cookie loaded as %q, %v", encrypt, size, got, err)
			}
		}
	}
}

// TestConcurrentCodecs signs and verifies from many goroutines at once,
// under rotation, and checks every cookie against securecookie itself: the
// Store's codecs are shared by its calls.
func TestConcurrentCodecs(t *testing.T) {
	store := newStore(t, cookiestore.Options{Secrets: []string{newSecret, oldSecret}})
	old := newStore(t, cookiestore.Options{Secrets: []string{oldSecret}})
	plain := plainCodec(t, newSecret, false)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				payload := fmt.Appendf(nil, `{"g":%d,"i":%d}`, g, i)
				issuer := store
				if i%3 == 0 {
					issuer = old
				}
				token, err := issuer.Create(context.Background(), core.Record{Payload: payload, TTL: time.Hour})
				if err != nil {
					errs <- err
					return
				}
				got, reissue, err := store.Load(context.Background(), token)
				if err != nil || !bytes.Equal(got, payload) || reissue != (i%3 == 0) {
					errs <- fmt.Errorf("goroutine %d, cookie %d: loaded %q, reissue %v, %v", g, i, got, reissue, err)
					return
				}
				if issuer == store {
					var theirs []byte
					if err := plain.Decode(core.DefaultCookieName, token, &theirs); err != nil || !bytes.Equal(theirs, payload) {
						errs <- fmt.Errorf("goroutine %d, cookie %d: securecookie read %q, %v", g, i, theirs, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
