package core

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// logged is a slog.Handler that keeps the messages it gets.
type logged struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logged) Enabled(context.Context, slog.Level) bool { return true }
func (l *logged) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.msgs = append(l.msgs, r.Level.String()+" "+r.Message)
	l.mu.Unlock()
	return nil
}
func (l *logged) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logged) WithGroup(string) slog.Handler      { return l }

// TestNoMiddlewareLoggedOnce asks for a session that no middleware put in
// the context, many times and at once: the package-level FromContext logs
// the mistake through slog.Default() once in the process, and each
// Manager's FromContext once through that Manager's Logger; every call
// returns ErrNoSession.
func TestNoMiddlewareLoggedOnce(t *testing.T) {
	def := new(logged)
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(def))
	noMiddlewareLogged.Store(false) // another test of the package may have used it

	own := [2]*logged{new(logged), new(logged)}
	var ms [2]*Manager
	for i := range ms {
		m, err := NewManager(nopStore{}, &Options{Logger: slog.New(own[i])})
		if err != nil {
			t.Fatal(err)
		}
		ms[i] = m
	}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for _, get := range []func(context.Context) (*Session, error){FromContext, ms[0].FromContext, ms[1].FromContext} {
				if s, err := get(context.Background()); s != nil || !errors.Is(err, ErrNoSession) {
					t.Errorf("FromContext without a session = %v, %v; want nil, ErrNoSession", s, err)
				}
			}
		})
	}
	wg.Wait()
	for name, l := range map[string]*logged{"slog.Default()": def, "the first Manager's Logger": own[0], "the second Manager's Logger": own[1]} {
		if len(l.msgs) != 1 || !strings.HasPrefix(l.msgs[0], "ERROR session middleware missing") || !strings.Contains(l.msgs[0], "install the adapter's Middleware") {
			t.Errorf("%s got %q; want one error naming the fix", name, l.msgs)
		}
	}
}

// nopStore is a Store that a Manager accepts and these tests never call.
type nopStore struct{ Store }
