package redisstore

import (
	"context"
	"crypto/sha1"
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

// Store is a core.Store and core.Index that keeps sessions in Redis.
// Create it with New or NewFromURL; it is safe for concurrent use.
type Store struct {
	client      redis.UniversalClient
	owned       bool // created by NewFromURL: Close closes it
	prefix      string
	timeout     time.Duration
	maxPerOwner int
}

var (
	_ core.Index = (*Store)(nil)
)

// Load returns the payload of token with one GET, // Load returns the payload of token with one GET, or core.ErrNotFound
// (core.ErrGone for a record that Renew or Delete ended less than
// core.GoneTTL ago). A token that is not a valid ID (see core.ValidID) is
// not found without a round trip. The caller must not modify the payload.
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
	case len(b) == 0:
		return nil, false, core.ErrGone
	}
	return b, false, nil
}

// Create writes r under a new ID with one SET NX PX, in a pipeline with
// the owner's index when r has an owner.
func (s *Store) Create(ctx context.Context, r core.Record) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.create(ctx, r)
}

// create writes r under a new ID.
func (s *Store) create(ctx context.Context, r core.Record) (string, error) {
	for range newAttempts {
		id := core.NewID()
		set := s.set(ctx, id, r)
		if r.Owner == "" {
			if err := s.client.Process(ctx, set); err != nil {
				return "", err
			}
		} else {
			pipe := s.client.Pipeline()
			_ = pipe.Process(ctx, set)
			list := s.list(ctx, pipe, r, id, "")
			_, _ = pipe.Exec(ctx)
			if set.Err() != nil {
				return "", set.Err()
			}
			if set.Val() {
				s.listed(ctx, list, r, id)
			}
		}
		if set.Val() {
			return id, nil
		}
	}
	return "", errTaken
}

var errTaken = errors.New("redisstore: every new session ID tried was taken; is the random source broken?")

// Update replaces the record of token with r if it still holds old, in one
// round trip: a script that compares the record with old (by SHA-1, so
// that old is not sent back) and writes r only if they match, pipelined
// with the refresh of the owner's index when r has an owner. It returns a
// *core.ConflictError with the record as it is now when they do not match,
// and core.ErrNotFound when the record is gone.
func (s *Store) Update(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	args := []any{digest(old), r.Payload, millis(r.TTL)}
	var upd *redis.Cmd
	if r.Owner == "" {
		upd = s.eval(ctx, updateScript, s.key(token), args...)
	} else {
		pipe := s.client.Pipeline()
		upd = updateScript.EvalSha(ctx, pipe, []string{s.key(token)}, args...)
		touch := touchScript.EvalSha(ctx, pipe, []string{s.ownerKey(r.Owner)}, handle(token), millis(r.TTL))
		_, _ = pipe.Exec(ctx)
		upd = s.again(ctx, upd, updateScript, s.key(token), args...)
		s.again(ctx, touch, touchScript, s.ownerKey(r.Owner), handle(token), millis(r.TTL))
	}
	if err := result(upd); err != nil {
		return "", err
	}
	return token, nil
}

// Renew ends the record of token, if it still holds old (whatever it
// holds, if old is nil), and writes r under a new ID, in one round trip: a
// pipeline of the script that ends the old record, a SET NX PX of the new
// one, and the owner's index. In a Cluster the keys live in different
// slots, so go-redis sends each command to its node, in parallel; when the
// old record turns out to be gone or changed, the new one, whose ID nobody
// has, is deleted (one more round trip) and Renew fails as Update does. If
// the script succeeds and the SET fails, the session is ended and the
// request fails, which errs on the side of logging the user out.
func (s *Store) Renew(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	id := core.NewID()
	args := []any{digest(old), millis(core.GoneTTL)}
	pipe := s.client.Pipeline()
	end := endScript.EvalSha(ctx, pipe, []string{s.key(token)}, args...)
	set := s.set(ctx, id, r)
	_ = pipe.Process(ctx, set)
	var list *redis.Cmd
	if r.Owner != "" {
		list = s.list(ctx, pipe, r, id, handle(token))
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	end = s.again(ctx, end, endScript, s.key(token), args...)
	if err := result(end); err != nil {
		if set.Err() == nil && set.Val() {
			_ = s.client.Del(ctx, s.key(id)).Err() // else it expires unused
		}
		if r.Owner != "" && !errors.Is(err, core.ErrNotFound) {
			s.relist(ctx, r, token) // the old record lives on
		}
		return "", err
	}
	switch {
	case set.Err() != nil:
		return "", set.Err()
	case !set.Val():
		return s.create(ctx, r) // the new ID was taken: never seen in practice
	}
	if list != nil {
		s.listed(ctx, list, r, id)
	}
	return id, nil
}

// Delete ends the record of token with one script call, leaving the
// marker that Load reports as core.ErrGone. It returns core.ErrNotFound if
// there was no live record.
func (s *Store) Delete(ctx context.Context, token string) error {
	if !core.ValidID(token) {
		return core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return result(s.eval(ctx, endScript, s.key(token), "", millis(core.GoneTTL)))
}

// A record ended by Renew or Delete is an empty string, kept for
// core.GoneTTL or what was left of the record's life, whichever is
// shorter; a session's payload is never empty. Both scripts answer nil for
// a record that is gone, the record for one that holds something else
// than the caller loaded (ARGV[1], its SHA-1, "" for anything), and 1
// once done.
var (
	// updateScript: KEYS[1] key; ARGV: SHA-1 of old, payload, TTL in ms.
	updateScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur or cur == '' then return false end
if redis.sha1hex(cur) ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

	// endScript: KEYS[1] key; ARGV: SHA-1 of old or "", marker TTL in ms.
	endScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur or cur == '' then return false end
if ARGV[1] ~= '' and redis.sha1hex(cur) ~= ARGV[1] then return cur end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > 0 and left < ttl then ttl = left end
redis.call('SET', KEYS[1], '', 'PX', ttl)
return 1`)
)

// eval runs script on key through the store's client: EVALSHA, and EVAL
// when Redis does not know the script yet.
func (s *Store) eval(ctx context.Context, script *redis.Script, key string, args ...any) *redis.Cmd {
	return script.Run(ctx, s.client, []string{key}, args...)
}

// again returns cmd, an EVALSHA of script that a pipeline ran, or, when
// Redis did not know the script (it restarted, or this node has not seen
// it yet), the result of running it again with eval.
func (s *Store) again(ctx context.Context, cmd *redis.Cmd, script *redis.Script, key string, args ...any) *redis.Cmd {
	if isNoScript(cmd.Err()) {
		return s.eval(ctx, script, key, args...)
	}
	return cmd
}

// result interprets a script's answer.
func result(cmd *redis.Cmd) error {
	v, err := cmd.Result()
	switch {
	case errors.Is(err, redis.Nil):
		return core.ErrNotFound
	case err != nil:
		return err
	}
	if cur, ok := v.(string); ok {
		return &core.ConflictError{Current: []byte(cur)}
	}
	return nil
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// digest returns the hex SHA-1 of a payload the caller loaded, which the
// scripts compare with the record's, or "" for nil.
func digest(old []byte) string {
	if old == nil {
		return ""
	}
	sum := sha1.Sum(old)
	return hex.EncodeToString(sum[:])
}

func millis(d time.Duration) int64 {
	return max(int64((d+time.Millisecond-1)/time.Millisecond), 1)
}

// set returns the command SET key(token) r.Payload PX r.TTL NX.
func (s *Store) set(ctx context.Context, token string, r core.Record) *redis.BoolCmd {
	return redis.NewBoolCmd(ctx, "set", s.key(token), r.Payload, "px", millis(r.TTL), "nx")
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
