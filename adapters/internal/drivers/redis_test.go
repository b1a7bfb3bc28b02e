package drivers_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

const redisPrefix = "adaptertest:"

// countedStore is the suite's Redis store with a count of its records, so
// that the suite can check that a flood of unknown IDs writes none.
type countedStore struct {
	*redisstore.Store
	client redis.UniversalClient
}

// Len returns the number of session keys, or -1 if Redis cannot tell.
func (s countedStore) Len() int {
	ctx := context.Background()
	count := func(ctx context.Context, c *redis.Client) (int, error) {
		keys, err := c.Keys(ctx, redisPrefix+"*").Result()
		return len(keys), err
	}
	var n atomic.Int64
	var err error
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			k, err := count(ctx, c)
			n.Add(int64(k))
			return err
		})
	case *redis.Client:
		var k int
		k, err = count(ctx, c)
		n.Add(int64(k))
	}
	if err != nil {
		return -1
	}
	return int(n.Load())
}

// TestRedis runs the suite for every adapter with sessions in a real
// Redis (see package redistest for how the server is found or started).
func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	store := newStore(t, client)
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) { adaptertest.RunStore(t, d, countedStore{store, client}) })
	}
	t.Run("Interchange", func(t *testing.T) { adaptertest.Interchange(t, store, drivers.All()...) })
}

// TestRedisCluster runs the suite for every adapter with sessions in a
// real three-node Redis Cluster, where a session's old and new keys live
// on different nodes.
func TestRedisCluster(t *testing.T) {
	cluster := redistest.StartCluster(t)
	client := cluster.Client(t)
	store := newStore(t, client)
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) { adaptertest.RunStore(t, d, countedStore{store, client}) })
	}
}

func newStore(t *testing.T, client redis.UniversalClient) *redisstore.Store {
	t.Helper()
	store, err := redisstore.New(client, &redisstore.Options{Prefix: redisPrefix})
	if err != nil {
		t.Fatalf("redisstore.New = %v", err)
	}
	return store
}
