package core

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// This file is what a commit does when other requests of the same visitor
// keep changing the record it writes (Manager.write, in lifecycle.go).
//
// A commit first writes optimistically: one Update or Renew that checks
// the record still holds what the request loaded, one round trip. When it
// meets a concurrent change (a ConflictError), it applies its change set
// to the record as it is now, waits a short random time, so that the
// requests that met each other do not meet again, and tries again. Once
// it has met lockAfter conflicts, a store that is a LockingStore writes
// the change set while it holds the record (writeLocked): the store gives
// every waiting commit its turn, so none starves, however many requests
// keep the record changing. With another store the commit keeps trying
// optimistically, waiting a little longer each time, up to maxAttempts
// tries in all; a commit that still meets a change on its last try fails
// with ErrStore (a 503), having written nothing.

const (
	// lockAfter is how many conflicts a commit meets before it writes
	// through LockingStore.UpdateLocked.
	lockAfter = 2

	// maxAttempts bounds the tries of one commit that keep meeting a
	// concurrent request's change, with a store that cannot hold a
	// record.
	maxAttempts = 16

	// minBackoff and maxBackoff bound the random wait before the next
	// try: up to minBackoff after the first conflict, doubling with each
	// one after it, to at most maxBackoff. With maxAttempts tries, a
	// commit gives up after about half a second of waits on average.
	minBackoff = time.Millisecond
	maxBackoff = 64 * time.Millisecond
)

// backoff waits before the try that follows a commit's attempt-th
// conflict: a random time, up to a bound that doubles with each conflict
// ("full jitter").
func backoff(attempt int) {
	bound := minBackoff << min(attempt-1, 16)
	bound = min(bound, maxBackoff)
	time.Sleep(time.Duration(rand.Int64N(int64(bound))) + 1)
}

// writeLocked writes s through the store's UpdateLocked: the request's
// change set applied to the record as the store holds it, encoded into
// buf, under s's token or, for a renewal, a new one, which it returns. On
// success s's payload is what was written. s.mu is held.
func (m *Manager) writeLocked(ctx context.Context, s *Session, buf *[]byte, now int64) (string, error) {
	var written payload
	tok, err := m.locking.UpdateLocked(ctx, s.token, s.ch.renew || s.ch.fresh, func(current []byte) (Record, error) {
		// Called under the store's hold, perhaps more than once: it reads
		// s and changes only its own copy.
		p := s.payload // Invalidate: a new session, whatever the record holds
		if !s.ch.fresh {
			var err error
			if p, err = decodePayload(current, m.bound); err != nil {
				return Record{}, fmt.Errorf("a concurrent request left a session that cannot be decoded: %w", err)
			}
			if err := s.ch.checkDevice(&p); err != nil {
				return Record{}, err
			}
			s.ch.apply(&p)
			p.issued = now
		}
		*buf = p.appendJSON((*buf)[:0], m.bound)
		written = p
		return Record{Payload: *buf, TTL: m.ttl(p.created, now), Owner: p.owner}, nil
	})
	if err != nil {
		return "", err
	}
	s.payload = written
	return tok, nil
}
