package redisstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
)

// failed returns err, the error of a call to Redis, as the store reports
// it: an answer the store gives (core.ErrNotFound, a *core.ConflictError)
// as is, and a failure with the server's name and address, so that the
// log line of a request that failed says which store and which server:
//
//	redisstore: Redis at 127.0.0.1:6379 did not answer in time: i/o timeout
//
// The address is the client's (host and port, or a socket's path); a
// password of a URL is never part of it.
func (s *Store) failed(err error) error {
	var open *breaker.OpenError
	switch {
	case err == nil, errors.Is(err, core.ErrNotFound), errors.Is(err, core.ErrConflict),
		errors.Is(err, errTurnOver), errors.As(err, &open): // the breaker names the server
		return err
	case unanswered(err):
		return fmt.Errorf("redisstore: %s did not answer in time: %w", s.server, err)
	}
	return fmt.Errorf("redisstore: %s: %w", s.server, err)
}

// describe names the server of client, with its address, for errors:
// "Redis at 127.0.0.1:6379", "Redis Cluster at a:7000, b:7001".
func describe(client redis.UniversalClient) string {
	switch c := client.(type) {
	case *redis.Client:
		switch o := c.Options(); {
		case o.Addr == "FailoverClient": // redis.NewFailoverClient's
			return "Redis (through Sentinel)"
		case o.Network == "unix":
			return "Redis at unix:" + o.Addr
		default:
			return "Redis at " + o.Addr
		}
	case *redis.ClusterClient:
		return "Redis Cluster at " + strings.Join(c.Options().Addrs, ", ")
	case *redis.Ring:
		var addrs []string
		for _, a := range c.Options().Addrs {
			addrs = append(addrs, a)
		}
		slices.Sort(addrs)
		return "Redis Ring at " + strings.Join(addrs, ", ")
	}
	return "Redis"
}
