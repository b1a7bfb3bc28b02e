package redisstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/callrecorder"
	"github.com/transient-go/transient/core/otelsession"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestObserver checks that each of the store's calls is one call for the
// Observer, named after the method, that a call answered without a round
// trip is none, and how a call failed: Redis hung (timeout), down
// (refused), then the breaker open, whose states the Observer is told.
func TestObserver(t *testing.T) {
	srv := redistest.StartLocal(t)
	c := callrecorder.New("redisstore")
	s, err := redisstore.NewFromURL(srv.URL(), &redisstore.Options{Observer: c.Observer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	owned := core.Record{Payload: []byte("a"), TTL: time.Hour, Owner: "alice"}

	tok, err := s.Create(ctx, owned)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = s.Load(ctx, tok)
	_, _, _ = s.Load(ctx, "not an ID") // no round trip
	_, _ = s.Update(ctx, tok, []byte("a"), owned)
	_, _ = s.Update(ctx, tok, []byte("x"), owned) // a conflict is an answer
	tok, _ = s.Renew(ctx, tok, nil, owned)
	_, _ = s.UpdateLocked(ctx, tok, false, func([]byte) (core.Record, error) { return owned, nil })
	listed, _ := s.List(ctx, "alice")
	_ = s.End(ctx, "alice", listed[0].Handle)
	_ = s.Delete(ctx, tok) // not found: an answer
	_, _ = s.Count(ctx)
	_ = s.Ping(ctx)
	want := []string{"create", "load", "update", "update", "renew", "update_locked", "list", "end", "delete", "count", "ping"}
	if got := c.Take(); !slices.Equal(got, want) {
		t.Fatalf("the Observer was told of %q; want %q", got, want)
	}

	srv.Pause(t)
	_, _, err = s.Load(ctx, tok)
	srv.Resume(t)
	perr := s.Ping(ctx)
	if got := c.Take(); err == nil || perr != nil || !slices.Equal(got, []string{"load timeout", "ping"}) {
		t.Fatalf("with Redis hung, Load = %v, then Ping = %v, and the Observer was told of %q; want an error, nil, and [load timeout ping]", err, perr, got)
	}
	srv.Kill(t)
	for range 4 {
		_, _, _ = s.Load(ctx, tok)
	}
	want = []string{"load refused", "load refused", "load refused", "load breaker_open"}
	if got := c.Take(); !slices.Equal(got, want) {
		t.Errorf("with Redis down, the Observer was told of %q; want %q", got, want)
	}
	want = []string{"redisstore >closed", "redisstore closed>open"}
	if !slices.Equal(c.Breakers(), want) {
		t.Errorf("the Observer was told of the breaker's states %q; want %q", c.Breakers(), want)
	}
}

// TestTracer checks that NewFromURL's client, with a TracerProvider,
// traces its commands as children of the store calls' spans, and records
// neither the sessions' keys nor their payloads.
func TestTracer(t *testing.T) {
	srv := redistest.Start(t)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	obs, err := otelsession.New(&otelsession.Options{TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	s, err := redisstore.NewFromURL(srv.URL(), &redisstore.Options{Prefix: "tracer-" + core.NewID()[:8] + ":", Observer: obs, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	const payload = "payload-of-the-session"
	tok, err := s.Create(ctx, core.Record{Payload: []byte(payload), TTL: time.Hour, Owner: "owner-of-the-session"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Load(ctx, tok); err != nil {
		t.Fatal(err)
	}
	secrets := []string{tok, core.HandleOf(tok), payload, "owner-of-the-session"}
	stores := map[string]bool{} // the store calls' spans, by span ID
	for _, sp := range spans.Ended() {
		if strings.HasPrefix(sp.Name(), "redisstore ") {
			stores[sp.SpanContext().SpanID().String()] = true
		}
	}
	var commands int
	for _, sp := range spans.Ended() {
		for _, a := range sp.Attributes() {
			for _, secret := range secrets {
				if strings.Contains(a.Value.String(), secret) || strings.Contains(sp.Name(), secret) {
					t.Errorf("span %q has %s = %.80q, which holds a session's identifier or data", sp.Name(), a.Key, a.Value.String())
				}
			}
		}
		if sp.InstrumentationScope().Name != otelsession.ScopeName && stores[sp.Parent().SpanID().String()] {
			commands++
		}
	}
	if len(stores) != 2 || commands < 2 {
		t.Errorf("%d store calls' spans, with %d spans of go-redis below them; want 2, and 2 or more", len(stores), commands)
	}
}
