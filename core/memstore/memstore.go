// Package memstore keeps sessions in the memory of the process: fast, and
// revocable (a logout deletes the record), but lost when the process stops
// and not shared between processes. Use package redisstore for several app
// servers.
//
// Records are spread over 64 shards, each with its own lock. Expired records
// are never returned, and are removed a shard at a time by the saves that
// come due (see Options.SweepInterval), so no request waits for a sweep of
// the whole map and no background goroutine needs stopping.
package memstore

import (
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
	payload []byte
	expires int64 // Unix nanoseconds
}

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

// Load returns the payload of token, or core.ErrNotFound. A token that is
// not a valid ID (see core.ValidID) is not found without a lookup. The
// caller must not modify the payload.
func (s *Store) Load(_ context.Context, token string) ([]byte, bool, error) {
	if !core.ValidID(token) {
		return nil, false, core.ErrNotFound
	}
	sh := s.shard(token)
	sh.mu.RLock()
	r := sh.records[token]
	sh.mu.RUnlock()
	if r == nil || r.expires <= s.now().UnixNano() {
		return nil, false, core.ErrNotFound
	}
	return r.payload, false, nil
}

// Save stores a copy of payload for ttl; see core.Store for the contract.
func (s *Store) Save(_ context.Context, token string, payload []byte, ttl time.Duration) (string, error) {
	if token != "" && !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	now := s.now().UnixNano()
	r := &record{payload: append([]byte(nil), payload...), expires: now + int64(ttl)}
	defer s.sweep(now)
	if token == "" {
		return s.insert(r), nil
	}
	sh := s.shard(token)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old := sh.records[token]
	if old == nil || old.expires <= now {
		return "", core.ErrNotFound
	}
	sh.records[token] = r
	return token, nil
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

// Delete removes token's record.
func (s *Store) Delete(_ context.Context, token string) error {
	sh := s.shard(token)
	sh.mu.Lock()
	delete(sh.records, token)
	sh.mu.Unlock()
	return nil
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
