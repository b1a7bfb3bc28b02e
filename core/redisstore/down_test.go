package redisstore_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

// TestRedisDown checks that every method fails within its budget, and not
// with ErrNotFound, when Redis is unreachable or does not answer. (The
// limits leave a busy machine room: without the budgets, go-redis's
// defaults take seconds.)
func TestRedisDown(t *testing.T) {
	closed := freeAddr(t) // nothing listens: connections are refused
	silent := silentServer(t)
	tests := []struct {
		name  string
		store func(t *testing.T) core.Store
		limit time.Duration
	}{
		// go-redis's default options retry dials and commands: the
		// Store's Timeout ends the call.
		{"refused/New", func(t *testing.T) core.Store {
			c := redis.NewClient(&redis.Options{Addr: closed, ContextTimeoutEnabled: true})
			t.Cleanup(func() { c.Close() })
			return newStore(t, c, &redisstore.Options{Timeout: 150 * time.Millisecond})
		}, time.Second},
		// NewFromURL's client gives up at once, well before the default
		// Timeout.
		{"refused/NewFromURL", func(t *testing.T) core.Store { return fromURL(t, "redis://"+closed, nil) }, 500 * time.Millisecond},
		// Accepts connections, never answers: the deadline ends the first
		// calls, the breaker the others.
		{"silent", func(t *testing.T) core.Store {
			return fromURL(t, "redis://"+silent, &redisstore.Options{Timeout: 100 * time.Millisecond})
		}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.store(t)
			ops := map[string]func() error{
				"Load":   func() error { _, _, err := s.Load(ctx, core.NewID()); return err },
				"Create": func() error { _, err := s.Create(ctx, record(`{}`)); return err },
				"Update": func() error { _, err := s.Update(ctx, core.NewID(), []byte(`{}`), record(`{}`)); return err },
				"Renew":  func() error { _, err := s.Renew(ctx, core.NewID(), []byte(`{}`), record(`{}`)); return err },
				"Delete": func() error { return s.Delete(ctx, core.NewID()) },
			}
			for name, op := range ops {
				for range 2 {
					start := time.Now()
					err := op()
					if d := time.Since(start); d > tt.limit {
						t.Errorf("%s took %v; want under %v", name, d, tt.limit)
					}
					if err == nil || errors.Is(err, core.ErrNotFound) {
						t.Errorf("%s = %v; want a store error, not success or ErrNotFound", name, err)
					}
				}
			}
		})
	}
}

func fromURL(t *testing.T, url string, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	s, err := redisstore.NewFromURL(url, opts)
	if err != nil {
		t.Fatalf("NewFromURL = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentServer accepts connections and never writes a byte; t.Cleanup
// stops it.
func silentServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}
