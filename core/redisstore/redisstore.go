package redisstore

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
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

// Load returns the payload of token with one GET, or core.ErrNotFound
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
	case !isSession(b):
		return nil, false, core.ErrGone
	}
	return b[headerLen:], false, nil
}

// Create writes r under a new ID with one SET NX GET PX, in a pipeline with
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
		var list *redis.Cmd
		if r.Owner == "" {
			_ = s.client.Process(ctx, set)
		} else {
			pipe := s.client.Pipeline()
			_ = pipe.Process(ctx, set)
			list = s.list(ctx, pipe, r, id, "")
			_, _ = pipe.Exec(ctx)
		}
		ok, err := created(set)
		if err != nil {
			return "", err
		}
		if ok {
			if list != nil {
				s.listed(ctx, list, r, id)
			}
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
	key, ttl := s.key(token), millis(r.TTL)
	args := []any{digest(old), value(r.Payload), ttl}
	var upd *redis.Cmd
	if r.Owner == "" {
		upd = s.eval(ctx, updateScript, key, args...)
	} else {
		owner, h := s.ownerKey(r.Owner), handle(token)
		pipe := s.client.Pipeline()
		upd = updateScript.EvalSha(ctx, pipe, []string{key}, args...)
		touch := touchScript.EvalSha(ctx, pipe, []string{owner}, h, ttl)
		_, _ = pipe.Exec(ctx)
		upd = s.again(ctx, upd, updateScript, key, args...)
		s.again(ctx, touch, touchScript, owner, h, ttl)
	}
	if err := result(upd); err != nil {
		return "", err
	}
	return token, nil
}

// Renew ends the record of token, if it still holds old (whatever it
// holds, if old is nil), and writes r under a new ID, in one round trip: a
// pipeline of the script that ends the old record, a SET NX GET PX of the new
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
	key, id := s.key(token), core.NewID()
	args := []any{digest(old), millis(core.GoneTTL), goneMarker(handle(id))}
	pipe := s.client.Pipeline()
	end := endScript.EvalSha(ctx, pipe, []string{key}, args...)
	set := s.set(ctx, id, r)
	_ = pipe.Process(ctx, set)
	var list *redis.Cmd
	if r.Owner != "" {
		list = s.list(ctx, pipe, r, id, handle(token))
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	end = s.again(ctx, end, endScript, key, args...)
	ok, setErr := created(set)
	if err := result(end); err != nil {
		if ok {
			_ = s.client.Del(ctx, s.key(id)).Err() // else it expires unused
		}
		if r.Owner != "" && !errors.Is(err, core.ErrNotFound) {
			s.relist(ctx, r, token) // the old record lives on
		}
		return "", err
	}
	switch {
	case setErr != nil:
		return "", setErr
	case !ok:
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
	return result(s.eval(ctx, endScript, s.key(token), "", millis(core.GoneTTL), goneMarker(core.NewID())))
}

// A key holds "s", 8 random bytes that name the call that wrote it, and a
// session's payload; or, once Renew or Delete ended the session, "-" and a
// string that names the call that ended it, kept for core.GoneTTL or what
// was left of the record's life, whichever is shorter. Both scripts
// answer nil for a record that is gone, the payload for one that holds
// something else than the caller loaded (ARGV[1], its SHA-1, "" for
// anything), and 1 once done.
//
// Every write can be sent twice: go-redis retries a command whose answer
// did not come (a read timeout, a dropped connection), though Redis may
// have run it. So each write recognizes its own work by the name it
// writes: Update succeeds if the record was written by this call (the
// name in its new value, ARGV[2]), the end of a record if the record holds this call's marker
// (ARGV[3]), and SET NX, with GET, if the key holds this call's value.
// (Not by the payload: two requests that make the same change to the same
// session write the same payload, and both changes count.) Without that, a
// retried login would find the old record ended by its own first attempt
// and be taken for one that a concurrent request ended: the user would be
// logged out.
var (
	// updateScript: KEYS[1] key; ARGV: SHA-1 of old, the new value (which
	// starts with "s" and the name of this call), TTL in ms.
	updateScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur or string.sub(cur, 1, 1) ~= 's' then return false end
if string.sub(cur, 2, 9) == string.sub(ARGV[2], 2, 9) then return 1 end
cur = string.sub(cur, 10)
if redis.sha1hex(cur) ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

	// endScript: KEYS[1] key; ARGV: SHA-1 of old or "", marker TTL in ms,
	// the marker.
	endScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[3] then return 1 end
if not cur or string.sub(cur, 1, 1) ~= 's' then return false end
cur = string.sub(cur, 10)
if ARGV[1] ~= '' and redis.sha1hex(cur) ~= ARGV[1] then return cur end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > 0 and left < ttl then ttl = left end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl)
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

// set returns the command SET key(token) v PX r.TTL NX GET, v the value
// of r.Payload, which answers nil when it sets the key, and what the key
// holds otherwise.
func (s *Store) set(ctx context.Context, token string, r core.Record) setCmd {
	v := value(r.Payload)
	return setCmd{redis.NewStringCmd(ctx, "set", s.key(token), v, "px", millis(r.TTL), "nx", "get"), v}
}

// setCmd is a SET NX GET and the value it sends.
type setCmd struct {
	*redis.StringCmd
	v []byte
}

// headerLen is the length of what a key's value holds before the payload:
// "s" and the name of the call that wrote it. The scripts, here and in
// index.go, spell it out: string.sub(v, 1, 1) is the "s", string.sub(v,
// 2, 9) the name, and string.sub(v, 10) the payload.
const headerLen = 9

// value returns the value of a key that holds payload, written by a call
// of its own.
func value(payload []byte) []byte {
	v := make([]byte, headerLen+len(payload))
	v[0] = 's'
	binary.LittleEndian.PutUint64(v[1:headerLen], rand.Uint64())
	copy(v[headerLen:], payload)
	return v
}

// created reports whether set wrote its value: it set the key, or it was
// sent twice and the key holds what its first sending wrote.
func created(set setCmd) (bool, error) {
	cur, err := set.Result()
	switch {
	case errors.Is(err, redis.Nil):
		return true, nil
	case err != nil:
		return false, err
	}
	return cur == string(set.v), nil
}

// goneMarker returns the value of a record that the call named by name
// ended.
func goneMarker(name string) string { return "-" + name }

// isSession reports whether a key's value is a session, not the marker of
// one that ended.
func isSession(v []byte) bool { return len(v) > 0 && v[0] == 's' }

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
