package memstore

import (
	"context"
	"sync"

	"github.com/transient-go/transient/core"
)

// index lists each owner's records, for core.Index: owner, then handle,
// to the record's token and when it was last written.
type index struct {
	max    int // records per owner
	imu    sync.Mutex
	owners map[string]map[string]*entry
}

type entry struct {
	token   string
	written int64 // Unix nanoseconds
}

// list lists token under owner and ends what the owner has beyond
// MaxPerOwner, the least recently written first.
func (s *Store) list(owner, token string, now int64) {
	s.imu.Lock()
	es := s.owners[owner]
	if es == nil {
		es = map[string]*entry{}
		s.owners[owner] = es
	}
	es[core.HandleOf(token)] = &entry{token, now}
	var over []string
	for len(es) > s.index.max {
		oldest := ""
		for h, e := range es {
			if oldest == "" || e.written < es[oldest].written {
				oldest = h
			}
		}
		over = append(over, es[oldest].token)
		delete(es, oldest)
	}
	s.imu.Unlock()
	for _, tok := range over {
		s.remove(tok)
	}
}

// touch records that owner's record of token was written at now.
func (s *Store) touch(owner, token string, now int64) {
	s.imu.Lock()
	if e := s.owners[owner][core.HandleOf(token)]; e != nil && e.token == token {
		e.written = now
	}
	s.imu.Unlock()
}

// unlist removes token from owner's list.
func (s *Store) unlist(owner, token string) {
	s.imu.Lock()
	defer s.imu.Unlock()
	es := s.owners[owner]
	delete(es, core.HandleOf(token))
	if len(es) == 0 {
		delete(s.owners, owner)
	}
}

// List returns owner's live records; see core.Index.
func (s *Store) List(_ context.Context, owner string) ([]core.Listed, error) {
	s.imu.Lock()
	tokens := make(map[string]string, len(s.owners[owner]))
	for h, e := range s.owners[owner] {
		tokens[h] = e.token
	}
	s.imu.Unlock()
	now := s.now().UnixNano()
	var listed []core.Listed
	for h, tok := range tokens {
		sh := s.shard(tok)
		sh.mu.RLock()
		r := sh.records[tok]
		sh.mu.RUnlock()
		if r.live(now) && r.owner == owner {
			listed = append(listed, core.Listed{Handle: h, Payload: r.payload})
		}
	}
	return listed, nil
}

// End deletes owner's record listed as handle; see core.Index.
func (s *Store) End(_ context.Context, owner, handle string) error {
	s.imu.Lock()
	e := s.owners[owner][handle]
	s.imu.Unlock()
	if e == nil {
		return core.ErrNotFound
	}
	sh := s.shard(e.token)
	sh.mu.Lock()
	r := sh.records[e.token]
	ok := r.live(s.now().UnixNano()) && r.owner == owner
	sh.mu.Unlock()
	s.remove(e.token) // an ended or expired one goes too
	if !ok {
		return core.ErrNotFound
	}
	return nil
}

// remove deletes the record of token, at once, and its listing.
func (s *Store) remove(token string) {
	sh := s.shard(token)
	sh.mu.Lock()
	r, ok := sh.records[token]
	delete(sh.records, token)
	sh.mu.Unlock()
	if !ok {
		return
	}
	s.records.Add(-1)
	if r.owner != "" {
		s.unlist(r.owner, token)
	}
}
