package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestCount checks that Count counts the live sessions under the store's
// prefix, on one server and on a Cluster: not the markers of ended ones,
// not the owners' indexes, not another prefix's, even a prefix that SCAN
// would read as a pattern.
func TestCount(t *testing.T) {
	t.Run("server", func(t *testing.T) { testCount(t, redistest.Start(t).Client(t)) })
	t.Run("cluster", func(t *testing.T) { testCount(t, redistest.StartCluster(t).Client(t)) })
}

func testCount(t *testing.T, client redis.UniversalClient) {
	ctx := context.Background()
	prefix := "count*[" + core.NewID()[:8] + "]?:"
	s, err := redisstore.New(client, &redisstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	other, err := redisstore.New(client, &redisstore.Options{Prefix: "count-" + core.NewID()[:8] + ":"})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		n, err := s.Count(ctx)
		if err != nil {
			t.Fatalf("Count = %v", err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("Count of no session = %d; want 0", n)
	}
	r := core.Record{Payload: []byte("p"), TTL: time.Hour}
	owned := core.Record{Payload: []byte("o"), TTL: time.Hour, Owner: "alice"}
	for range 1200 { // more than one SCAN's batch
		if _, err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := s.Create(ctx, owned)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Renew(ctx, tok, nil, owned); err != nil { // leaves a marker
		t.Fatal(err)
	}
	tok, err = s.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, tok); err != nil { // a marker
		t.Fatal(err)
	}
	if _, err := other.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1201 {
		t.Fatalf("Count = %d; want 1201: 1200 anonymous sessions and alice's, not the markers, the index or another prefix's", n)
	}
}
