package pgstore_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/callrecorder"
	"github.com/transient-go/transient/core/otelsession"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestCount checks that Count counts the live sessions: not the markers
// of ended ones, nor expired ones.
func TestCount(t *testing.T) {
	_, pool := migrated(t, nil)
	clock := newClock()
	s := newStore(t, pool, &pgstore.Options{Clock: clock.Now})
	count := func() int {
		t.Helper()
		n, err := s.Count(ctx)
		if err != nil {
			t.Fatalf("Count = %v", err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("Count of an empty table = %d; want 0", n)
	}
	create(t, s, record("a"))
	create(t, s, owned("b", "alice"))
	tok := create(t, s, record("c"))
	if _, err := s.Renew(ctx, tok, nil, record("d")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, create(t, s, record("e"))); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Fatalf("Count = %d; want 3 (a, b, d; not the markers of c and e)", n)
	}
	if err := s.End(ctx, "alice", func() string { l, _ := s.List(ctx, "alice"); return l[0].Handle }()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	if n := count(); n != 0 {
		t.Fatalf("Count once every session expired = %d; want 0", n)
	}
}

// TestObserver checks that each call to PostgreSQL is one call for the
// Observer, named after the method, that a call answered without a round
// trip is none, and how a call failed: an error PostgreSQL sent (other),
// PostgreSQL hung (timeout), down (refused), then the breaker open.
func TestObserver(t *testing.T) {
	srv := pgtest.StartLocal(t)
	if err := pgstore.Migrate(ctx, srv.Pool(t), nil); err != nil {
		t.Fatal(err)
	}
	c := callrecorder.New("pgstore")
	s, err := pgstore.NewFromURL(srv.URL(), &pgstore.Options{CleanupInterval: -1, Observer: c.Observer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	tok := create(t, s, owned("a", "alice"))
	_, _, _ = s.Load(ctx, tok)
	_, _, _ = s.Load(ctx, "not an ID") // no round trip
	_, _ = s.Update(ctx, tok, []byte("a"), owned("b", "alice"))
	_, _ = s.Update(ctx, tok, []byte("a"), owned("c", "alice")) // a conflict is an answer
	tok, _ = s.Renew(ctx, tok, nil, owned("c", "alice"))
	_, _ = s.UpdateLocked(ctx, tok, false, func([]byte) (core.Record, error) { return owned("d", "alice"), nil })
	listed, _ := s.List(ctx, "alice")
	_ = s.End(ctx, "alice", listed[0].Handle)
	_ = s.Delete(ctx, tok) // not found: an answer
	_, _ = s.Count(ctx)
	_ = s.Ping(ctx)
	_, _ = s.Cleanup(ctx)
	want := []string{"create", "load", "update", "update", "renew", "update_locked", "list", "end", "delete", "count", "ping", "cleanup"}
	if got := c.Take(); !slices.Equal(got, want) {
		t.Fatalf("the Observer was told of %q; want %q", got, want)
	}

	missing, err := pgstore.NewFromURL(srv.URL(), &pgstore.Options{Table: "missing", CleanupInterval: -1, Observer: c.Observer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = missing.Close() })
	if _, _, err := missing.Load(ctx, tok); err == nil || !slices.Equal(c.Take(), []string{"load other"}) {
		t.Fatalf("Load from a table that is not there = %v; want an error, told as [load other]", err)
	}

	srv.Pause(t)
	_, _, err = s.Load(ctx, tok)
	srv.Resume(t)
	perr := s.Ping(ctx) // an answer: the breaker counts no failure
	if got := c.Take(); err == nil || perr != nil || !slices.Equal(got, []string{"load timeout", "ping"}) {
		t.Fatalf("with PostgreSQL hung, Load = %v, then Ping = %v, and the Observer was told of %q; want an error, nil, and [load timeout ping]", err, perr, got)
	}
	srv.Kill(t)
	for range 4 {
		_, _, _ = s.Load(ctx, tok)
	}
	want = []string{"load refused", "load refused", "load refused", "load breaker_open"}
	if got := c.Take(); !slices.Equal(got, want) {
		t.Errorf("with PostgreSQL down, the Observer was told of %q; want %q", got, want)
	}
	// The two stores' breakers, made closed; s's opened.
	want = []string{"pgstore >closed", "pgstore >closed", "pgstore closed>open"}
	if !slices.Equal(c.Breakers(), want) {
		t.Errorf("the Observer was told of the breakers' states %q; want %q", c.Breakers(), want)
	}
}

// TestTracer checks that the pool PoolConfig makes with a TracerProvider
// traces its queries, as children of the store calls' spans, and records
// neither the records' keys nor their payloads.
func TestTracer(t *testing.T) {
	db, _ := migrated(t, nil)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	obs, err := otelsession.New(&otelsession.Options{TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.NewFromURL(db.URL(), &pgstore.Options{CleanupInterval: -1, Observer: obs, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	const payload = "payload-of-the-session"
	tok := create(t, s, owned(payload, "owner-of-the-session"))
	if _, _, err := s.Load(ctx, tok); err != nil {
		t.Fatal(err)
	}
	secrets := []string{tok, core.HandleOf(tok), payload, "owner-of-the-session", hex.EncodeToString([]byte(payload))}

	calls := map[string]sdktrace.ReadOnlySpan{} // the store calls' spans, by span ID
	for _, sp := range spans.Ended() {
		if strings.HasPrefix(sp.Name(), "pgstore ") {
			calls[sp.SpanContext().SpanID().String()] = sp
		}
	}
	var queries int
	for _, sp := range spans.Ended() {
		for _, a := range sp.Attributes() {
			v := a.Value.String()
			for _, secret := range secrets {
				if strings.Contains(v, secret) || strings.Contains(sp.Name(), secret) {
					t.Errorf("span %q has %s = %.80q, which holds a session's identifier or data", sp.Name(), a.Key, v)
				}
			}
			if strings.Contains(string(a.Key), "parameters") {
				t.Errorf("span %q records the query's parameters (%s)", sp.Name(), a.Key)
			}
		}
		if sp.InstrumentationScope().Name == otelsession.ScopeName {
			continue
		}
		if _, ok := calls[sp.Parent().SpanID().String()]; !ok {
			continue // a connection made, say
		}
		queries++
	}
	if len(calls) != 2 || queries < 2 {
		t.Errorf("%d store calls' spans, with %d spans of pgx's below them; want 2, and 2 or more", len(calls), queries)
	}
}
