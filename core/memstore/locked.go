package memstore

import (
	"context"

	"github.com/transient-go/transient/core"
)

// This file is the store's core.LockingStore: the write a commit falls
// back to once its optimistic writes keep meeting concurrent changes.

var _ core.LockingStore = (*Store)(nil)

// UpdateLocked calls change with the payload of token's record and writes
// what it returns, all under the record's shard lock; with renew, under a
// new ID, ending the record of token as Renew does. See
// core.LockingStore for the contract.
//
// The hold is the shard's lock itself: while change runs no other write
// of the shard's records proceeds, and change is called exactly once.
// Turns are fair: the lock is a sync.RWMutex, whose writers queue on a
// sync.Mutex that hands itself over in the order writers arrived once one
// of them has waited a millisecond, and a waiting writer keeps new readers
// out; so every commit gets its turn within the time the commits ahead of
// it take, microseconds each. ctx is checked before the wait, which is
// never long enough to need a deadline; the hold ends when UpdateLocked
// returns, whatever happens.
func (s *Store) UpdateLocked(ctx context.Context, token string, renew bool, change func(current []byte) (core.Record, error)) (string, error) {
	if s.storeCall != nil {
		defer s.observe(ctx, "update_locked")("")
	}
	sh, id, ok := s.find(token)
	if !ok {
		return "", core.ErrNotFound
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	now := s.now()
	defer s.sweep(now)
	sh.mu.Lock()
	cur := sh.get(&id)
	if !cur.live(now) {
		sh.mu.Unlock()
		return "", core.ErrNotFound
	}
	r, err := change(cur.payload)
	switch {
	case err != nil:
		sh.mu.Unlock()
		return "", err
	case !renew:
		s.write(sh, cur, r, now)
		sh.mu.Unlock()
		return token, nil
	}
	s.end(sh, cur, now)
	sh.mu.Unlock()
	// Nobody knows the new ID yet, so nobody can see the moment when
	// neither record is live.
	return s.insert(r, now), nil
}
