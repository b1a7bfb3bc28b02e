package memstore

import (
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// bounds keeps the store within Options.MaxSessions.
type bounds struct {
	max      int64
	log      *slog.Logger // nil: slog.Default()
	evicted  atomic.Int64 // since the last report
	reported atomic.Int64 // Unix nanoseconds of the last report
}

// sample is how many records an eviction chooses among.
const sample = 8

// makeRoom evicts records, never keep, while the store holds more than
// MaxSessions.
func (s *Store) makeRoom(keep string, now int64) {
	for s.records.Load() > s.bounds.max {
		if victim := s.victim(keep, now); victim != "" {
			s.remove(victim)
			s.evicted.Add(1)
		}
	}
	s.report(now)
}

// victim samples a few records of a random shard and returns the one to
// evict, never keep: an expired or ended record first, then an anonymous
// one, then a user's, the least recently written first; "" if there is
// none to take.
func (s *Store) victim(keep string, now int64) string {
	sh := &s.shards[rand.IntN(shardCount)]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	best, bestRank, bestWritten, n := "", 3, int64(0), 0
	for tok, r := range sh.records { // map order is random
		if tok == keep {
			continue
		}
		rank := 2
		switch {
		case !r.live(now):
			rank = 0
		case r.owner == "":
			rank = 1
		}
		if best == "" || rank < bestRank || rank == bestRank && r.written < bestWritten {
			best, bestRank, bestWritten = tok, rank, r.written
		}
		if n++; n == sample {
			break
		}
	}
	return best
}

// report logs the evictions since the last report, at most once a minute.
func (s *Store) report(now int64) {
	last := s.reported.Load()
	if s.evicted.Load() == 0 || now-last < int64(time.Minute) || !s.reported.CompareAndSwap(last, now) {
		return
	}
	log := s.bounds.log
	if log == nil {
		log = slog.Default()
	}
	log.Warn("memstore: sessions evicted to stay within Options.MaxSessions",
		"evicted", s.evicted.Swap(0), "max", s.bounds.max)
}

// sweep removes the expired records of the next shard in turn, if a sweep
// is due.
func (s *Store) sweep(now int64) {
	next := s.nextSweep.Load()
	if now < next || !s.nextSweep.CompareAndSwap(next, now+s.step) {
		return
	}
	sh := &s.shards[s.sweeps.Add(1)%shardCount]
	var expired []string
	sh.mu.RLock()
	for tok, r := range sh.records {
		if r.expires <= now {
			expired = append(expired, tok)
		}
	}
	sh.mu.RUnlock()
	for _, tok := range expired {
		s.remove(tok)
	}
}
