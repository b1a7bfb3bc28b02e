package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// This file is the store's core.LockingStore: the path a commit takes once
// its optimistic writes have met concurrent changes. The queue of the
// calls that hold or wait for a session lives in the session's own key
// (the "q" form, value.go), so a session is still one key, on one slot of
// a Cluster.

// Lease is the longest an UpdateLocked call holds a session, and the
// longest a call keeps its place in the queue without asking again: a
// process that dies or hangs while it holds a session, or while it waits
// for it, keeps the others waiting for at most Lease, and a write it sends
// after its lease ran out is refused. A live caller writes within a round
// trip of getting its turn, and asks again many times a second while it
// waits, so neither bound is reached but by a caller that stopped.
const Lease = 2 * time.Second

const (
	// maxWaiters bounds the entries of a session's queue. A call that
	// finds it full asks again, without a place, until one is free.
	maxWaiters = 128

	// minPoll and maxPoll bound the pause of a waiting call between
	// two questions.
	minPoll = 250 * time.Microsecond
	maxPoll = 50 * time.Millisecond

	// leaveTimeout bounds the call that takes a caller out of the queue
	// when it gives up.
	leaveTimeout = time.Second
)

var _ core.LockingStore = (*Store)(nil)

var (
	// lockScript: KEYS[1] key; ARGV: the name of the turn, the lease in
	// ms, the most entries the queue holds. It drops the entries that
	// ran out, adds the turn at the end of the queue if it is not there
	// (and there is room), and moves its deadline on when less than half
	// of its lease is left. It answers {1, payload} when the turn holds
	// the session, which then holds it for a lease; {0, n} when n turns
	// come before it; nil when the session is gone.
	lockScript = redis.NewScript(heldLua + `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local form = string.sub(cur, 1, 1)
if form ~= 's' and form ~= 'q' then return false end
local t = now()
local lease = tonumber(ARGV[2])
if form == 's' then
  redis.call('SET', KEYS[1], build(string.sub(cur, 2, 9), {{ARGV[1], t + lease}}, string.sub(cur, 10)), 'KEEPTTL')
  return {1, string.sub(cur, 10)}
end
local name, q, payload = parse(cur)
local l = live(q, t)
local changed = #l ~= #q
local pos
for i, e in ipairs(l) do
  if e[1] == ARGV[1] then pos = i break end
end
if not pos and #l < tonumber(ARGV[3]) then
  l[#l + 1] = {ARGV[1], t + lease}
  pos, changed = #l, true
end
if pos == 1 then
  l[1][2] = t + lease
  redis.call('SET', KEYS[1], build(name, l, payload), 'KEEPTTL')
  return {1, payload}
end
if pos and l[pos][2] < t + lease / 2 then
  l[pos][2] = t + lease
  changed = true
end
if changed then redis.call('SET', KEYS[1], build(name, l, payload), 'KEEPTTL') end
return {0, (pos or #l + 1) - 1}`)

	// heldUpdateScript: KEYS[1] key; ARGV: the name of the turn, the new
	// value, TTL in ms. It writes the value if the turn holds the session
	// and its lease has not run out, and the next turn's comes; it
	// answers {the name of the next turn}, or 1 if none waits; 0 if the
	// turn is over, nil if the session is gone.
	heldUpdateScript = redis.NewScript(heldLua + `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local form = string.sub(cur, 1, 1)
if form ~= 's' and form ~= 'q' then return false end
if string.sub(cur, 2, 9) == string.sub(ARGV[2], 2, 9) then return 1 end
if form == 's' then return 0 end
local _, q = parse(cur)
local t = now()
if q[1][1] ~= ARGV[1] or q[1][2] < t then return 0 end
table.remove(q, 1)
local l = live(q, t)
redis.call('SET', KEYS[1], build(string.sub(ARGV[2], 2, 9), l, string.sub(ARGV[2], 10)), 'PX', ARGV[3])
if #l > 0 then return {l[1][1]} end
return 1`)

	// heldEndScript: KEYS[1] key; ARGV: the name of the turn, marker TTL
	// in ms, the marker. It ends the session, as endScript does, if the
	// turn holds it and its lease has not run out; the turns that wait
	// then find it gone. It answers 1, 0 if the turn is over, nil if the
	// session is gone.
	heldEndScript = redis.NewScript(heldLua + `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[3] then return 1 end
if not cur then return false end
local form = string.sub(cur, 1, 1)
if form == 's' then return 0 end
if form ~= 'q' then return false end
local _, q = parse(cur)
if q[1][1] ~= ARGV[1] or q[1][2] < now() then return 0 end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > 0 and left < ttl then ttl = left end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl)
return 1`)

	// leaveScript: KEYS[1] key; ARGV: the name of a turn. It takes the
	// turn out of the queue, with the entries that ran out, and answers
	// {the name of the next turn} when that turn now holds the session.
	leaveScript = redis.NewScript(heldLua + `
local cur = redis.call('GET', KEYS[1])
if not cur or string.sub(cur, 1, 1) ~= 'q' then return 0 end
local name, q, payload = parse(cur)
local t = now()
local l = {}
for _, e in ipairs(q) do
  if e[1] ~= ARGV[1] and e[2] >= t then l[#l + 1] = e end
end
if #l == #q then return 0 end
redis.call('SET', KEYS[1], build(name, l, payload), 'KEEPTTL')
if #l > 0 and l[1][1] ~= q[1][1] then return {l[1][1]} end
return 1`)
)

// UpdateLocked waits for its turn to hold the session of token, calls
// change with its payload, and writes what change returns, under token,
// or, with renew, under a new ID, ending the session of token as Renew
// does; see core.LockingStore.
//
// The calls for one session queue in the session's key, in the order they
// first asked: each asks Redis whether its turn has come, pausing between
// questions for about twice its round trip for each turn before its own
// (at least 250µs, at most 50ms, jittered by half either way), so that the
// next in line asks about as often as a turn ends and the others rarely;
// the next in line is woken at once when it waits in the process whose
// turn just ended.
// A turn holds the session from the answer that gives it the payload until
// its write, and for Lease at most: a write after that is refused, and the
// call takes a new turn at the end of the queue, calling change again.
// While a turn holds the session or others wait for it, Update and Renew
// return a *core.ConflictError and write nothing; Delete and End end it at
// once, and the holder and every waiting call then return
// core.ErrNotFound. An uncontended call costs two round trips: one that
// takes the hold, one that writes and lets go. The owner's index is kept
// as Update and Renew keep it.
//
// It returns core.ErrNotFound for a session that is gone, change's error
// as is, and a store error when Redis fails or the call's deadline
// (Options.Timeout, and ctx's) ends the wait; in each case the token is
// "", and the call leaves no hold or place behind for longer than Lease.
func (s *Store) UpdateLocked(ctx context.Context, token string, renew bool, change func(current []byte) (core.Record, error)) (_ string, err error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "update_locked")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	key := s.key(token)
	for {
		turn := turnName()
		current, err := s.await(ctx, key, turn)
		if err != nil {
			return "", s.failed(ctx, err)
		}
		r, err := change(current)
		if err != nil {
			s.leave(ctx, key, turn)
			return "", err
		}
		var tok string
		if renew {
			tok, err = s.renew(ctx, token, heldEndScript, turn, r)
		} else {
			tok, err = s.update(ctx, token, heldUpdateScript, turn, r)
		}
		if !errors.Is(err, errTurnOver) {
			return tok, err
		}
	}
}

// await waits until turn holds the session in key, and returns its
// payload.
func (s *Store) await(ctx context.Context, key, turn string) ([]byte, error) {
	var woken chan struct{}
	for {
		start := time.Now()
		v, err := s.eval(ctx, lockScript, key, turn, millis(s.lease), maxWaiters).Slice()
		switch {
		case errors.Is(err, redis.Nil):
			return nil, core.ErrNotFound
		case err != nil:
			if expired(ctx) { // the call gave up, not Redis
				s.leave(ctx, key, turn)
			}
			return nil, err // else the place runs out by itself
		case len(v) != 2:
			return nil, fmt.Errorf("unexpected answer %v to a turn's question", v)
		}
		if held, _ := v[0].(int64); held == 1 {
			p, _ := v[1].(string)
			return []byte(p), nil
		}
		ahead, _ := v[1].(int64)
		if s.waiting != nil {
			s.waiting(ctx, ahead)
		}
		if woken == nil {
			woken = s.watch(turn)
			defer s.unwatch(turn)
		}
		if err := sleep(ctx, pause(ahead, time.Since(start)), woken); err != nil {
			s.leave(ctx, key, turn)
			return nil, fmt.Errorf("waiting for a turn to hold the session: %w", err)
		}
	}
}

// leave takes turn out of the queue of key, whatever the state of ctx, so
// that a call that gives up does not keep the others waiting until its
// place runs out.
func (s *Store) leave(ctx context.Context, key, turn string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaveTimeout)
	defer cancel()
	s.wakeNext(s.eval(ctx, leaveScript, key, turn))
}
