package memstore

import (
	"log/slog"
	"math"
	"sync/atomic"
	"time"
)

// bounds keeps the store within Options.MaxSessions.
type bounds struct {
	max      int64
	log      *slog.Logger        // nil: slog.Default()
	evicted  [kinds]atomic.Int64 // live records evicted since the last report, by kind
	reported atomic.Int64        // Unix nanoseconds of the last report
}

// makeRoom evicts records, never keep, while the store holds more than
// MaxSessions, and reports the evictions when a report is due.
func (s *Store) makeRoom(keep *record, now int64) {
	for s.records.Load() > s.bounds.max {
		if !s.evict(keep, now) {
			break // keep is all there is, and concurrent inserts
		}
	}
	s.report(now)
}

// evict removes the record that goes first, never keep, and reports
// whether there was one: an expired record, the one that expired first;
// or else the least recently written anonymous session; or else the
// marker left longest ago; or else the least recently written user's
// session. It looks at the heads of the shards' lists through s.heads and
// locks one shard, so it costs the same however many records the store
// holds.
func (s *Store) evict(keep *record, now int64) bool {
	alone := -1 // keep's list and shard, once keep is found alone in it
	// Each retry follows a change that another goroutine made to the
	// heads meanwhile; the bound is a safeguard.
	for range 4 * shardCount * int(kinds) {
		k, i := s.first(now, alone)
		if i < 0 {
			return false
		}
		sh := &s.shards[i]
		sh.mu.Lock()
		r := sh.lists[k].head
		if r == keep {
			if r.next == nil {
				alone = int(k)*shardCount + i
			}
			r = r.next
		}
		if r == nil {
			sh.mu.Unlock()
			continue
		}
		expired := r.expires <= now
		s.remove(sh, r)
		sh.mu.Unlock()
		if !expired {
			s.evicted[k].Add(1)
			s.evictedOne(k)
		}
		return true
	}
	return false
}

// first returns the kind and shard of the record evict takes, by the
// heads the shards published, never the list skip (kind*shardCount +
// shard); a negative shard if every list is empty.
func (s *Store) first(now int64, skip int) (kind, int) {
	bk, bi, best := kind(0), -1, now+1
	for k := range kinds {
		for i := range shardCount {
			if e := s.heads.expires[k][i].Load(); e < best && int(k)*shardCount+i != skip {
				bk, bi, best = k, i, e
			}
		}
	}
	if bi >= 0 {
		return bk, bi // the one expired first
	}
	for k := range kinds {
		best := int64(math.MaxInt64)
		for i := range shardCount {
			if w := s.heads.written[k][i].Load(); w < best && int(k)*shardCount+i != skip {
				bi, best = i, w
			}
		}
		if bi >= 0 {
			return k, bi
		}
	}
	return 0, -1
}

// report logs the evictions since the last report, at most once a minute.
func (s *Store) report(now int64) {
	last := s.reported.Load()
	if now-last < int64(time.Minute) {
		return
	}
	var n int64
	for k := range kinds {
		n += s.evicted[k].Load()
	}
	if n == 0 || !s.reported.CompareAndSwap(last, now) {
		return
	}
	log := s.bounds.log
	if log == nil {
		log = slog.Default()
	}
	log.Warn("memstore: sessions evicted to stay within Options.MaxSessions",
		"anonymous", s.evicted[anonymous].Swap(0), "ended", s.evicted[ended].Swap(0),
		"users", s.evicted[owned].Swap(0), "max", s.bounds.max)
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
	for _, r := range sh.records {
		if r.expires <= now {
			s.remove(sh, r)
		}
	}
	sh.mu.Unlock()
}
