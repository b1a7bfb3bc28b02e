package redisstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/observed"
)

// newAttempts bounds the tries of a new record whose random ID is taken.
// With 256-bit IDs a single collision means the random source is broken.
const newAttempts = 3

// Store is a core.Store and core.Index that keeps sessions in Redis.
// Create it with New or NewFromURL; it is safe for concurrent use.
type Store struct {
	client      redis.UniversalClient
	owned       bool                        // created by NewFromURL: Close closes it
	server      string                      // "Redis at 127.0.0.1:6379", for errors
	reach       func(context.Context) error // NewFromURL's: opens a connection and closes it
	prefix      string
	budget      *budget // Options.Timeout
	maxPerOwner int
	lease       time.Duration // Lease; shorter in tests

	// waiting, if set, is called each time an UpdateLocked call is told
	// that ahead turns come before its own; tests use it to know who
	// waits.
	waiting func(ctx context.Context, ahead int64)

	turnsMu sync.Mutex
	turns   map[string]chan struct{} // the UpdateLocked calls that wait, by turn

	obs observed.Store // what it tells Options.Observer
}

var (
	_ core.Index = (*Store)(nil)
)

// Load returns the payload of token with one GET, or core.ErrNotFound
// (core.ErrGone for a record that Renew or Delete ended less than
// core.GoneTTL ago). A token that is not a valid ID (see core.ValidID) is
// not found without a round trip. The caller must not modify the payload.
func (s *Store) Load(ctx context.Context, token string) (_ []byte, _ bool, err error) {
	if !core.ValidID(token) {
		return nil, false, core.ErrNotFound
	}
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "load")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	b, err := s.client.Get(ctx, s.key(token)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, core.ErrNotFound
	case err != nil:
		return nil, false, s.failed(ctx, err)
	}
	p, ok := payloadOf(b)
	if !ok {
		return nil, false, core.ErrGone
	}
	return p, false, nil
}

// Create writes r under a new ID with one SET NX GET PX, in a pipeline with
// the owner's index when r has an owner.
func (s *Store) Create(ctx context.Context, r core.Record) (_ string, err error) {
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "create")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	return s.create(ctx, r)
}

// create writes r under a new ID.
func (s *Store) create(ctx context.Context, r core.Record) (string, error) {
	for range newAttempts {
		id := core.NewID()
		set := s.set(ctx, id, r)
		var list *redis.Cmd
		var name string
		if r.Owner == "" {
			_ = s.client.Process(ctx, set)
		} else {
			name = sessionName(id)
			pipe := s.client.Pipeline()
			_ = pipe.Process(ctx, set)
			list = s.list(ctx, pipe, r, name, "")
			_, _ = pipe.Exec(ctx)
		}
		ok, err := created(set)
		if err != nil {
			return "", s.failed(ctx, err)
		}
		if ok {
			if list != nil {
				s.listed(ctx, list, r, name)
			}
			return id, nil
		}
	}
	return "", s.failed(ctx, errTaken)
}

var errTaken = errors.New("redisstore: every new session ID tried was taken; is the random source broken?")

// Update replaces the record of token with r if it still holds old, in one
// round trip: a script that compares the record with old (by SHA-1, so
// that old is not sent back) and writes r only if they match, pipelined
// with the refresh of the owner's index when r has an owner. It returns a
// *core.ConflictError with the record as it is now when they do not match,
// and core.ErrNotFound when the record is gone.
func (s *Store) Update(ctx context.Context, token string, old []byte, r core.Record) (_ string, err error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "update")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	return s.update(ctx, token, updateScript, digest(old), r)
}

// update writes r over the record of token with script, updateScript or
// heldUpdateScript, whose first argument is check, in a pipeline with the
// refresh of the owner's index when r has an owner.
func (s *Store) update(ctx context.Context, token string, script *redis.Script, check string, r core.Record) (string, error) {
	n := sum(token)
	key := s.prefix + string(n[:keyNameLen])
	args := []any{check, value(r.Payload), millis(r.TTL)}
	var upd *redis.Cmd
	if r.Owner == "" {
		upd = s.eval(ctx, script, key, args...)
	} else {
		owner, name, secs := s.ownerKey(r.Owner), string(n[:]), seconds(r.TTL)
		pipe := s.client.Pipeline()
		upd = script.EvalSha(ctx, pipe, []string{key}, args...)
		touch := touchScript.EvalSha(ctx, pipe, []string{owner}, name, secs)
		_, _ = pipe.Exec(ctx)
		upd = s.again(ctx, upd, script, key, args...)
		s.again(ctx, touch, touchScript, owner, name, secs)
	}
	if err := result(upd); err != nil {
		return "", s.failed(ctx, err)
	}
	s.wakeNext(upd)
	return token, nil
}

// Renew ends the record of token, if it still holds old (whatever it
// holds, if old is nil), and writes r under a new ID, in one round trip: a
// pipeline of the script that ends the old record, a SET NX GET PX of the new
// one, and the owner's index. In a Cluster the keys live in different
// slots, so go-redis sends each command to its node, in parallel; when the
// old record turns out to be gone or changed, the new one, whose ID nobody
// has, is deleted (one more round trip) and Renew fails as Update does. If
// the script succeeds and the SET fails, the session is ended and the
// request fails, which errs on the side of logging the user out.
func (s *Store) Renew(ctx context.Context, token string, old []byte, r core.Record) (_ string, err error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "renew")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	return s.renew(ctx, token, endScript, digest(old), r)
}

// renew ends the record of token with script, endScript or heldEndScript,
// whose first argument is check, and writes r under a new ID, as Renew
// documents.
func (s *Store) renew(ctx context.Context, token string, script *redis.Script, check string, r core.Record) (string, error) {
	key, id := s.key(token), core.NewID()
	args := []any{check, millis(core.GoneTTL), goneMarker()}
	pipe := s.client.Pipeline()
	end := script.EvalSha(ctx, pipe, []string{key}, args...)
	set := s.set(ctx, id, r)
	_ = pipe.Process(ctx, set)
	var list *redis.Cmd
	var name string
	if r.Owner != "" {
		name = sessionName(id)
		list = s.list(ctx, pipe, r, name, sessionName(token))
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	end = s.again(ctx, end, script, key, args...)
	ok, setErr := created(set)
	if err := result(end); err != nil {
		if ok {
			_ = s.client.Del(ctx, s.key(id)).Err() // else it expires unused
		}
		if r.Owner != "" && !errors.Is(err, core.ErrNotFound) {
			s.relist(ctx, r, sessionName(token)) // the old record lives on
		}
		return "", s.failed(ctx, err)
	}
	switch {
	case setErr != nil:
		return "", s.failed(ctx, setErr)
	case !ok:
		return s.create(ctx, r) // the new ID was taken: never seen in practice
	}
	if list != nil {
		s.listed(ctx, list, r, name)
	}
	return id, nil
}

// Delete ends the record of token with one script call, leaving the
// marker that Load reports as core.ErrGone. It returns core.ErrNotFound if
// there was no live record.
func (s *Store) Delete(ctx context.Context, token string) (err error) {
	if !core.ValidID(token) {
		return core.ErrNotFound
	}
	if s.obs.StoreCall != nil {
		var done func(string)
		ctx, done = s.obs.StoreCall(ctx, name, "delete")
		defer func() { done(failure(err)) }()
	}
	ctx, cancel := s.budget.bound(ctx)
	defer cancel()
	return s.failed(ctx, result(s.eval(ctx, endScript, s.key(token), "", millis(core.GoneTTL), goneMarker())))
}
