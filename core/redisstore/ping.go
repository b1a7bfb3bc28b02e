package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/transient-go/transient/core"
)

// Ping checks that Redis answers, with one PING through the Store's client
// under the same call budget as every other call (Options.Timeout) and
// ctx's own deadline, and loads the store's scripts into it (into every
// primary of a Cluster), so that the first commits do not pay one more
// round trip to load one. Call it at start-up, so that a wrong address,
// password or database number stops the application there instead of
// turning its first requests into 503s; a readiness probe can call it too.
// Redis also learns the scripts on their first use, and again after a
// restart.
//
// It returns nil when Redis answered. Otherwise its error matches
// core.ErrStore, as the Manager's errors do when the store fails (so that
// core.StatusCode gives 503), and wraps the client's: errors.As finds a
// *net.OpError for a connection that could not be made, a redis.Error for
// an answer such as a refused password.
func (s *Store) Ping(ctx context.Context) (err error) {
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "ping")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	if s.reach != nil {
		// A connection of its own first: a Redis that is down is
		// reported here, and go-redis logs no failed dial of its pool.
		if err := s.reach(ctx); err != nil {
			return fmt.Errorf("%w: %w", core.ErrStore, s.failed(ctx, err))
		}
	}
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: %w", core.ErrStore, s.failed(ctx, err))
	}
	load := func(ctx context.Context, c redis.Cmdable) error {
		for _, script := range scripts {
			if err := script.Load(ctx, c).Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if cc, ok := s.client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return load(ctx, c) })
	} else {
		err = load(ctx, s.client)
	}
	if err != nil {
		return fmt.Errorf("%w: loading the scripts: %w", core.ErrStore, s.failed(ctx, err))
	}
	return nil
}

// scripts are the store's Lua scripts, which Ping loads.
var scripts = []*redis.Script{
	updateScript, endScript, listScript, touchScript, trimScript, dropScript,
	lockScript, heldUpdateScript, heldEndScript, leaveScript,
}
