package cookiestore_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/storetest"
)

const (
	oldSecret = "the secret we used until yesterday, 32+ bytes"
	newSecret = "the secret we rotated to this morning, 32+ bytes"
)

func newStore(t testing.TB, opts cookiestore.Options) *cookiestore.Store {
	t.Helper()
	s, err := cookiestore.New(&opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Run("signed", func(t *testing.T) {
		storetest.Run(t, newStore(t, cookiestore.Options{Secrets: []string{newSecret}}), nil)
	})
	t.Run("encrypted", func(t *testing.T) {
		storetest.Run(t, newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Encrypt: true}), nil)
	})
}

func TestNewRejects(t *testing.T) {
	for name, opts := range map[string]cookiestore.Options{
		"no secret":           {},
		"short secret":        {Secrets: []string{"short"}},
		"short second secret": {Secrets: []string{newSecret, "short"}},
	} {
		if _, err := cookiestore.New(&opts); !errors.Is(err, core.ErrConfig) {
			t.Errorf("New(%s) = %v; want core.ErrConfig", name, err)
		}
	}
}

// request runs one request on a Manager for store: it sends cookie, lets
// use work on the session, and returns the new cookie ("" if none).
func request(t *testing.T, store core.Store, cookie string, use func(*core.Session)) string {
	t.Helper()
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	var s core.Session
	var lines []string
	if cookie != "" {
		lines = []string{"session=" + cookie}
	}
	ctx := m.Begin(&s, context.Background(), core.CookiesFrom(http.Header{"Cookie": lines}))
	sess, err := core.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	use(sess)
	h := http.Header{}
	if err := m.Commit(ctx, &s, http.StatusOK, h); err != nil {
		t.Fatal(err)
	}
	if c := (&http.Response{Header: h}).Cookies(); len(c) == 1 {
		return c[0].Value
	}
	return ""
}

func user(s *core.Session) string { v, _ := s.String("user"); return v }

func TestKeyRotation(t *testing.T) {
	old := newStore(t, cookiestore.Options{Secrets: []string{oldSecret}})
	rotated := newStore(t, cookiestore.Options{Secrets: []string{newSecret, oldSecret}})
	fresh := newStore(t, cookiestore.Options{Secrets: []string{newSecret}})

	cookie := request(t, old, "", func(s *core.Session) { s.Set("user", "alice") })
	if got := request(t, fresh, cookie, func(s *core.Session) {
		if user(s) != "" {
			t.Errorf("a store without the old secret read %q", user(s))
		}
	}); got != "" {
		t.Errorf("reading a rejected cookie set a cookie")
	}
	var seen string
	reissued := request(t, rotated, cookie, func(s *core.Session) { seen = user(s) })
	if seen != "alice" {
		t.Fatalf("after rotation the old cookie reads as %q; want alice", seen)
	}
	if reissued == "" || reissued == cookie {
		t.Fatalf("a cookie verified by an old secret was not re-issued")
	}
	request(t, fresh, reissued, func(s *core.Session) { seen = user(s) })
	if seen != "alice" {
		t.Fatalf("the re-issued cookie reads as %q under the new secret alone; want alice", seen)
	}
	if again := request(t, rotated, reissued, func(s *core.Session) { user(s) }); again != "" {
		t.Fatalf("a cookie under the newest secret was re-issued again")
	}
}

func TestSalt(t *testing.T) {
	a := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Salt: "app-a"})
	b := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Salt: "app-b"})
	cookie := request(t, a, "", func(s *core.Session) { s.Set("user", "alice") })
	request(t, b, cookie, func(s *core.Session) {
		if user(s) != "" {
			t.Errorf("another salt read the session as %q", user(s))
		}
	})
}

// TestModesDoNotMix checks that a cookie issued by a signed store is not
// verified by an encrypted store with the same secret, nor the reverse:
// each mode signs with its own key.
func TestModesDoNotMix(t *testing.T) {
	for _, encrypt := range []bool{false, true} {
		issuer := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Encrypt: encrypt})
		reader := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Encrypt: !encrypt})
		cookie, err := issuer.Create(context.Background(), core.Record{Payload: []byte(`{}`), TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := reader.Load(context.Background(), cookie); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("Encrypt=%v cookie loaded with Encrypt=%v: %q, %v; want core.ErrNotFound", encrypt, !encrypt, got, err)
		}
	}
}

func TestEncryption(t *testing.T) {
	for _, encrypt := range []bool{false, true} {
		store := newStore(t, cookiestore.Options{Secrets: []string{newSecret}, Encrypt: encrypt})
		cookie := request(t, store, "", func(s *core.Session) { s.Set("user", "alice@example.com") })
		outer, err := base64.URLEncoding.DecodeString(cookie)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(string(outer), "|")
		inner, _ := base64.URLEncoding.DecodeString(parts[1])
		readable := strings.Contains(string(inner), "alice@example.com")
		if readable == encrypt {
			t.Errorf("Encrypt=%v: payload readable = %v", encrypt, readable)
		}
		var seen string
		request(t, store, cookie, func(s *core.Session) { seen = user(s) })
		if seen != "alice@example.com" {
			t.Errorf("Encrypt=%v: read back %q", encrypt, seen)
		}
	}
}

// FuzzCookieHeader feeds arbitrary Cookie headers to a Manager on the
// cookie store (see storetest.FuzzCookieHeader).
func FuzzCookieHeader(f *testing.F) {
	store := newStore(f, cookiestore.Options{Secrets: []string{newSecret}})
	storetest.FuzzCookieHeader(f, store, "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA")
}
