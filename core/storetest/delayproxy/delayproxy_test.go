package delayproxy_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/transient-go/transient/core/storetest/delayproxy"
)

// echo starts a server that sends back what it reads, until the client
// stops writing; t.Cleanup stops it.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestDelay sends data through the proxy to an echo server: it comes back
// whole, in order, and no sooner than the delay both ways.
func TestDelay(t *testing.T) {
	const delay = 20 * time.Millisecond
	addr := delayproxy.Start(t, echo(t), delay)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	start := time.Now()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
		t.Fatalf("read %q, %v; want ping", got, err)
	}
	if rt := time.Since(start); rt < 2*delay {
		t.Fatalf("a round trip took %v; want at least twice the delay, %v", rt, 2*delay)
	}

	// A megabyte, written while it is read back: whole and in order; then
	// the half-close reaches the server, whose close reaches the client.
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	go func() {
		_, _ = c.Write(data)
		_ = c.(*net.TCPConn).CloseWrite()
	}()
	back, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("echoed %d bytes, %v; want the %d sent, in order", len(back), err, len(data))
	}
}

// TestCleanupStops checks that the proxy stops with its test: its
// connections are closed and it accepts no more.
func TestCleanupStops(t *testing.T) {
	target := echo(t)
	var addr string
	var conn net.Conn
	t.Run("proxy", func(t *testing.T) {
		addr = delayproxy.Start(t, target, time.Millisecond)
		var err error
		if conn, err = net.Dial("tcp", addr); err != nil {
			t.Fatal(err)
		}
	})
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatalf("a connection read %d bytes after the proxy stopped; want it closed", n)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("the proxy accepted a connection after it stopped")
	}
}
