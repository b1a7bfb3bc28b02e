package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// This file is the store's core.Index: each owner's sessions, listed in a
// sorted set under Prefix + "owner:" + the first ownerNameLen bytes of the
// SHA-256 of the owner (so a key listing holds no user ID either: 30
// bytes with the default prefix, which Redis keeps in 32, see value.go).
// Its members are the sessions' names (the SHA-256 of the ID, 32 bytes:
// value.go; List gives each as its handle, the same hash in hex,
// core.HandleOf), scored by when they expire, in whole seconds of Redis's
// clock, rounded up: a score under 2^31 is a 4-byte integer in the set's
// listpack, where milliseconds take 8, so a one-session index holds its
// entry in 47 bytes, which Redis keeps in 48. The set lives on its own
// slot of a Cluster: it is written in the same pipeline as the session's
// key, so an owned session costs no more round trips than an anonymous
// one, but not in the same transaction. So the set may list a session that
// has just ended (a logout, a renewal): List checks every listed key,
// leaves out and removes those that are gone, and the bound checks them
// too before it ends anything.

// ownerNameLen is how many bytes of the SHA-256 of an owner end the key of
// its index: owners are the application's user IDs, never what a visitor
// sends, and 128 bits keep the indexes of any two apart.
const ownerNameLen = 16

// ownerKey returns the key of owner's index.
func (s *Store) ownerKey(owner string) string {
	n := sum(owner)
	return s.prefix + "owner:" + string(n[:ownerNameLen])
}

// handleOf returns the handle (core.HandleOf) of the session named n.
func handleOf(n string) string {
	return hex.EncodeToString([]byte(n))
}

// nameOf returns the name of the session whose handle (core.HandleOf) is
// h, and false if h is not a handle: 64 lowercase hex digits.
func nameOf(h string) (string, bool) {
	if len(h) != 2*sha256.Size {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", false
		}
	}
	var n [sha256.Size]byte
	if _, err := hex.Decode(n[:], []byte(h)); err != nil {
		return "", false
	}
	return string(n[:]), true
}

// seconds returns how long, in whole seconds counted from the whole
// second of Redis's clock (TIME's first field), an index lists a session
// that lives d from now: d rounded up, and the second that the clock's
// fraction leaves out.
func seconds(d time.Duration) int64 {
	return int64((d+time.Second-1)/time.Second) + 1
}

var (
	// listScript: KEYS[1] the index; ARGV: the name to add, its
	// seconds, the most the index lists, a name to remove or "". It
	// drops what has expired, adds the name, keeps the set alive as long
	// as its last member, and answers every name, oldest first, when it
	// lists more than the most.
	listScript = redis.NewScript(`
local now = tonumber(redis.call('TIME')[1])
local exp = now + tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[1], ARGV[4]) end
redis.call('ZADD', KEYS[1], exp, ARGV[1])
if redis.call('EXPIRETIME', KEYS[1]) < exp then redis.call('EXPIREAT', KEYS[1], exp) end
if redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[3]) then return redis.call('ZRANGE', KEYS[1], 0, -1) end
return {}`)

	// touchScript: KEYS[1] the index; ARGV: a name, its seconds. It
	// moves the name's expiry on, if it is listed.
	touchScript = redis.NewScript(`
local exp = tonumber(redis.call('TIME')[1]) + tonumber(ARGV[2])
if redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', exp, ARGV[1]) == 1 and redis.call('EXPIRETIME', KEYS[1]) < exp then
  redis.call('EXPIREAT', KEYS[1], exp)
end
return 1`)

	// trimScript: KEYS[1] the index. It drops what has expired and
	// answers what is left.
	trimScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', redis.call('TIME')[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)`)

	// dropScript: KEYS[1] a session's key. It deletes the key if it holds
	// a session (not the marker of one that ended), held or not, and
	// answers 1, or 0 if it did not.
	dropScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v or (string.sub(v, 1, 1) ~= 's' and string.sub(v, 1, 1) ~= 'q') then return 0 end
redis.call('DEL', KEYS[1])
return 1`)
)

// list queues on pipe the listing of the session named n, written as r,
// under r.Owner, removing the name of the session it replaces, if any.
func (s *Store) list(ctx context.Context, pipe redis.Pipeliner, r core.Record, n, replaces string) *redis.Cmd {
	return listScript.EvalSha(ctx, pipe, []string{s.ownerKey(r.Owner)}, n, seconds(r.TTL), s.maxPerOwner, replaces)
}

// listed finishes the listing of the session named n that list queued: it
// runs it again if Redis did not know the script, and keeps the owner
// within MaxPerOwner. Its errors are not the request's: the session is
// written, and an index that misses it lists it again at its next write.
func (s *Store) listed(ctx context.Context, cmd *redis.Cmd, r core.Record, n string) {
	cmd = s.again(ctx, cmd, listScript, s.ownerKey(r.Owner), n, seconds(r.TTL), s.maxPerOwner, "")
	if names, err := cmd.StringSlice(); err == nil && len(names) > s.maxPerOwner {
		s.bound(ctx, r.Owner, names, n)
	}
}

// relist lists the session named n under r.Owner again, after a Renew
// that failed left it live.
func (s *Store) relist(ctx context.Context, r core.Record, n string) {
	_ = s.eval(ctx, listScript, s.ownerKey(r.Owner), n, seconds(r.TTL), s.maxPerOwner, "").Err()
}

// bound ends owner's sessions beyond MaxPerOwner, the oldest first (to
// the second: those that expire in the same second come in the order of
// their names), never keep, once it has dropped the names of sessions
// already gone from the index. names are the index's, oldest first.
func (s *Store) bound(ctx context.Context, owner string, names []string, keep string) {
	live, err := s.live(ctx, owner, names)
	if err != nil {
		return
	}
	excess := len(live) - s.maxPerOwner
	for _, l := range live {
		if excess <= 0 {
			return
		}
		if l.Handle != keep {
			_ = s.end(ctx, owner, l.Handle)
			excess--
		}
	}
}

// live returns the sessions of names that hold one, in order, with their
// payloads (and their names in Handle), and removes the others from
// owner's index.
func (s *Store) live(ctx context.Context, owner string, names []string) ([]core.Listed, error) {
	gets := make([]*redis.StringCmd, len(names))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, n := range names {
			if k := s.keyOf(n); k != "" {
				gets[i] = p.Get(ctx, k)
			}
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	var listed []core.Listed
	var gone []any
	for i, g := range gets {
		if g != nil {
			b, err := g.Bytes()
			if p, ok := payloadOf(b); err == nil && ok {
				listed = append(listed, core.Listed{Handle: names[i], Payload: p})
				continue
			}
		}
		gone = append(gone, names[i])
	}
	if len(gone) > 0 {
		_ = s.client.ZRem(ctx, s.ownerKey(owner), gone...).Err()
	}
	return listed, nil
}

// List returns owner's live sessions, from the index and then each
// session's key: two round trips, or three when it also removes from the
// index sessions that have ended.
func (s *Store) List(ctx context.Context, owner string) (_ []core.Listed, err error) {
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "list")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	names, err := s.eval(ctx, trimScript, s.ownerKey(owner)).StringSlice()
	if err != nil || len(names) == 0 {
		return nil, s.failed(ctx, err)
	}
	listed, err := s.live(ctx, owner, names)
	for i := range listed {
		listed[i].Handle = handleOf(listed[i].Handle)
	}
	return listed, s.failed(ctx, err)
}

// End deletes owner's session handle, and its listing, at once; see
// core.Index.
func (s *Store) End(ctx context.Context, owner, handle string) (err error) {
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "end")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	n, ok := nameOf(handle)
	if !ok {
		return core.ErrNotFound
	}
	return s.failed(ctx, s.end(ctx, owner, n))
}

// end deletes owner's session named n, and its listing.
func (s *Store) end(ctx context.Context, owner, n string) error {
	idx := s.ownerKey(owner)
	if err := s.client.ZScore(ctx, idx, n).Err(); errors.Is(err, redis.Nil) {
		return core.ErrNotFound // not owner's
	} else if err != nil {
		return err
	}
	dropped, err := s.eval(ctx, dropScript, s.keyOf(n)).Int()
	if err != nil {
		return err
	}
	_ = s.client.ZRem(ctx, idx, n).Err()
	if dropped == 0 {
		return core.ErrNotFound
	}
	return nil
}
