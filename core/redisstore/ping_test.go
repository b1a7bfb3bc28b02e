package redisstore_test

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

func TestPing(t *testing.T) {
	srv := redistest.StartLocal(t)
	addr := srv.Addr()
	locked := redistest.StartLocal(t) // a server that wants a password
	if err := locked.Client(t).ConfigSet(context.Background(), "requirepass", "the password").Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		url   string
		cause func(error) bool // what the error wraps; nil: no error
	}{
		{"answers", srv.URL(), nil},
		{"refused", redistest.UnreachableURL(t), func(err error) bool {
			var op *net.OpError
			return errors.As(err, &op) && errors.Is(err, syscall.ECONNREFUSED)
		}},
		{"right password", "redis://:the%20password@" + locked.Addr() + "/0", nil},
		{"wrong password", "redis://:not-the-password@" + locked.Addr() + "/0", isReply},
		{"no password", "redis://" + locked.Addr() + "/0", isReply},
		{"no such database", "redis://" + addr + "/99", isReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fromURL(t, tt.url, nil)
			err := s.Ping(context.Background())
			switch {
			case tt.cause == nil && err != nil:
				t.Fatalf("Ping = %v; want nil", err)
			case tt.cause != nil && (!errors.Is(err, core.ErrStore) || !tt.cause(err)):
				t.Fatalf("Ping = %v; want an error matching core.ErrStore that wraps the client's", err)
			case tt.cause != nil && core.StatusCode(err) != 503:
				t.Fatalf("core.StatusCode(%v) = %d; want 503", err, core.StatusCode(err))
			}
		})
	}

	// A client the application built.
	s := newStore(t, srv.Client(t), nil)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping through New's client = %v; want nil", err)
	}
}

// isReply reports whether err wraps an error reply from Redis.
func isReply(err error) bool {
	var reply redis.Error
	return errors.As(err, &reply)
}

// The Store's Ping honours the context's deadline.
func TestPingCanceled(t *testing.T) {
	s := fromURL(t, redistest.UnreachableURL(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Ping(ctx); !errors.Is(err, core.ErrStore) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Ping with a canceled context = %v; want an error matching core.ErrStore and context.Canceled", err)
	}
}
