package adaptertest_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// TestRedis runs the suite for every adapter with sessions in a real
// Redis (see package redistest for how the server is found or started).
func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	store, err := redisstore.New(srv.Client(t), &redisstore.Options{Prefix: "adaptertest:"})
	if err != nil {
		t.Fatalf("redisstore.New = %v", err)
	}
	drivers := []adaptertest.Driver{adaptertest.NetHTTP, adaptertest.Gin, adaptertest.Echo, adaptertest.Fiber}
	for _, d := range drivers {
		t.Run(d.Name, func(t *testing.T) { adaptertest.Run(t, d, store) })
	}
	t.Run("Interchange", func(t *testing.T) { adaptertest.Interchange(t, store, drivers...) })
}
