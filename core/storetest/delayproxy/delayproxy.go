// Package delayproxy is a TCP proxy for tests that puts a network's delay
// between an application and the server it uses, such as a session store:
// a store one millisecond away behaves, under contention, as it does in
// production, where a commit's round trips leave time for other requests'
// writes to come in between.
//
//	addr := delayproxy.Start(t, srv.Addr(), time.Millisecond)
//	client := redis.NewClient(&redis.Options{Addr: addr})
//
// Each byte is held for the delay in each direction, so a round trip takes
// twice the delay longer than it would; bytes are never reordered, and
// pipelined requests stay pipelined (the delay is latency, not a limit on
// throughput). The proxy listens on a free loopback port and forwards
// every connection it accepts to a new connection to the target. It is
// stopped, with every connection it forwards, by t.Cleanup.
package delayproxy

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Start starts a proxy to target (a host:port) that delays the data in
// each direction by delay, and returns the host:port it listens on.
// t.Cleanup stops it.
func Start(t testing.TB, target string, delay time.Duration) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("delayproxy: %v", err)
	}
	p := &proxy{target: target, delay: delay, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return ln.Addr().String()
}

type proxy struct {
	target string
	delay  time.Duration
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		if !p.track(c) {
			return
		}
		p.wg.Go(func() { p.forward(c) })
	}
}

// forward connects c to the target and copies both ways until both
// directions end.
func (p *proxy) forward(c net.Conn) {
	defer p.untrack(c)
	up, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil || !p.track(up) {
		return
	}
	defer p.untrack(up)
	var both sync.WaitGroup
	both.Go(func() { p.pipe(up, c) })
	p.pipe(c, up)
	both.Wait()
}

// chunk is data read from one side, to be written to the other at due.
type chunk struct {
	b   []byte
	due time.Time
}

// pipe copies src to dst, each chunk delay after it was read, and closes
// dst's writing side when src ends.
func (p *proxy) pipe(dst, src net.Conn) {
	q := make(chan chunk, 1024)
	var writer sync.WaitGroup
	writer.Go(func() {
		failed := false
		for c := range q {
			if failed {
				continue // keep the reader unblocked until it sees the close
			}
			if wait := time.Until(c.due); wait > 0 {
				time.Sleep(wait)
			}
			if _, err := dst.Write(c.b); err != nil {
				failed = true
				src.Close()
			}
		}
	})
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			q <- chunk{b: append([]byte(nil), buf[:n]...), due: time.Now().Add(p.delay)}
		}
		if err != nil {
			break
		}
	}
	close(q)
	writer.Wait()
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	} else {
		dst.Close()
	}
}

// track records c, to be closed with the proxy; it closes c and returns
// false if the proxy is closed.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// close stops the proxy: no new connection, every one closed, every
// goroutine returned.
func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}
