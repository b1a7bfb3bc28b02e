package core_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// limited is the CookieSource of a server that reads back cookies of
// limit bytes at most.
type limited struct{ limit int }

func (limited) CookieLines() []string        { return nil }
func (l limited) CookieLimit() (int, string) { return l.limit, "raise the buffer" }

// warns is a slog.Handler that keeps the messages of warnings.
type warns struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warns) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warns) Handle(_ context.Context, r slog.Record) error {
	if r.Level != slog.LevelWarn {
		return nil // the errors of the requests that fail
	}
	w.mu.Lock()
	w.msgs = append(w.msgs, r.Message)
	w.mu.Unlock()
	return nil
}
func (w *warns) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warns) WithGroup(string) slog.Handler      { return w }

// TestCookieLimiter serves requests from a server that reads back cookies
// of 1000 bytes at most: a cookie store's Manager warns once, on the first
// request, and refuses a larger cookie with an error that names the fix;
// a smaller one goes out. A server-side store's cookies, only an ID, fit:
// no warning.
func TestCookieLimiter(t *testing.T) {
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		store core.Store
		warn  bool
	}{
		{"cookiestore", cookies, true},
		{"memstore", mustMemstore(), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := new(warns)
			m := newManager(t, tt.store, &core.Options{Logger: slog.New(log)})
			commit := func(n int) error {
				var s core.Session
				ctx := m.Begin(&s, context.Background(), limited{1000})
				sess, err := core.FromContext(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := sess.Set("data", strings.Repeat("x", n)); err != nil {
					t.Fatal(err)
				}
				return m.Commit(ctx, &s, http.StatusOK, http.Header{})
			}
			if err := commit(100); err != nil {
				t.Fatalf("a small session: %v", err)
			}
			var tooLarge *core.CookieTooLargeError
			err := commit(1000)
			if tt.warn && (!errors.As(err, &tooLarge) || tooLarge.Limit != 1000 || !strings.HasSuffix(err.Error(), "; raise the buffer")) {
				t.Errorf("a session of 1000 bytes = %v; want a CookieTooLargeError with the limit of 1000 and the fix", err)
			} else if !tt.warn && err != nil {
				t.Errorf("a session of 1000 bytes in a server-side store = %v; want it saved", err)
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			if want := map[bool]int{true: 1, false: 0}[tt.warn]; len(log.msgs) != want || want == 1 && !strings.Contains(log.msgs[0], "raise the buffer") {
				t.Errorf("warnings %q; want %d, naming the fix", log.msgs, want)
			}
		})
	}
}
