package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// Errors a call through the breaker can end with.
var (
	refused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	slow    = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	reply   = redis.Nil // an answer: no such key
)

// fakeClock is the breaker's clock in the tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

// newTestBreaker returns a closed breaker on a fake clock.
func newTestBreaker() (*breaker, *fakeClock) {
	c := &fakeClock{time.Unix(1e9, 0)}
	return &breaker{now: c.now}, c
}

// call runs one call through b that ends with err, and returns what the
// breaker made of it: nil if the call went through, the breaker's error
// if it was stopped.
func call(b *breaker, err error) error {
	probe, stop := b.allow()
	if stop != nil {
		return stop
	}
	b.done(probe, err)
	return nil
}

// wantOpen fails t unless b stops the next call with an error that wraps
// the connection error.
func wantOpen(t *testing.T, b *breaker, when string) {
	t.Helper()
	err := call(b, nil)
	var open *openError
	if !errors.As(err, &open) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("%s: call = %v; want it stopped with an error wrapping ECONNREFUSED", when, err)
	}
}

// wantClosed fails t unless b lets calls through.
func wantClosed(t *testing.T, b *breaker, when string) {
	t.Helper()
	for range 2 * breakerThreshold {
		if err := call(b, reply); err != nil {
			t.Fatalf("%s: call = %v; want it let through", when, err)
		}
	}
}

func TestBreakerOpensOnConnectionFailures(t *testing.T) {
	b, clock := newTestBreaker()
	for i := range breakerThreshold - 1 {
		if err := call(b, refused); err != nil {
			t.Fatalf("failure %d: call = %v; want it let through", i+1, err)
		}
	}
	if err := call(b, reply); err != nil { // an answer in between: not in a row
		t.Fatal(err)
	}
	for range breakerThreshold - 1 {
		call(b, refused)
	}
	if err := call(b, nil); err != nil {
		t.Fatalf("after %d failures, an answer, %d failures: call = %v; want it let through", breakerThreshold-1, breakerThreshold-1, err)
	}
	for range breakerThreshold {
		call(b, refused)
	}
	wantOpen(t, b, fmt.Sprintf("after %d failures in a row", breakerThreshold))
	clock.add(breakerCooldown - time.Millisecond)
	wantOpen(t, b, "just before the cooldown ends")
}

func TestBreakerHalfOpen(t *testing.T) {
	open := func(t *testing.T) (*breaker, *fakeClock) {
		b, clock := newTestBreaker()
		for range breakerThreshold {
			call(b, refused)
		}
		clock.add(breakerCooldown)
		return b, clock
	}
	t.Run("the probe fails to connect", func(t *testing.T) {
		b, clock := open(t)
		probe, err := b.allow()
		if !probe || err != nil {
			t.Fatalf("allow after the cooldown = %v, %v; want the probe", probe, err)
		}
		wantOpen(t, b, "while the probe is in flight")
		b.done(probe, refused)
		wantOpen(t, b, "after the probe failed")
		clock.add(breakerCooldown)
		if probe, err := b.allow(); !probe || err != nil {
			t.Fatalf("allow a cooldown after the failed probe = %v, %v; want another probe", probe, err)
		}
	})
	t.Run("the probe is answered", func(t *testing.T) {
		b, _ := open(t)
		probe, _ := b.allow()
		b.done(probe, proto("ERR wrong number of arguments"))
		wantClosed(t, b, "after an answered probe")
	})
	t.Run("the probe times out", func(t *testing.T) {
		b, _ := open(t)
		probe, _ := b.allow()
		b.done(probe, context.DeadlineExceeded)
		if probe, err := b.allow(); !probe || err != nil {
			t.Fatalf("allow after a probe that timed out = %v, %v; want the next probe", probe, err)
		}
	})
	t.Run("a connection is made", func(t *testing.T) {
		b, _ := open(t)
		dial := b.DialHook(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
		if _, err := dial(context.Background(), "tcp", "127.0.0.1:6379"); err != nil {
			t.Fatal(err)
		}
		wantClosed(t, b, "after a connection was made")
	})
}

// Slow answers never open the breaker: a healthy Redis on an overloaded
// machine answers late, and must not be cut off.
func TestBreakerIgnoresSlowAnswers(t *testing.T) {
	b, _ := newTestBreaker()
	for _, err := range []error{slow, context.DeadlineExceeded, context.Canceled, errors.New("redis: connection pool timeout")} {
		for range 10 * breakerThreshold {
			if stop := call(b, err); stop != nil {
				t.Fatalf("after calls that ended with %v: call = %v; want it let through", err, stop)
			}
		}
	}
}

// The commands go-redis sends on a new connection go through whatever the
// breaker's state: they belong to the call that needed the connection.
func TestBreakerLetsHandshakesThrough(t *testing.T) {
	b, _ := newTestBreaker()
	for range breakerThreshold {
		call(b, refused)
	}
	var ran int
	process := b.ProcessHook(func(context.Context, redis.Cmder) error { ran++; return nil })
	ctx := context.Background()
	if err := process(ctx, redis.NewStatusCmd(ctx, "hello", 3)); err != nil || ran != 1 {
		t.Errorf("HELLO through an open breaker = %v (ran %d times); want it sent", err, ran)
	}
	get := redis.NewStringCmd(ctx, "get", "k")
	if err := process(ctx, get); err == nil || get.Err() != err || ran != 1 {
		t.Errorf("GET through an open breaker = %v, cmd.Err() = %v (ran %d times); want it stopped, with the error on the command", err, get.Err(), ran)
	}
}

// proto is an error reply from Redis.
type proto string

func (e proto) Error() string { return string(e) }
func (proto) RedisError()     {}

// counter is a go-redis hook, installed after the breaker, that counts the
// dials and calls the breaker lets through.
type counter struct{ dials, calls atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.dials.Add(1)
		return next(ctx, network, addr)
	}
}

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
		var open *openError
		if errors.As(err, &open) {
			stopped++
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("Load %d = %v; want the refused connection that opened the breaker wrapped", i+1, err)
			}
		}
	}
	// Each cooldown that ended during the calls let one more call try.
	probes := int64(time.Since(start) / breakerCooldown)
	if through := c.calls.Load() - before; through > breakerThreshold+probes || int64(stopped) < calls-breakerThreshold-probes {
		t.Errorf("with Redis down, %d of %d calls reached go-redis and %d were stopped; want %d to reach it (and %d probes), the others stopped",
			through, calls, stopped, breakerThreshold, probes)
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
	const calls = 3 * breakerThreshold
	for i := range calls {
		if _, _, err := s.Load(context.Background(), core.NewID()); err == nil || errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Load %d from a silent server = %v; want a store error", i+1, err)
		}
	}
	if n := c.calls.Load(); n != calls {
		t.Errorf("%d of %d calls to a silent server reached go-redis; want all: a slow answer must not open the breaker", n, calls)
	}
}
