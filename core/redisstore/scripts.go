package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// The scripts of Update, Renew and Delete answer nil for a record that is
// gone, the payload for one that holds something else than the caller
// loaded (ARGV[1], its SHA-1; "*" for anything, "" for anything even while
// UpdateLocked calls hold it) or that UpdateLocked calls hold, and 1 once
// done. The scripts of locked.go answer 0 when the caller's turn is over.
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

// heldLua defines the functions of every script that reads the "q" form
// (see value.go), before the script reads it (updateScript and endScript,
// which mostly find the "s" form, make them only when they do): now() is
// Redis's clock in milliseconds; parse(v) returns the name, the
// entries ({name, deadline} each, in order) and the payload of a value of
// that form; live(q, t) the entries that stand at t; build(name, q,
// payload) the value that holds them, in the "s" form when q is empty.
const heldLua = `
local function now()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end
local function parse(v)
  local n = tonumber(string.sub(v, 10, 12))
  local q = {}
  for i = 0, n - 1 do
    local o = 13 + 21 * i
    q[i + 1] = {string.sub(v, o, o + 7), tonumber(string.sub(v, o + 8, o + 20))}
  end
  return string.sub(v, 2, 9), q, string.sub(v, 13 + 21 * n)
end
local function live(q, t)
  local l = {}
  for _, e in ipairs(q) do
    if e[2] >= t then l[#l + 1] = e end
  end
  return l
end
local function build(name, q, payload)
  if #q == 0 then return 's' .. name .. payload end
  local b = {'q', name, string.format('%03d', #q)}
  for _, e in ipairs(q) do
    b[#b + 1] = e[1]
    b[#b + 1] = string.format('%013d', e[2])
  end
  b[#b + 1] = payload
  return table.concat(b)
end
`

var (
	// updateScript: KEYS[1] key; ARGV: SHA-1 of old, the new value (which
	// starts with "s" and the name of this call), TTL in ms. A record
	// that UpdateLocked calls hold is a conflict; one whose entries have
	// all run out is nobody's, and the write drops them. A record of the
	// "s" form is compared first: one this call wrote matches only if the
	// call changed nothing, and writing it again changes nothing either.
	updateScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local form = string.sub(cur, 1, 1)
if form == 's' then
  local payload = string.sub(cur, 10)
  if redis.sha1hex(payload) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return 1
  end
  if string.sub(cur, 2, 9) == string.sub(ARGV[2], 2, 9) then return 1 end
  return payload
end
if form ~= 'q' then return false end
` + heldLua + `
if string.sub(cur, 2, 9) == string.sub(ARGV[2], 2, 9) then return 1 end
local _, q, payload = parse(cur)
if #live(q, now()) > 0 then return payload end
if redis.sha1hex(payload) ~= ARGV[1] then return payload end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

	// endScript: KEYS[1] key; ARGV: SHA-1 of old, "*" or "", marker TTL
	// in ms, the marker.
	endScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[3] then return 1 end
if not cur then return false end
local form = string.sub(cur, 1, 1)
if form == 's' then
  cur = string.sub(cur, 10)
elseif form ~= 'q' then
  return false
elseif ARGV[1] ~= '' then
` + heldLua + `
  local _, q, payload = parse(cur)
  if #live(q, now()) > 0 then return payload end
  cur = payload
end
if ARGV[1] ~= '' and ARGV[1] ~= '*' and redis.sha1hex(cur) ~= ARGV[1] then return cur end
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

// errTurnOver is what a script of locked.go answers, as 0, when the
// caller's turn is over: its lease ran out, and another turn may have
// begun.
var errTurnOver = errors.New("redisstore: the hold on the session ran out")

// result interprets a script's answer.
func result(cmd *redis.Cmd) error {
	v, err := cmd.Result()
	switch {
	case errors.Is(err, redis.Nil):
		return core.ErrNotFound
	case err != nil:
		return err
	}
	switch v := v.(type) {
	case string:
		return &core.ConflictError{Current: []byte(v)}
	case int64:
		if v == 0 {
			return errTurnOver
		}
	}
	return nil
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// digest returns the hex SHA-1 of a payload the caller loaded, which the
// scripts compare with the record's, or "*" (whatever it holds) for nil.
func digest(old []byte) string {
	if old == nil {
		return "*"
	}
	sum := sha1.Sum(old)
	var buf [2 * sha1.Size]byte
	hex.Encode(buf[:], sum[:])
	return string(buf[:])
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
