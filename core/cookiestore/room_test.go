package cookiestore_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// TestRoom measures how much session data fits in the cookie: the longest
// string that one key can hold before the Set-Cookie header passes
// core.MaxCookieSize, with the Manager's default cookie ("session",
// Secure, HttpOnly, SameSite=Lax, Path=/; the size check counts the room
// of a persistent cookie's Max-Age and Expires either way). securecookie encodes the payload
// in base64 and the cookie encodes the signed result in base64 again, so
// the 4096 bytes hold about 2.1 KB. The README's store table, the stores
// guide and core.CookieTooLargeError's message give these figures: when
// this test fails, update them with the numbers it reports.
func TestRoom(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts cookiestore.Options
		want int
	}{
		{"signed", cookiestore.Options{Secrets: []string{newSecret}}, 2161},
		{"encrypted", cookiestore.Options{Secrets: []string{newSecret}, Encrypt: true}, 2145},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := core.NewManager(newStore(t, tt.opts), &core.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			commit := func(n int) error {
				var s core.Session
				ctx := m.Begin(&s, context.Background(), nil)
				sess, err := core.FromContext(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := sess.Set("data", strings.Repeat("x", n)); err != nil {
					t.Fatal(err)
				}
				return m.Commit(ctx, &s, http.StatusOK, http.Header{})
			}
			room := sort.Search(core.MaxCookieSize, func(n int) bool { return commit(n) != nil }) - 1
			if room != tt.want {
				t.Errorf("the cookie holds a string of %d bytes at most; the docs say %d: update them", room, tt.want)
			}
			var tooLarge *core.CookieTooLargeError
			err = commit(room + 1)
			if !errors.As(err, &tooLarge) || tooLarge.Limit != core.MaxCookieSize || !strings.Contains(err.Error(), "about 2.1 KB of session data") {
				t.Errorf("committing %d bytes = %v; want a CookieTooLargeError that says how much fits", room+1, err)
			}
		})
	}
}
