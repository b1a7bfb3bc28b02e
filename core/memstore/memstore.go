package memstore

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"math"
	"strings"
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

	// MaxSessions bounds the records the store holds, the markers that
	// ended sessions leave included; see the package doc for what it
	// evicts past it. A record takes about 140 bytes plus its payload, and
	// a user's session about 60 more for the user's index (bench's
	// BenchmarkLiveSessions and BenchmarkFootprint). Default
	// DefaultMaxSessions (100,000).
	MaxSessions int

	// MaxPerOwner bounds the sessions listed for one user: a login past
	// it ends that user's least recently written session. Default
	// DefaultMaxPerOwner (50).
	MaxPerOwner int

	// Logger receives a warning when records are evicted, at most once a
	// minute. Default nil: slog.Default() at the time of logging.
	Logger *slog.Logger

	// Clock returns the current time. Default: the system's clock, read
	// by time.Now once and from then on by its monotonic clock alone, so
	// that a record lasts its TTL whatever happens to the wall clock
	// meanwhile (see clock.go).
	Clock func() time.Time

	// Observer is told of the store's calls, of the records it holds and
	// of those it evicts (core.Observer's StoreCall, Records and Evicted),
	// for metrics and traces: give it the Manager's. Default nil: nothing
	// is recorded, at the cost of a nil check.
	Observer *core.Observer
}

// Store is a server-side core.Store and core.Index in memory. Create it with
// New; it is safe for concurrent use.
type Store struct {
	seed      maphash.Seed
	idValues  idValues
	now       func() int64 // Unix nanoseconds
	step      int64        // nanoseconds between two shard sweeps
	nextSweep atomic.Int64 // Unix nanoseconds
	sweeps    atomic.Uint64
	shards    [shardCount]shard
	records   atomic.Int64 // in every shard, markers and expired ones included
	heads     heads
	observed
	bounds
	index
}

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
	s := &Store{
		seed:     maphash.MakeSeed(),
		idValues: newIDValues(),
		now:      unixNano(o.Clock),
		step:     int64(o.SweepInterval / shardCount),
		bounds:   bounds{max: int64(o.MaxSessions), log: o.Logger},
		index:    index{max: o.MaxPerOwner},
	}
	s.observed = newObserved(o.Observer)
	for i := range s.shards {
		s.shards[i].records = make(map[uint64]*record)
		s.shards[i].n = i
		s.index.shards[i].owners = make(map[string]*record)
	}
	for k := range kinds {
		for i := range shardCount {
			s.heads.written[k][i].Store(math.MaxInt64)
			s.heads.expires[k][i].Store(math.MaxInt64)
		}
	}
	return s, nil
}

// Load returns the payload of token, or core.ErrNotFound (core.ErrGone for
// a record that Renew or Delete ended less than core.GoneTTL ago). A token
// that is not a valid ID (see core.ValidID) is not found without a lookup.
// The caller must not modify the payload.
func (s *Store) Load(ctx context.Context, token string) ([]byte, bool, error) {
	if s.storeCall != nil {
		defer s.observe(ctx, "load")("")
	}
	sh, id, ok := s.find(token)
	if !ok {
		return nil, false, core.ErrNotFound
	}
	var payload []byte
	expires := int64(math.MinInt64)
	sh.mu.RLock()
	if r := sh.get(&id); r != nil {
		payload, expires = r.payload, r.expires
	}
	sh.mu.RUnlock()
	switch {
	case expires <= s.now():
		return nil, false, core.ErrNotFound
	case payload == nil:
		return nil, false, core.ErrGone
	}
	return payload, false, nil
}

// Create stores a copy of r.Payload under a new ID for r.TTL.
func (s *Store) Create(ctx context.Context, r core.Record) (string, error) {
	if s.storeCall != nil {
		defer s.observe(ctx, "create")("")
	}
	now := s.now()
	defer s.sweep(now)
	return s.insert(r, now), nil
}

// Update replaces the payload of token's record with a copy of r.Payload,
// under the record's lock, if it still holds old; see core.Store for the
// contract. The record keeps its owner: a new owner comes with Renew
// (core.Record).
func (s *Store) Update(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if s.storeCall != nil {
		defer s.observe(ctx, "update")("")
	}
	sh, id, ok := s.find(token)
	if !ok {
		return "", core.ErrNotFound
	}
	now := s.now()
	defer s.sweep(now)
	sh.mu.Lock()
	cur := sh.get(&id)
	err := check(cur, old, now)
	if err == nil {
		s.write(sh, cur, r, now)
	}
	sh.mu.Unlock()
	if err != nil {
		return "", err
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

// write puts a copy of r.Payload in cur, a live record of sh, for r.TTL,
// and makes it the most recently written of its kind; sh.mu is held.
// cur keeps its owner, and so its kind.
func (s *Store) write(sh *shard, cur *record, r core.Record, now int64) {
	k := cur.kind()
	// A record that is already last stays in place, so that its list is
	// never seen empty while it is written.
	move := sh.lists[k].tail != cur
	if move {
		s.unlink(sh, cur)
	}
	cur.payload = bytes.Clone(r.Payload)
	cur.expires = now + int64(r.TTL)
	cur.written.Store(now)
	switch {
	case move:
		s.link(sh, cur)
	case sh.lists[k].head == cur:
		s.publish(sh, k)
	}
}

// Renew ends the record of token, if it still holds old (or whatever it
// holds, if old is nil), and stores a copy of r.Payload under a new ID.
func (s *Store) Renew(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if s.storeCall != nil {
		defer s.observe(ctx, "renew")("")
	}
	sh, id, ok := s.find(token)
	if !ok {
		return "", core.ErrNotFound
	}
	now := s.now()
	defer s.sweep(now)
	sh.mu.Lock()
	cur := sh.get(&id)
	err := check(cur, old, now)
	if err == nil {
		s.end(sh, cur, now)
	}
	sh.mu.Unlock()
	if err != nil {
		return "", err
	}
	// Nobody knows the new ID yet, so nobody can see the moment when
	// neither record is live.
	return s.insert(r, now), nil
}

// Delete ends the record of token; see core.Store.
func (s *Store) Delete(ctx context.Context, token string) error {
	if s.storeCall != nil {
		defer s.observe(ctx, "delete")("")
	}
	sh, id, ok := s.find(token)
	if !ok {
		return core.ErrNotFound
	}
	now := s.now()
	sh.mu.Lock()
	cur := sh.get(&id)
	err := check(cur, nil, now)
	if err == nil {
		s.end(sh, cur, now)
	}
	sh.mu.Unlock()
	return err
}

// end turns cur, a live record of sh, into a marker that Load reports as
// core.ErrGone for core.GoneTTL, and takes it out of its owner's index;
// sh.mu is held.
func (s *Store) end(sh *shard, cur *record, now int64) {
	s.unlink(sh, cur)
	if cur.owner != "" {
		s.unlist(cur)
	}
	cur.payload, cur.owner = nil, ""
	cur.expires = min(cur.expires, now+int64(core.GoneTTL))
	cur.written.Store(now)
	s.link(sh, cur)
}

// insert stores r under a new ID, makes room for it, and returns the ID.
func (s *Store) insert(r core.Record, now int64) string {
	// The owner is cloned: the caller's string may be a piece of a larger
	// one (the core decodes a session's strings from one copy of its
	// payload), which the store would keep alive.
	rec := &record{payload: bytes.Clone(r.Payload), owner: strings.Clone(r.Owner), expires: now + int64(r.TTL)}
	rec.written.Store(now)
	for {
		token := core.NewID()
		rec.id, _ = s.parseID(token)
		sh := &s.shards[shardIndex(&rec.id)]
		k := key(&rec.id)
		sh.mu.Lock()
		if sh.records[k] != nil {
			sh.mu.Unlock()
			continue
		}
		sh.records[k] = rec
		s.records.Add(1)
		s.counted(1)
		s.link(sh, rec)
		var over []*record
		if rec.owner != "" {
			over = s.list(rec)
		}
		sh.mu.Unlock()
		s.drop(over)
		s.makeRoom(rec, now)
		return token
	}
}

// Len returns the number of records, markers and expired ones not yet
// swept included.
func (s *Store) Len() int { return int(s.records.Load()) }
