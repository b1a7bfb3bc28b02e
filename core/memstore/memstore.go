// Package memstore keeps sessions in the memory of the process: fast, and
// revocable (a logout ends the record), but lost when the process stops and
// not shared between processes. Use package redisstore or pgstore for
// several app servers.
//
// Concurrent requests of one visitor keep each other's changes: a commit
// is applied, under the record's lock, to the record as it is then, so a
// key or a flash message another request wrote meanwhile stays, a message
// this request showed is not brought back, and a session that a logout or
// a login in another tab ended stays ended (see core.Store).
//
// The store lists each user's sessions (core.Index), so that a user can
// see and end them; a user has at most Options.MaxPerOwner.
//
// The store is bounded: it holds at most Options.MaxSessions records.
// Past that, each new record evicts another: the oldest anonymous one of a
// shard, or if there is none left, a user's, among a few sampled at random
// the least recently written (an active session is written at least every
// core.Options.ReissueTime). A flood of cookieless requests
// that each start a session, with a CSRF token for a login form say,
// therefore evicts other anonymous sessions long before a logged-in user
// is logged out. Evictions are reported through Options.Logger, at most
// once a minute. An evicted visitor's next request is anonymous; IDs are
// never reused, so no visitor is ever handed another's session.
//
// Records are spread over 64 shards, each with its own lock. Expired records
// are never returned, and are removed a shard at a time by the writes that
// come due (see Options.SweepInterval), so no request waits for a sweep of
// the whole map and no background goroutine needs stopping.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transient-go/transient/core"
)

const shardCount = 64

// Defaults for the zero fields of Options.
const (
	DefaultSweepInterval = time.Minute
	DefaultMaxSessions   = 100_000
	DefaultMaxPerOwner   = 50
)

// Options configures a Store. A nil *Options and the zero value both mean
// the defaults.
type Options struct {
	// SweepInterval is how long a full sweep of expired records takes:
	// one shard in 64 is swept every SweepInterval/64, by the write that
	// comes due. Expired records are never returned, swept or not.
	// Default DefaultSweepInterval (a minute).
	SweepInterval time.Duration

	// MaxSessions bounds the records the store holds; see the package doc
	// for what it evicts past it. A record takes about 200 bytes plus
	// its payload (bench/RESULTS.md, "memory"). Default DefaultMaxSessions
	// (100,000).
	MaxSessions int

	// MaxPerOwner bounds the sessions listed for one user: a login past
	// it ends that user's least recently written session. Default
	// DefaultMaxPerOwner (50).
	MaxPerOwner int

	// Logger receives a warning when records are evicted, at most once a
	// minute. Default nil: slog.Default() at the time of logging.
	Logger *slog.Logger

	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
}

// Store is a server-side core.Store and core.Index in memory. Create it with
// New; it is safe for concurrent use.
type Store struct {
	seed      maphash.Seed
	now       func() time.Time
	step      int64        // nanoseconds between two shard sweeps
	nextSweep atomic.Int64 // Unix nanoseconds
	sweeps    atomic.Uint64
	shards    [shardCount]shard
	records   atomic.Int64 // in every shard, ended and expired ones included
	bounds
	index
}

type shard struct {
	mu      sync.RWMutex
	records map[string]*record
	anon    []string // tokens of anonymous records, oldest first; some may be gone
}

// record is replaced, never modified, once a Load may have returned its
// payload.
type record struct {
	payload []byte // nil: ended by Renew or Delete (core.ErrGone)
	expires int64  // Unix nanoseconds
	written int64  // Unix nanoseconds
	owner   string
}

// live reports whether r holds a session at now.
func (r *record) live(now int64) bool { return r != nil && r.payload != nil && r.expires > now }

var _ core.Index = (*Store)(nil)

// New returns an empty Store for opts, which may be nil. It returns an error
// matching core.ErrConfig for a negative setting.
func New(opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.SweepInterval < 0 || o.MaxSessions < 0 || o.MaxPerOwner < 0 {
		return nil, fmt.Errorf("%w: memstore: SweepInterval, MaxSessions and MaxPerOwner must not be negative", core.ErrConfig)
	}
	if o.SweepInterval == 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	if o.MaxSessions == 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.MaxPerOwner == 0 {
		o.MaxPerOwner = DefaultMaxPerOwner
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	s := &Store{
		seed:   maphash.MakeSeed(),
		now:    o.Clock,
		step:   int64(o.SweepInterval / shardCount),
		bounds: bounds{max: int64(o.MaxSessions), log: o.Logger},
		index:  index{max: o.MaxPerOwner, owners: map[string]map[string]*entry{}},
	}
	for i := range s.shards {
		s.shards[i].records = make(map[string]*record)
	}
	return s, nil
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
	return s.insert(r, now), nil
}

func newRecord(r core.Record, now int64) *record {
	return &record{payload: bytes.Clone(r.Payload), expires: now + int64(r.TTL), written: now, owner: r.Owner}
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
	err := check(sh.records[token], old, now)
	if err == nil {
		sh.records[token] = newRecord(r, now)
	}
	sh.mu.Unlock()
	if err != nil {
		return "", err
	}
	if r.Owner != "" {
		s.touch(r.Owner, token, now)
	}
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
	return s.insert(r, now), nil
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
	cur := sh.records[token]
	err := check(cur, old, now)
	if err == nil {
		sh.records[token] = &record{expires: min(cur.expires, now+int64(core.GoneTTL)), written: now}
	}
	sh.mu.Unlock()
	if err == nil && cur.owner != "" {
		s.unlist(cur.owner, token)
	}
	return err
}

// insert stores r under a new ID, makes room for it, and returns the ID.
func (s *Store) insert(r core.Record, now int64) string {
	rec := newRecord(r, now)
	for {
		id := core.NewID()
		sh := s.shard(id)
		sh.mu.Lock()
		_, taken := sh.records[id]
		if !taken {
			sh.records[id] = rec
			if r.Owner == "" {
				sh.anon = append(sh.anon, id)
			}
		}
		sh.mu.Unlock()
		if taken {
			continue
		}
		s.records.Add(1)
		if r.Owner != "" {
			s.list(r.Owner, id, now)
		}
		s.makeRoom(id, now)
		return id
	}
}

// Len returns the number of records, expired and ended ones not yet swept
// included.
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
