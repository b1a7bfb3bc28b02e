// Package memstore keeps sessions in the memory of the process: fast, and
// revocable (a logout deletes the record), but lost when the process stops
// and not shared between processes. Use package redisstore for several app
// servers.
//
// Concurrent requests of one visitor keep each other's changes: a commit
// is applied, under the record's lock, to the record as it is then, so a
// key or a flash message another request wrote meanwhile stays, a message
// this request showed is not brought back, and a session that a logout or
// a login in another tab ended stays ended (see core.Store).
//
// Records are spread over 64 shards, each with its own lock. Expired records
// are never returned, and are removed a shard at a time by the saves that
// come due (see Options.SweepInterval), so no request waits for a sweep of
// the whole map and no background goroutine needs stopping.
package memstore

import (
	"bytes"
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transient-go/transient/core"
)

const shardCount = 64

// DefaultSweepInterval is the default Options.SweepInterval.
const DefaultSweepInterval = time.Minute

// Options configures a Store; the zero value is ready to use.
type Options struct {
	// SweepInterval is how long a full sweep of expired records takes:
	// one shard in 64 is swept every SweepInterval/64, by the Save that
	// comes due. Expired records are never returned, swept or not.
	// Default DefaultSweepInterval.
	SweepInterval time.Duration

	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
}

// Store is a server-side core.Store in memory. Create it with New; it is
// safe for concurrent use.
type Store struct {
	seed      maphash.Seed
	now       func() time.Time
	step      int64        // nanoseconds between two shard sweeps
	nextSweep atomic.Int64 // Unix nanoseconds
	sweeps    atomic.Uint64
	shards    [shardCount]shard
}

type shard struct {
	mu      sync.RWMutex
	records map[string]*record
}

// record is replaced, never modified, once a Load may have returned its
// payload.
type record struct {
	payload []byte // nil: ended by Renew or Delete (core.ErrGone)
	expires int64  // Unix nanoseconds
}

// live reports whether r holds a session at now.
func (r *record) live(now int64) bool { return r != nil && r.payload != nil && r.expires > now }

var _ core.Store = (*Store)(nil)

// New returns an empty Store. opts may be nil.
func New(opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	s := &Store{seed: maphash.MakeSeed(), now: o.Clock, step: int64(o.SweepInterval / shardCount)}
	for i := range s.shards {
		s.shards[i].records = make(map[string]*record)
	}
	return s
}

func (s *Store) shard(token string) *shard {
	return &s.shards[maphash.String(s.seed, token)%shardCount]
}

// Load returns the payload of token, or core.ErrNotFound (core.ErrGone for
// a record that Renew or Delete ended less than core.GoneTTL ago). A token
// that is not a valid ID (see core.ValidID) is not found without a lookup.
// The caller must not modify the payload.
func (s *Store) Load(_ context.Context, token string) ([]byte, bool, error) {
	if !core.ValidID(token) {
		return nil, false, core.ErrNotFound
	}
	sh := s.shard(token)
	sh.mu.RLock()
	r := sh.records[token]
	sh.mu.RUnlock()
	switch {
	case r == nil || r.expires <= s.now().UnixNano():
		return nil, false, core.ErrNotFound
	case r.payload == nil:
		return nil, false, core.ErrGone
	}
	return r.payload, false, nil
}

// Create stores a copy of r.Payload under a new ID for r.TTL.
func (s *Store) Create(_ context.Context, r core.Record) (string, error) {
	now := s.now().UnixNano()
	defer s.sweep(now)
	return s.insert(newRecord(r, now)), nil
}

func newRecord(r core.Record, now int64) *record {
	return &record{payload: append([]byte(nil), r.Payload...), expires: now + int64(r.TTL)}
}

// Update replaces the record of token with a copy of r.Payload, under the
// record's lock, if it still holds old; see core.Store for the contract.
func (s *Store) Update(_ context.Context, token string, old []byte, r core.Record) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	now := s.now().UnixNano()
	defer s.sweep(now)
	sh := s.shard(token)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if err := check(sh.records[token], old, now); err != nil {
		return "", err
	}
	sh.records[token] = newRecord(r, now)
	return token, nil
}

// check returns why cur, the record a request loaded as old, cannot be
// written: it is gone, or holds something else.
func check(cur *record, old []byte, now int64) error {
	switch {
	case !cur.live(now):
		return core.ErrNotFound
	case old != nil && !bytes.Equal(cur.payload, old):
		return &core.ConflictError{Current: cur.payload}
	}
	return nil
}

// Renew ends the record of token, if it still holds old (or whatever it
// holds, if old is nil), and stores a copy of r.Payload under a new ID.
func (s *Store) Renew(_ context.Context, token string, old []byte, r core.Record) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	now := s.now().UnixNano()
	defer s.sweep(now)
	if err := s.end(token, old, now); err != nil {
		return "", err
	}
	// Nobody knows the new ID yet, so nobody can see the moment when
	// neither record is live.
	return s.insert(newRecord(r, now)), nil
}

// Delete ends the record of token; see core.Store.
func (s *Store) Delete(_ context.Context, token string) error {
	if !core.ValidID(token) {
		return core.ErrNotFound
	}
	return s.end(token, nil, s.now().UnixNano())
}

// end replaces the record of token, if it holds old, with a marker that
// Load reports as core.ErrGone for core.GoneTTL.
func (s *Store) end(token string, old []byte, now int64) error {
	sh := s.shard(token)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cur := sh.records[token]
	if err := check(cur, old, now); err != nil {
		return err
	}
	sh.records[token] = &record{expires: min(cur.expires, now+int64(core.GoneTTL))}
	return nil
}

// insert stores r under a new ID and returns it.
func (s *Store) insert(r *record) string {
	for {
		id := core.NewID()
		sh := s.shard(id)
		sh.mu.Lock()
		_, taken := sh.records[id]
		if !taken {
			sh.records[id] = r
		}
		sh.mu.Unlock()
		if !taken {
			return id
		}
	}
}

// Len returns the number of records, expired ones not yet swept included.
func (s *Store) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.records)
		sh.mu.RUnlock()
	}
	return n
}

// sweep removes the expired records of the next shard in turn, if a sweep
// is due.
func (s *Store) sweep(now int64) {
	next := s.nextSweep.Load()
	if now < next || !s.nextSweep.CompareAndSwap(next, now+s.step) {
		return
	}
	sh := &s.shards[s.sweeps.Add(1)%shardCount]
	sh.mu.Lock()
	for id, r := range sh.records {
		if r.expires <= now {
			delete(sh.records, id)
		}
	}
	sh.mu.Unlock()
}
