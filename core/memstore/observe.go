package memstore

import (
	"context"

	"github.com/transient-go/transient/core"
)

// observed is what the store tells its core.Observer: each of its fields
// is nil when there is nobody to tell, so that a store without an
// Observer pays a nil check.
type observed struct {
	storeCall func(ctx context.Context, store, op string) (context.Context, func(string))
	recordsFn func(store string, delta int)
	evictedFn func(store, kind string)
}

// name is the store's name in what it tells its Observer.
const name = "memstore"

func newObserved(o *core.Observer) observed {
	if o == nil {
		return observed{}
	}
	return observed{storeCall: o.StoreCall, recordsFn: o.Records, evictedFn: o.Evicted}
}

// observe tells the Observer that a call named op starts, and returns the
// function that tells it the call ended; storeCall is set. A memstore
// call never fails: it ends with "".
func (s *Store) observe(ctx context.Context, op string) func(string) {
	_, done := s.storeCall(ctx, name, op)
	return done
}

// counted tells the Observer that the store holds delta more records.
func (o *observed) counted(delta int) {
	if o.recordsFn != nil {
		o.recordsFn(name, delta)
	}
}

// evictedOne tells the Observer that a live record of kind k was evicted.
func (o *observed) evictedOne(k kind) {
	if o.evictedFn != nil {
		o.evictedFn(name, k.name())
	}
}

// name returns k as core.Observer.Evicted names it.
func (k kind) name() string {
	switch k {
	case ended:
		return "ended"
	case owned:
		return "user"
	}
	return "anonymous"
}
