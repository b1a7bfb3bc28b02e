// Package observed is what a networked store (pgstore, redisstore) tells
// the core.Observer of its options.
package observed

import (
	"context"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
)

// Store is what a store tells its Observer: nil functions when there is
// nobody to tell, so that a store without an Observer pays a nil check.
type Store struct {
	// StoreCall is core.Observer.StoreCall, or nil.
	StoreCall func(ctx context.Context, store, op string) (context.Context, func(string))
	breaker   func(store, from, to string)
}

// New returns what a store with o tells it; o may be nil.
func New(o *core.Observer) Store {
	if o == nil {
		return Store{}
	}
	return Store{StoreCall: o.StoreCall, breaker: o.Breaker}
}

// ObserveBreaker has b, the breaker of the store named name, tell the
// Observer of its states, from the closed one it starts in.
func (o Store) ObserveBreaker(name string, b *breaker.Breaker) {
	if f := o.breaker; f != nil {
		b.Changed = func(from, to string) { f(name, from, to) }
		f(name, "", "closed")
	}
}
