package memstore

import (
	"log/slog"
	"math/rand/v2"
	"slices"
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

// sample is how many records an eviction of a user's session chooses
// among.
const sample = 8

// makeRoom evicts records, never keep, while the store holds more than
// MaxSessions.
func (s *Store) makeRoom(keep string, now int64) {
	for s.records.Load() > s.bounds.max {
		victim := s.anonymous(keep)
		if victim == "" {
			victim = s.victim(keep, now)
		}
		if victim != "" {
			s.remove(victim)
			s.evicted.Add(1)
		}
	}
	s.report(now)
}

// anonymous returns the oldest anonymous record of a shard, starting from
// a random one, or "" if there is none. Each shard keeps its anonymous
// records' tokens in the order they were created (shard.anon).
func (s *Store) anonymous(keep string) string {
	start := rand.IntN(shardCount)
	for i := range shardCount {
		sh := &s.shards[(start+i)%shardCount]
		sh.mu.Lock()
		for len(sh.anon) > 0 {
			tok := sh.anon[0]
			sh.anon = sh.anon[1:]
			if r, ok := sh.records[tok]; ok && r.owner == "" && tok != keep {
				sh.mu.Unlock()
				return tok
			}
		}
		sh.anon = nil // let the array go
		sh.mu.Unlock()
	}
	return ""
}

// victim samples a few records of a random shard and returns the one to
// evict, never keep: an expired or ended record first, then the least
// recently written; "" if there is none to take.
func (s *Store) victim(keep string, now int64) string {
	sh := &s.shards[rand.IntN(shardCount)]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	best, bestDead, bestWritten, n := "", false, int64(0), 0
	for tok, r := range sh.records { // map order is random
		if tok == keep {
			continue
		}
		dead := !r.live(now)
		if best == "" || dead && !bestDead || dead == bestDead && r.written < bestWritten {
			best, bestDead, bestWritten = tok, dead, r.written
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
	// Drop the tokens of anonymous records that are gone.
	sh.mu.Lock()
	sh.anon = slices.DeleteFunc(sh.anon, func(tok string) bool { return sh.records[tok] == nil })
	sh.mu.Unlock()
}
