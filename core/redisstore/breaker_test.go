package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// Errors a call through the breaker can end with.
var (
	refused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	slow    = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
)

// proto is an error reply from Redis.
type proto string

func (e proto) Error() string { return string(e) }
func (proto) RedisError()     {}

// What the breaker makes of each way a call to Redis can end: see
// core/internal/breaker for what it then does.
func TestBreakerClassifiesErrors(t *testing.T) {
	tests := []struct {
		name                    string
		err                     error
		answered, connectFailed bool
	}{
		{"no error", nil, true, false},
		{"nil reply", redis.Nil, true, false},
		{"error reply", proto("ERR wrong number of arguments"), true, false},
		{"wrapped error reply", fmt.Errorf("load: %w", proto("LOADING Redis is loading the dataset in memory")), true, false},
		{"refused dial", refused, false, true},
		{"read deadline", slow, false, false},
		{"call deadline", context.DeadlineExceeded, false, false},
		{"canceled", context.Canceled, false, false},
		{"pool timeout", errors.New("redis: connection pool timeout"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := answered(tt.err); got != tt.answered {
				t.Errorf("answered(%v) = %v; want %v", tt.err, got, tt.answered)
			}
			if got := connectFailed(tt.err); got != tt.connectFailed {
				t.Errorf("connectFailed(%v) = %v; want %v", tt.err, got, tt.connectFailed)
			}
		})
	}
}

// openBreaker returns a breaker hook that breaker.Threshold GETs, each
// failing to dial, opened.
func openBreaker(t *testing.T) breakerHook {
	t.Helper()
	h := newBreaker()
	process := h.ProcessHook(func(context.Context, redis.Cmder) error { return refused })
	ctx := context.Background()
	for range breaker.Threshold {
		process(ctx, redis.NewStringCmd(ctx, "get", "k"))
	}
	return h
}

// wantStopped fails t unless err is the error of a call the open breaker
// stopped, as the store's callers see it.
func wantStopped(t *testing.T, err error, what string) {
	t.Helper()
	const prefix = "redisstore: not calling Redis for now: the last connections to it failed: "
	var open *breaker.OpenError
	if !errors.As(err, &open) || !errors.Is(err, syscall.ECONNREFUSED) || !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("%s = %v; want it stopped with %q and the refused connection", what, err, prefix+"...")
	}
}

// The commands go-redis sends on a new connection go through whatever the
// breaker's state: they belong to the call that needed the connection.
// Other commands, alone or in a pipeline, are stopped, with the error set
// on each.
func TestBreakerHooksWhenOpen(t *testing.T) {
	h := openBreaker(t)
	var ran int
	process := h.ProcessHook(func(context.Context, redis.Cmder) error { ran++; return nil })
	ctx := context.Background()
	if err := process(ctx, redis.NewStatusCmd(ctx, "hello", 3)); err != nil || ran != 1 {
		t.Errorf("HELLO through an open breaker = %v (ran %d times); want it sent", err, ran)
	}
	get := redis.NewStringCmd(ctx, "get", "k")
	err := process(ctx, get)
	wantStopped(t, err, "GET through an open breaker")
	if get.Err() != err || ran != 1 {
		t.Errorf("GET through an open breaker: cmd.Err() = %v (ran %d times); want the breaker's error on the command, and the command not sent", get.Err(), ran)
	}

	pipeline := h.ProcessPipelineHook(func(context.Context, []redis.Cmder) error { ran++; return nil })
	setup := []redis.Cmder{redis.NewStatusCmd(ctx, "hello", 3), redis.NewStatusCmd(ctx, "client", "setname", "app")}
	if err := pipeline(ctx, setup); err != nil || ran != 2 {
		t.Errorf("a handshake pipeline through an open breaker = %v (ran %d times); want it sent", err, ran)
	}
	cmds := []redis.Cmder{redis.NewStringCmd(ctx, "get", "k"), redis.NewIntCmd(ctx, "expire", "k", 60)}
	err = pipeline(ctx, cmds)
	wantStopped(t, err, "a pipeline through an open breaker")
	for _, cmd := range cmds {
		if cmd.Err() != err {
			t.Errorf("pipeline through an open breaker: %s's Err() = %v; want the breaker's error", cmd.Name(), cmd.Err())
		}
	}
	if ran != 2 {
		t.Errorf("pipeline through an open breaker ran; want it stopped")
	}
}

// A connection made closes the breaker; a failed dial is counted by the
// call that needed it, not by the dial hook.
func TestBreakerDials(t *testing.T) {
	ctx := context.Background()
	get := func(h breakerHook) error {
		process := h.ProcessHook(func(context.Context, redis.Cmder) error { return nil })
		return process(ctx, redis.NewStringCmd(ctx, "get", "k"))
	}
	t.Run("a connection is made", func(t *testing.T) {
		h := openBreaker(t)
		dial := h.DialHook(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
		if _, err := dial(ctx, "tcp", "127.0.0.1:6379"); err != nil {
			t.Fatal(err)
		}
		if err := get(h); err != nil {
			t.Errorf("GET after a connection was made = %v; want it let through", err)
		}
	})
	t.Run("dials fail", func(t *testing.T) {
		h := newBreaker()
		dial := h.DialHook(func(context.Context, string, string) (net.Conn, error) { return nil, refused })
		for range 2 * breaker.Threshold {
			if _, err := dial(ctx, "tcp", "127.0.0.1:6379"); err != refused {
				t.Fatalf("dial = %v; want %v", err, refused)
			}
		}
		if err := get(h); err != nil {
			t.Errorf("GET after %d failed dials and no failed call = %v; want it let through", 2*breaker.Threshold, err)
		}
	})
}

// counter is a go-redis hook, installed after the breaker, that counts the
// calls the breaker lets through.
type counter struct{ calls atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !handshake(cmd) {
			c.calls.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !handshake(cmds[0]) {
			c.calls.Add(1)
		}
		return next(ctx, cmds)
	}
}

// counted returns a Store from NewFromURL and the counter of what its
// breaker lets through.
func counted(t *testing.T, url string, opts *Options) (*Store, *counter) {
	t.Helper()
	s, err := NewFromURL(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := new(counter)
	s.client.AddHook(c)
	return s, c
}

// TestBreakerRedisKilled kills a real redis-server under a store from
// NewFromURL: once a few calls have failed to connect, the others fail at
// once without reaching go-redis, each with an error for a failed store;
// when the server is back, calls succeed again within a second or so,
// without any help.
func TestBreakerRedisKilled(t *testing.T) {
	srv := redistest.StartLocal(t)
	s, c := counted(t, srv.URL(), nil)
	ctx := context.Background()
	tok, err := s.Create(ctx, core.Record{Payload: []byte(`{"c":1,"i":1}`), TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}

	srv.Kill(t)
	const calls = 50
	before, start := c.calls.Load(), time.Now()
	var stopped int
	for i := range calls {
		_, _, err := s.Load(ctx, tok)
		if err == nil || errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Load %d with Redis down = %v; want a store error", i+1, err)
		}
		var open *breaker.OpenError
		if errors.As(err, &open) {
			stopped++
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("Load %d = %v; want the refused connection that opened the breaker wrapped", i+1, err)
			}
		}
	}
	// Each cooldown that ended during the calls let one more call try.
	probes := int64(time.Since(start) / breaker.Cooldown)
	if through := c.calls.Load() - before; through > breaker.Threshold+probes || int64(stopped) < calls-breaker.Threshold-probes {
		t.Errorf("with Redis down, %d of %d calls reached go-redis and %d were stopped; want %d to reach it (and %d probes), the others stopped",
			through, calls, stopped, breaker.Threshold, probes)
	}

	srv.Restart(t)
	back := time.Now()
	for {
		_, _, err := s.Load(ctx, tok)
		if errors.Is(err, core.ErrNotFound) { // the server restarted empty
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("Load 5s after Redis came back = %v; want the store to recover by itself", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("recovered %v after Redis was back", time.Since(back).Round(time.Millisecond))
}

// TestBreakerSilentRedis calls a server that accepts connections and never
// answers, as a stalled Redis does: every call fails at its deadline, and
// the breaker never opens, since a late answer is not a failed connection.
func TestBreakerSilentRedis(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		var conns []net.Conn
		for {
			conn, err := l.Accept()
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return
			}
			conns = append(conns, conn)
		}
	}()
	t.Cleanup(func() { l.Close(); <-accepted })

	s, c := counted(t, "redis://"+l.Addr().String()+"/0", &Options{Timeout: 50 * time.Millisecond})
	const calls = 3 * breaker.Threshold
	for i := range calls {
		if _, _, err := s.Load(context.Background(), core.NewID()); err == nil || errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Load %d from a silent server = %v; want a store error", i+1, err)
		}
	}
	if n := c.calls.Load(); n != calls {
		t.Errorf("%d of %d calls to a silent server reached go-redis; want all: a slow answer must not open the breaker", n, calls)
	}
}
