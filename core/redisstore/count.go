package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// countBatch is how many keys one SCAN asks for, and one pipeline of
// Count reads.
const countBatch = 1000

// Count returns how many live sessions the store's keys hold: every
// session under Options.Prefix that has not expired or ended, anonymous or
// a user's, of every application and cookie name that shares the prefix.
// It walks the keyspace with SCAN (on every primary of a Cluster) and
// reads the first byte of each session's key, a round trip for each
// thousand keys, without blocking Redis: for an operator's command
// (cmd/transient) or an occasional check, not for every request. Keys
// written or ended while it runs may be counted or not.
func (s *Store) Count(ctx context.Context) (_ int, err error) {
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "count")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	var n atomic.Int64
	count := func(ctx context.Context, c redis.Cmdable) error {
		k, err := s.countOn(ctx, c)
		n.Add(int64(k))
		return err
	}
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return count(ctx, c) })
	case *redis.Ring:
		err = c.ForEachShard(ctx, func(ctx context.Context, c *redis.Client) error { return count(ctx, c) })
	default:
		err = count(ctx, s.client)
	}
	if err != nil {
		return 0, fmt.Errorf("redisstore: counting the sessions: %w", err)
	}
	return int(n.Load()), nil
}

// countOn counts the live sessions of one server.
func (s *Store) countOn(ctx context.Context, c redis.Cmdable) (int, error) {
	match := escapeGlob(s.prefix) + "*"
	var n int
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, match, countBatch).Result()
		if err != nil {
			return n, err
		}
		var sessions []string
		for _, k := range keys {
			if isSessionKey(k[len(s.prefix):]) {
				sessions = append(sessions, k)
			}
		}
		if len(sessions) > 0 {
			pipe := c.Pipeline()
			firsts := make([]*redis.StringCmd, len(sessions))
			for i, k := range sessions {
				firsts[i] = pipe.GetRange(ctx, k, 0, 0)
			}
			if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
				return n, err
			}
			for _, f := range firsts {
				// "" for a key that expired meanwhile; "-" for the
				// marker of an ended session.
				if v := f.Val(); v != "" && v != "-" {
					n++
				}
			}
		}
		if cursor = next; cursor == 0 {
			return n, nil
		}
	}
}

// isSessionKey reports whether rest, a key without the prefix, is a
// session's (value.go): keyNameLen bytes, where an owner's index has
// "owner:" and ownerNameLen bytes, and where a store whose prefix is this
// one's and more has more.
func isSessionKey(rest string) bool {
	return len(rest) == keyNameLen
}

// escapeGlob returns s with the characters that SCAN's MATCH pattern
// gives a meaning escaped, so that the pattern matches s as it is.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
