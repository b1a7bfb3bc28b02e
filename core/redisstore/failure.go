package redisstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
)

// failed returns err, the error of a call to Redis that ran with ctx, as
// the store reports it: an answer the store gives (core.ErrNotFound, a
// *core.ConflictError) as is, and a failure with the server's name and
// address, so that the log line of a request that failed says which store
// and which server:
//
//	redisstore: Redis at 127.0.0.1:6379 did not answer in time: i/o timeout
//
// The address is the client's (host and port, or a socket's path); a
// password of a URL is never part of it. A call that ran out of its
// deadline, the caller's or the call budget, says so, and matches
// context.DeadlineExceeded as well as the client's error: go-redis gives
// a connection the call's deadline when it is the sooner, and its error
// is then that of any other deadline on a connection.
func (s *Store) failed(ctx context.Context, err error) error {
	var open *breaker.OpenError
	switch {
	case err == nil, errors.Is(err, core.ErrNotFound), errors.Is(err, core.ErrConflict),
		errors.Is(err, errTurnOver), errors.As(err, &open): // the breaker names the server
		return err
	case expired(ctx) && timedOut(err) && !errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("redisstore: %s: the call's %w before it answered: %w", s.server, context.DeadlineExceeded, err)
	case unanswered(err):
		return fmt.Errorf("redisstore: %s did not answer in time: %w", s.server, err)
	}
	return fmt.Errorf("redisstore: %s: %w", s.server, err)
}

// expired reports whether ctx is done, or its deadline has passed: the
// timer that ends it may run a moment after the deadline of a connection
// that go-redis set from it.
func expired(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// timedOut reports whether err is a deadline's: of a connection, or of a
// context.
func timedOut(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
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
