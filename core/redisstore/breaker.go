package redisstore

import (
	"context"
	"errors"
	"net"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core/internal/breaker"
)

// A breakerHook is the go-redis hook that puts a circuit breaker (see
// core/internal/breaker) in front of NewFromURL's client. The breaker
// opens only when calls fail to connect (a dial error: refused,
// unreachable, no such host, or no answer to the connection attempt within
// the connect budget). While it is open, calls fail at once, without
// dialing, and without go-redis logging a failed dial for each of them. A
// new connection made closes it, as an answer does.
type breakerHook struct{ b *breaker.Breaker }

var _ redis.Hook = breakerHook{}

func newBreaker() breakerHook {
	return breakerHook{&breaker.Breaker{
		Server:        "Redis",
		Prefix:        "redisstore",
		Answered:      answered,
		ConnectFailed: connectFailed,
	}}
}

// answered reports whether err, a call's result, shows that Redis
// answered: no error, a nil reply or an error reply.
func answered(err error) bool {
	var reply redis.Error
	return err == nil || errors.As(err, &reply)
}

// connectFailed reports whether err shows that no connection to Redis
// could be made. go-redis returns the dialer's error (a *net.OpError of
// Op "dial") both for a dial it tried and, once dials have failed as many
// times as the pool has connections, for the dials it then skips.
func connectFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// handshake reports whether cmd is one that go-redis sends on a new
// connection before the call that needed it (HELLO, AUTH, SELECT, CLIENT
// SETNAME and the like): the breaker neither stops nor counts those.
func handshake(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "select", "client", "readonly":
		return true
	}
	return false
}

func (h breakerHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err == nil {
			h.b.Connected()
		}
		// A failure is counted once, by the call that needed the
		// connection, whatever go-redis retried on the way.
		return conn, err
	}
}

func (h breakerHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if handshake(cmd) {
			return next(ctx, cmd)
		}
		probe, err := h.b.Allow()
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		err = next(ctx, cmd)
		h.b.Done(probe, err)
		return err
	}
}

func (h breakerHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && handshake(cmds[0]) {
			return next(ctx, cmds)
		}
		probe, err := h.b.Allow()
		if err != nil {
			for _, cmd := range cmds {
				cmd.SetErr(err)
			}
			return err
		}
		err = next(ctx, cmds)
		h.b.Done(probe, err)
		return err
	}
}
