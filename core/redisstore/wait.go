package redisstore

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// This file is how an UpdateLocked call waits for its turn: see
// UpdateLocked for the pauses between its questions.

// pause returns how long a call with ahead turns before its own waits
// before it asks again, after a question that took rtt: see UpdateLocked.
func pause(ahead int64, rtt time.Duration) time.Duration {
	d := min(max(time.Duration(ahead)*2*rtt, minPoll), maxPoll)
	return d/2 + rand.N(d)
}

// sleep waits for d, or until woken, or until ctx is done, and returns
// ctx's error then.
func sleep(ctx context.Context, d time.Duration, woken <-chan struct{}) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-woken:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A turn that ends tells the store which turn comes next (heldUpdateScript
// and leaveScript answer its name), and the store wakes that turn's call
// at once if it waits in this process, rather than letting it find out at
// its next question: its turn begins a round trip after the last one
// ended, however long a pause the timer would have given it (Go's timers
// wake a millisecond late at best). A call of another process finds out
// at its next question.

// watch returns the channel that wakes the call of turn.
func (s *Store) watch(turn string) chan struct{} {
	ch := make(chan struct{}, 1)
	s.turnsMu.Lock()
	defer s.turnsMu.Unlock()
	if s.turns == nil {
		s.turns = make(map[string]chan struct{})
	}
	s.turns[turn] = ch
	return ch
}

func (s *Store) unwatch(turn string) {
	s.turnsMu.Lock()
	defer s.turnsMu.Unlock()
	delete(s.turns, turn)
}

// wakeNext wakes the call of the turn that cmd, a script of this file,
// answered comes next, if it waits in this process.
func (s *Store) wakeNext(cmd *redis.Cmd) {
	v, ok := cmd.Val().([]any)
	if !ok || len(v) != 1 {
		return
	}
	name, _ := v[0].(string)
	s.turnsMu.Lock()
	ch := s.turns[name]
	s.turnsMu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
