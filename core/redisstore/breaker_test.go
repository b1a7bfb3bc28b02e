package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
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
	refused  = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	dialSlow = &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	slow     = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
)

// proto is an error reply from Redis.
type proto string

func (e proto) Error() string { return string(e) }
func (proto) RedisError()     {}

// What the breaker makes of each way a call to Redis can end: see
// core/internal/breaker for what it then does.
func TestBreakerClassifiesErrors(t *testing.T) {
	tests := []struct {
		name                                string
		err                                 error
		answered, connectFailed, unanswered bool
	}{
		{"no error", nil, true, false, false},
		{"nil reply", redis.Nil, true, false, false},
		{"error reply", proto("ERR wrong number of arguments"), true, false, false},
		{"wrapped error reply", fmt.Errorf("load: %w", proto("LOADING Redis is loading the dataset in memory")), true, false, false},
		{"refused dial", refused, false, true, false},
		{"dial deadline", dialSlow, false, true, false},
		{"read deadline", slow, false, false, true},
		{"handshake deadline", os.ErrDeadlineExceeded, false, false, true},
		{"call deadline", context.DeadlineExceeded, false, false, false},
		{"canceled", context.Canceled, false, false, false},
		{"pool timeout", redis.ErrPoolTimeout, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := answered(tt.err); got != tt.answered {
				t.Errorf("answered(%v) = %v; want %v", tt.err, got, tt.answered)
			}
			if got := connectFailed(tt.err); got != tt.connectFailed {
				t.Errorf("connectFailed(%v) = %v; want %v", tt.err, got, tt.connectFailed)
			}
			if got := unanswered(tt.err); got != tt.unanswered {
				t.Errorf("unanswered(%v) = %v; want %v", tt.err, got, tt.unanswered)
			}
		})
	}
}

// openBreaker returns a breaker hook that breaker.Threshold GETs, each
// failing to dial, opened.
func openBreaker(t *testing.T) breakerHook {
	t.Helper()
	h := testHook()
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
	const prefix = "redisstore: not calling Redis at 127.0.0.1:1 for now: the last connections to it failed: "
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

// testHook returns a breaker hook for a client of 127.0.0.1:1, where no
// test dials.
func testHook() breakerHook {
	return newBreaker(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: time.Second}, "Redis at 127.0.0.1:1")
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
// answers, as a stopped Redis does: the first calls fail at the answer
// budget, and once breaker.Threshold of them have, the others fail at once
// without reaching go-redis, with an error that says Redis did not answer.
func TestBreakerSilentRedis(t *testing.T) {
	s, c := counted(t, "redis://"+silent(t)+"/0?read_timeout=50ms&write_timeout=50ms", nil)
	const calls = 3 * breaker.Threshold
	var stopped int
	for i := range calls {
		_, _, err := s.Load(context.Background(), core.NewID())
		if err == nil || errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Load %d from a silent server = %v; want a store error", i+1, err)
		}
		var open *breaker.OpenError
		if errors.As(err, &open) {
			stopped++
			if !strings.Contains(err.Error(), "did not answer") || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("Load %d = %v; want the breaker's error saying Redis did not answer", i+1, err)
			}
		}
	}
	if n := c.calls.Load(); n > breaker.Threshold+1 || stopped < calls-breaker.Threshold-1 {
		t.Errorf("%d of %d calls to a silent server reached go-redis, %d were stopped; want %d to reach it (and perhaps a probe), the others stopped",
			n, calls, stopped, breaker.Threshold)
	}
}

// silent returns the address of a server that accepts connections and
// never answers; t.Cleanup stops it.
func silent(t *testing.T) string {
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
	return l.Addr().String()
}

// TestBreakerSendsDroppedCallAgain drops the connection of a call before
// Redis gets its command, as a Redis that restarted or a proxy that closed
// an idle connection does: the call is sent again, once, on a new
// connection, and succeeds. (Without the hook, NewFromURL's client would
// retry nothing.)
func TestBreakerSendsDroppedCallAgain(t *testing.T) {
	srv := redistest.StartLocal(t)
	proxy := dropper(t, srv.Addr())
	s, c := counted(t, "redis://"+proxy.addr+"/0", nil)
	tok, err := s.Create(context.Background(), core.Record{Payload: []byte(`{"c":1,"i":1}`), TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	proxy.armed.Store(true) // the next command that reaches it closes its connection
	before := c.calls.Load()
	if p, _, err := s.Load(context.Background(), tok); err != nil || string(p) != `{"c":1,"i":1}` {
		t.Fatalf("Load whose connection was dropped = %q, %v; want the session", p, err)
	}
	if proxy.armed.Load() {
		t.Fatal("the proxy dropped no connection")
	}
	if n := c.calls.Load() - before; n != 2 {
		t.Errorf("the call reached go-redis %d times; want twice: dropped, and sent again", n)
	}
}

// A dropProxy forwards connections to a Redis server, and while armed
// closes the first connection whose client sends something, instead of
// forwarding it, and disarms.
type dropProxy struct {
	addr  string
	armed atomic.Bool
}

func dropper(t *testing.T, target string) *dropProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{addr: l.Addr().String()}
	done := make(chan struct{})
	var conns sync.WaitGroup
	go func() {
		defer close(done)
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			conns.Go(func() { p.pipe(client, server) })
			conns.Go(func() { _, _ = io.Copy(client, server); client.Close() })
		}
	}()
	t.Cleanup(func() { l.Close(); <-done; conns.Wait() })
	return p
}

// pipe forwards what client sends to server until either closes, or until
// the proxy, armed, drops both.
func (p *dropProxy) pipe(client, server net.Conn) {
	defer server.Close()
	defer client.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if err != nil {
			return
		}
		if p.armed.CompareAndSwap(true, false) {
			return
		}
		if _, err := server.Write(buf[:n]); err != nil {
			return
		}
	}
}

// TestBreakerIgnoresCallersDeadline calls a silent server with contexts
// whose deadline is far shorter than the answer budget, as a request with
// a tight deadline of its own would: each call fails at that deadline,
// with an error that matches context.DeadlineExceeded, and none counts
// against Redis: the breaker stays closed.
func TestBreakerIgnoresCallersDeadline(t *testing.T) {
	s, c := counted(t, "redis://"+silent(t)+"/0", nil)
	const calls = 3 * breaker.Threshold
	for i := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, _, err := s.Load(ctx, core.NewID())
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Redis at ") {
			t.Fatalf("Load %d with a 20ms deadline from a silent server = %v; want an error of the store matching context.DeadlineExceeded", i+1, err)
		}
	}
	if n := c.calls.Load(); n != calls {
		t.Errorf("%d of %d calls reached go-redis; want all: a caller's own deadline says nothing of Redis", n, calls)
	}
}
