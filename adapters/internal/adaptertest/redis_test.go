package adaptertest_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

const redisPrefix = "adaptertest:"

// countedStore is the suite's Redis store with a count of its records, so
// that the suite can check that a flood of unknown IDs writes none.
type countedStore struct {
	*redisstore.Store
	client *redis.Client
}

// Len returns the number of session keys, or -1 if Redis cannot tell.
func (s countedStore) Len() int {
	keys, err := s.client.Keys(context.Background(), redisPrefix+"*").Result()
	if err != nil {
		return -1
	}
	return len(keys)
}

// TestRedis runs the suite for every adapter with sessions in a real
// Redis (see package redistest for how the server is found or started).
func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	store, err := redisstore.New(client, &redisstore.Options{Prefix: redisPrefix})
	if err != nil {
		t.Fatalf("redisstore.New = %v", err)
	}
	counted := countedStore{store, client}
	drivers := []adaptertest.Driver{adaptertest.NetHTTP, adaptertest.Gin, adaptertest.Echo, adaptertest.Fiber}
	for _, d := range drivers {
		t.Run(d.Name, func(t *testing.T) { adaptertest.Run(t, d, counted) })
	}
	t.Run("Interchange", func(t *testing.T) { adaptertest.Interchange(t, store, drivers...) })
}
