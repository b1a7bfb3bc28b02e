package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// newAttempts bounds the tries of a new record whose random ID is taken.
// With 256-bit IDs a single collision means the random source is broken.
const newAttempts = 3

// Store is a core.Store and core.Renewer that keeps sessions in Redis.
// Create it with New or NewFromURL; it is safe for concurrent use.
type Store struct {
	client  redis.UniversalClient
	owned   bool // created by NewFromURL: Close closes it
	prefix  string
	timeout time.Duration
}

var (
	_ core.Store   = (*Store)(nil)
	_ core.Renewer = (*Store)(nil)
)

// Load returns the payload of token with one GET, or core.ErrNotFound. A
// token that is not a valid ID (see core.ValidID) is not found without a
// round trip. The caller must not modify the payload.
func (s *Store) Load(ctx context.Context, token string) ([]byte, bool, error) {
	if !core.ValidID(token) {
		return nil, false, core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.client.Get(ctx, s.key(token)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, core.ErrNotFound
	case err != nil:
		return nil, false, err
	}
	return b, false, nil
}

// Save writes payload for ttl with one SET: NX under a new ID when token is
// empty, XX under token otherwise, so that a record deleted meanwhile (a
// logout, a renewal, an expiry) is not written back: Save then returns
// core.ErrNotFound.
func (s *Store) Save(ctx context.Context, token string, payload []byte, ttl time.Duration) (string, error) {
	if token != "" && !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if token == "" {
		return s.create(ctx, payload, ttl)
	}
	cmd := s.set(ctx, token, payload, ttl, "xx")
	if err := s.client.Process(ctx, cmd); err != nil {
		return "", err
	}
	if !cmd.Val() {
		return "", core.ErrNotFound
	}
	return token, nil
}

// create writes payload under a new ID.
func (s *Store) create(ctx context.Context, payload []byte, ttl time.Duration) (string, error) {
	for range newAttempts {
		id := core.NewID()
		cmd := s.set(ctx, id, payload, ttl, "nx")
		if err := s.client.Process(ctx, cmd); err != nil {
			return "", err
		}
		if cmd.Val() {
			return id, nil
		}
	}
	return "", errTaken
}

var errTaken = errors.New("redisstore: every new session ID tried was taken; is the random source broken?")

// Renew writes payload under a new ID and deletes old's record in one round
// trip: a pipeline of SET NX PX and DEL. The two commands are not a
// transaction (in a Cluster the two keys live in different slots, and
// go-redis sends each command to its node, in parallel): if the SET fails
// and the DEL succeeds, the session is lost and the request fails, which
// errs on the side of logging the user out; if only the DEL fails, Renew
// fails and the new record expires unused. A taken ID (never seen in
// practice) costs another round trip.
func (s *Store) Renew(ctx context.Context, old string, payload []byte, ttl time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	id := core.NewID()
	set := s.set(ctx, id, payload, ttl, "nx")
	del := redis.NewIntCmd(ctx, "del", s.key(old))
	pipe := s.client.Pipeline()
	_ = pipe.Process(ctx, set)
	_ = pipe.Process(ctx, del)
	_, _ = pipe.Exec(ctx) // each command carries its own error
	switch {
	case set.Err() != nil:
		return "", set.Err()
	case del.Err() != nil:
		return "", del.Err() // the new record expires unused: nobody has its ID
	case !set.Val():
		return s.create(ctx, payload, ttl)
	}
	return id, nil
}

// Delete removes token's record with one DEL. Deleting an unknown token is
// not an error.
func (s *Store) Delete(ctx context.Context, token string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.client.Del(ctx, s.key(token)).Err()
}

// set returns the command SET key(token) payload PX ttl mode.
func (s *Store) set(ctx context.Context, token string, payload []byte, ttl time.Duration, mode string) *redis.BoolCmd {
	ms := max(int64((ttl+time.Millisecond-1)/time.Millisecond), 1)
	return redis.NewBoolCmd(ctx, "set", s.key(token), payload, "px", ms, mode)
}

// key returns the Redis key of token: the prefix and the hex SHA-256 of the
// token, so that a key listing or a dump holds no usable token.
func (s *Store) key(token string) string {
	var buf [64]byte
	var sum [sha256.Size]byte
	if len(token) <= len(buf) {
		sum = sha256.Sum256(buf[:copy(buf[:], token)])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	hex.Encode(buf[:], sum[:])
	var b strings.Builder
	b.Grow(len(s.prefix) + len(buf))
	b.WriteString(s.prefix)
	b.Write(buf[:])
	return b.String()
}
