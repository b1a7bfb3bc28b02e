package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// This file is the store's core.Index: each owner's sessions, listed in a
// sorted set under Prefix + "owner:" + the SHA-256 of the owner in
// unpadded base64url (so a key listing holds no user ID either). Its
// members are the sessions' names (the SHA-256 of the ID in unpadded
// base64url, as in their own keys; List gives each as its handle, the same
// hash in hex, core.HandleOf), scored by
// when they expire, in milliseconds of Redis's clock. The set lives on its
// own slot of a Cluster: it is written in the same pipeline as the
// session's key, so an owned session costs no more round trips than an
// anonymous one, but not in the same transaction. So the set may list a
// session that has just ended (a logout, a renewal): List checks every
// listed key, leaves out and removes those that are gone, and the bound
// checks them too before it ends anything.

// ownerKey returns the key of owner's index.
func (s *Store) ownerKey(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return s.prefix + "owner:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// handle returns the name of token's record, which ends its key and which
// its owner's index lists: the SHA-256 of token in unpadded base64url, 43
// bytes where core.HandleOf's hex takes 64.
func handle(token string) string {
	var buf [64]byte
	var sum [sha256.Size]byte
	if len(token) <= len(buf) {
		sum = sha256.Sum256(buf[:copy(buf[:], token)])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// handleLen is the length of a record's name.
const handleLen = 43

// publicHandle returns core.HandleOf of the record named name.
func publicHandle(name string) string {
	var sum [sha256.Size]byte
	if n, err := base64.RawURLEncoding.Decode(sum[:], []byte(name)); err != nil || n != len(sum) {
		return name // never written by this store
	}
	return hex.EncodeToString(sum[:])
}

// nameOf returns the name of the record whose handle (core.HandleOf) is
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
	var sum [sha256.Size]byte
	if _, err := hex.Decode(sum[:], []byte(h)); err != nil {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString(sum[:]), true
}

var (
	// listScript: KEYS[1] the index; ARGV: the handle to add, its TTL in
	// ms, the most the index lists, a handle to remove or "". It drops
	// what has expired, adds the handle, keeps the set alive as long as
	// its last member, and answers every handle, oldest first, when it
	// lists more than the most.
	listScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local exp = now + tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[1], ARGV[4]) end
redis.call('ZADD', KEYS[1], exp, ARGV[1])
if redis.call('PEXPIRETIME', KEYS[1]) < exp then redis.call('PEXPIREAT', KEYS[1], exp) end
if redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[3]) then return redis.call('ZRANGE', KEYS[1], 0, -1) end
return {}`)

	// touchScript: KEYS[1] the index; ARGV: a handle, its TTL in ms. It
	// moves the handle's expiry on, if it is listed.
	touchScript = redis.NewScript(`
local t = redis.call('TIME')
local exp = t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[2])
if redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', exp, ARGV[1]) == 1 and redis.call('PEXPIRETIME', KEYS[1]) < exp then
  redis.call('PEXPIREAT', KEYS[1], exp)
end
return 1`)

	// trimScript: KEYS[1] the index. It drops what has expired and
	// answers what is left.
	trimScript = redis.NewScript(`
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t[1] * 1000 + math.floor(t[2] / 1000))
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

// list queues on pipe the listing of token, written as r, under r.Owner,
// removing the handle of the token it replaces, if any.
func (s *Store) list(ctx context.Context, pipe redis.Pipeliner, r core.Record, token, replaces string) *redis.Cmd {
	return listScript.EvalSha(ctx, pipe, []string{s.ownerKey(r.Owner)}, handle(token), millis(r.TTL), s.maxPerOwner, replaces)
}

// listed finishes the listing of token that list queued: it runs it again
// if Redis did not know the script, and keeps the owner within
// MaxPerOwner. Its errors are not the request's: the session is written,
// and an index that misses it lists it again at its next write.
func (s *Store) listed(ctx context.Context, cmd *redis.Cmd, r core.Record, token string) {
	cmd = s.again(ctx, cmd, listScript, s.ownerKey(r.Owner), handle(token), millis(r.TTL), s.maxPerOwner, "")
	if handles, err := cmd.StringSlice(); err == nil && len(handles) > s.maxPerOwner {
		s.bound(ctx, r.Owner, handles, handle(token))
	}
}

// relist lists token under r.Owner again, after a Renew that failed left
// it live.
func (s *Store) relist(ctx context.Context, r core.Record, token string) {
	_ = s.eval(ctx, listScript, s.ownerKey(r.Owner), handle(token), millis(r.TTL), s.maxPerOwner, "").Err()
}

// bound ends owner's sessions beyond MaxPerOwner, the oldest first, never
// keep, once it has dropped the handles of sessions already gone from the
// index. handles are the index's, oldest first.
func (s *Store) bound(ctx context.Context, owner string, handles []string, keep string) {
	live, err := s.live(ctx, owner, handles)
	if err != nil {
		return
	}
	for i := 0; len(live)-i > s.maxPerOwner; i++ {
		if live[i].Handle != keep {
			_ = s.end(ctx, owner, live[i].Handle)
		}
	}
}

// live returns the sessions of handles that hold one, in order, with their
// payloads, and removes the others from owner's index.
func (s *Store) live(ctx context.Context, owner string, handles []string) ([]core.Listed, error) {
	gets := make([]*redis.StringCmd, len(handles))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, h := range handles {
			gets[i] = p.Get(ctx, s.prefix+h)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	var listed []core.Listed
	var gone []any
	for i, g := range gets {
		b, err := g.Bytes()
		if p, ok := payloadOf(b); err == nil && ok {
			listed = append(listed, core.Listed{Handle: handles[i], Payload: p})
		} else {
			gone = append(gone, handles[i])
		}
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
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	handles, err := s.eval(ctx, trimScript, s.ownerKey(owner)).StringSlice()
	if err != nil || len(handles) == 0 {
		return nil, s.failed(ctx, err)
	}
	listed, err := s.live(ctx, owner, handles)
	for i := range listed {
		listed[i].Handle = publicHandle(listed[i].Handle)
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
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	name, ok := nameOf(handle)
	if !ok {
		return core.ErrNotFound
	}
	return s.failed(ctx, s.end(ctx, owner, name))
}

// end deletes owner's record named handle, and its listing.
func (s *Store) end(ctx context.Context, owner, handle string) error {
	idx := s.ownerKey(owner)
	if err := s.client.ZScore(ctx, idx, handle).Err(); errors.Is(err, redis.Nil) {
		return core.ErrNotFound // not owner's
	} else if err != nil {
		return err
	}
	dropped, err := s.eval(ctx, dropScript, s.prefix+handle).Int()
	if err != nil {
		return err
	}
	_ = s.client.ZRem(ctx, idx, handle).Err()
	if dropped == 0 {
		return core.ErrNotFound
	}
	return nil
}
