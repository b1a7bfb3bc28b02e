package redisstore

import (
	"context"
	"fmt"

	"github.com/transient-go/transient/core"
)

// Ping checks that Redis answers, with one PING through the Store's client
// under the same call budget as every other call (Options.Timeout) and
// ctx's own deadline. Call it at start-up, so that a wrong address,
// password or database number stops the application there instead of
// turning its first requests into 503s; a readiness probe can call it too.
//
// It returns nil when Redis answered. Otherwise its error matches
// core.ErrStore, as the Manager's errors do when the store fails (so that
// core.StatusCode gives 503), and wraps the client's: errors.As finds a
// *net.OpError for a connection that could not be made, a redis.Error for
// an answer such as a refused password.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: redisstore: ping: %w", core.ErrStore, err)
	}
	return nil
}
