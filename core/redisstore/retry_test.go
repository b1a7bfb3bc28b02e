package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestWritesSentTwice sends each of the store's writes twice, as go-redis
// does when it retries a command whose answer did not come but which
// Redis ran: the second must report the first's success, never a conflict
// or a record that a concurrent request ended.
func TestWritesSentTwice(t *testing.T) {
	ctx := context.Background()
	s, err := New(redistest.Start(t).Client(t), &Options{Prefix: "twice:" + core.NewID()[:8] + ":"})
	if err != nil {
		t.Fatal(err)
	}
	r := core.Record{Payload: []byte(`{"c":1,"i":1}`), TTL: time.Minute}
	tok, err := s.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	// SET NX GET: the key holds what this very command wrote.
	fresh := core.NewID()
	set := s.set(ctx, fresh, r)
	for range 2 {
		_ = s.client.Process(ctx, set.StringCmd)
		if ok, err := created(set); err != nil || !ok {
			t.Fatalf("SET NX sent again = %v, %v; want taken for the same write", ok, err)
		}
	}
	other := s.set(ctx, fresh, r) // the same payload, another call
	_ = s.client.Process(ctx, other.StringCmd)
	if ok, err := created(other); err != nil || ok {
		t.Fatalf("SET NX of a key another call wrote = %v, %v; want taken", ok, err)
	}
	// Update: the record was written by this very call.
	next := core.Record{Payload: []byte(`{"c":1,"i":2}`), TTL: time.Minute}
	v := value(next.Payload)
	for range 2 {
		args := []any{digest(r.Payload), v, millis(next.TTL)}
		if err := result(s.eval(ctx, updateScript, s.key(tok), args...)); err != nil {
			t.Fatalf("Update sent again = %v; want success", err)
		}
	}
	// Another call with the same change on the same base: a conflict, so
	// that both changes count.
	w := value(next.Payload)
	var ce *core.ConflictError
	if err := result(s.eval(ctx, updateScript, s.key(tok), digest(r.Payload), w, millis(next.TTL))); !errors.As(err, &ce) {
		t.Fatalf("another Update with the same payload on the same base = %v; want a conflict", err)
	}
	// A write that changes nothing but the record's life (a re-issue),
	// whose first sending wrote the same payload it compares with.
	same := value(next.Payload)
	for range 2 {
		if err := result(s.eval(ctx, updateScript, s.key(tok), digest(next.Payload), same, millis(next.TTL))); err != nil {
			t.Fatalf("Update that changes nothing, sent again = %v; want success", err)
		}
	}
	// The same, once an UpdateLocked call has taken the record since,
	// which keeps the name of the write in the "q" form.
	if _, err := s.eval(ctx, lockScript, s.key(tok), turnName(), millis(s.lease), maxWaiters).Slice(); err != nil {
		t.Fatal(err)
	}
	if err := result(s.eval(ctx, updateScript, s.key(tok), digest(next.Payload), same, millis(next.TTL))); err != nil {
		t.Fatalf("Update sent again after a hold began = %v; want success", err)
	}
	if err := result(s.eval(ctx, updateScript, s.key(tok), digest(next.Payload), value(next.Payload), millis(next.TTL))); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("another Update while a hold stands = %v; want a conflict", err)
	}
	if err := s.Delete(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if tok, err = s.Create(ctx, next); err != nil {
		t.Fatal(err)
	}
	// The end of a record: it holds this call's marker.
	marker := goneMarker()
	for range 2 {
		if err := result(s.eval(ctx, endScript, s.key(tok), digest(next.Payload), millis(core.GoneTTL), marker)); err != nil {
			t.Fatalf("ending the record sent again = %v; want success", err)
		}
	}
	if err := result(s.eval(ctx, endScript, s.key(tok), "", millis(core.GoneTTL), goneMarker())); err != core.ErrNotFound {
		t.Fatalf("another call ending the ended record = %v; want core.ErrNotFound", err)
	}
	if _, _, err := s.Load(ctx, tok); err != core.ErrGone {
		t.Fatalf("Load of the ended record = %v; want core.ErrGone", err)
	}
}
