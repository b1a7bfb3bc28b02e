package memstore

import (
	"context"
	"hash/maphash"
	"sync"

	"github.com/transient-go/transient/core"
)

// index lists each owner's live records, for core.Index, over 64 shards
// of owners, each with its own lock. An owner's records are linked
// through record.sibling, newest first: a short list, as an owner has at
// most MaxPerOwner (plus one, for a moment). The index keeps no entry of
// its own, so a user's listing costs one map entry and one pointer per
// record. A record is listed from its creation until it is ended or
// removed; its shard's lock is held whenever it is listed or unlisted, and
// a shard's lock may be taken before an index shard's, never after.
type index struct {
	max    int // records per owner
	shards [shardCount]indexShard
}

type indexShard struct {
	mu     sync.Mutex
	owners map[string]*record // owner to its most recently listed record
}

func (s *Store) indexShard(owner string) *indexShard {
	return &s.index.shards[maphash.String(s.seed, owner)%shardCount]
}

// list lists r under r.owner, and unlists and returns what the owner has
// beyond MaxPerOwner, the least recently written first, which the caller
// removes (drop) once it holds no lock; r's shard's lock is held.
func (s *Store) list(r *record) []*record {
	is := s.indexShard(r.owner)
	is.mu.Lock()
	defer is.mu.Unlock()
	r.sibling = is.owners[r.owner]
	is.owners[r.owner] = r
	n := 0
	for x := r; x != nil; x = x.sibling {
		n++
	}
	var over []*record
	for ; n > s.index.max; n-- {
		var oldest *record
		for x := r.sibling; x != nil; x = x.sibling {
			if oldest == nil || x.written.Load() < oldest.written.Load() {
				oldest = x
			}
		}
		unlink(is, r.owner, oldest)
		over = append(over, oldest)
	}
	return over
}

// unlist takes r out of its owner's list, if it is there; r's shard's lock
// is held.
func (s *Store) unlist(r *record) {
	is := s.indexShard(r.owner)
	is.mu.Lock()
	unlink(is, r.owner, r)
	is.mu.Unlock()
}

// unlink takes r out of owner's list in is; is.mu is held.
func unlink(is *indexShard, owner string, r *record) {
	head := is.owners[owner]
	switch {
	case head == r && r.sibling == nil:
		delete(is.owners, owner)
	case head == r:
		is.owners[owner] = r.sibling
	default:
		for x := head; x != nil; x = x.sibling {
			if x.sibling == r {
				x.sibling = r.sibling
				break
			}
		}
	}
	r.sibling = nil
}

// listed returns owner's listed records.
func (s *Store) listed(owner string) []*record {
	is := s.indexShard(owner)
	is.mu.Lock()
	defer is.mu.Unlock()
	var rs []*record
	for x := is.owners[owner]; x != nil; x = x.sibling {
		rs = append(rs, x)
	}
	return rs
}

// drop removes the records list returned, those that are still users'
// sessions: a MaxPerOwner past the bound ends them for good.
func (s *Store) drop(rs []*record) {
	for _, r := range rs {
		sh := &s.shards[shardIndex(&r.id)]
		sh.mu.Lock()
		if sh.get(&r.id) == r && r.kind() == owned {
			s.remove(sh, r)
		}
		sh.mu.Unlock()
	}
}

// List returns owner's live records; see core.Index.
func (s *Store) List(ctx context.Context, owner string) ([]core.Listed, error) {
	if s.storeCall != nil {
		defer s.observe(ctx, "list")("")
	}
	now := s.now()
	var listed []core.Listed
	for _, r := range s.listed(owner) {
		sh := &s.shards[shardIndex(&r.id)]
		sh.mu.RLock()
		ok := sh.get(&r.id) == r && r.live(now) && r.owner == owner
		payload := r.payload
		sh.mu.RUnlock()
		if ok {
			listed = append(listed, core.Listed{Handle: core.HandleOf(r.token()), Payload: payload})
		}
	}
	return listed, nil
}

// End deletes owner's record listed as handle; see core.Index.
func (s *Store) End(ctx context.Context, owner, handle string) error {
	if s.storeCall != nil {
		defer s.observe(ctx, "end")("")
	}
	for _, r := range s.listed(owner) {
		if core.HandleOf(r.token()) != handle {
			continue
		}
		sh := &s.shards[shardIndex(&r.id)]
		sh.mu.Lock()
		ok := sh.get(&r.id) == r && r.kind() == owned
		if ok {
			ok = r.live(s.now()) && r.owner == owner
			s.remove(sh, r) // an expired one goes too
		}
		sh.mu.Unlock()
		if !ok {
			return core.ErrNotFound
		}
		return nil
	}
	return core.ErrNotFound
}
