// Package callrecorder is a core.Observer for the stores' tests: it writes
// down one store's calls, as "load" or "load timeout", and its breakers'
// changes, as "pgstore closed>open".
package callrecorder

import (
	"context"
	"strings"
	"sync"

	"github.com/transient-go/transient/core"
)

// Calls writes down the calls of the store it is made for. It is safe for
// concurrent use.
type Calls struct {
	store    string
	mu       sync.Mutex
	all      []string
	breakers []string
}

// New returns a Calls for the store named store ("pgstore", "redisstore"),
// whose Observer panics when another store calls it.
func New(store string) *Calls { return &Calls{store: store} }

// Observer returns the Observer to give the store.
func (c *Calls) Observer() *core.Observer {
	return &core.Observer{
		StoreCall: func(ctx context.Context, store, op string) (context.Context, func(string)) {
			return ctx, func(failure string) {
				c.mu.Lock()
				defer c.mu.Unlock()
				if store != c.store {
					panic("store " + store)
				}
				c.all = append(c.all, strings.TrimSpace(op+" "+failure))
			}
		},
		Breaker: func(store, from, to string) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.breakers = append(c.breakers, store+" "+from+">"+to)
		},
	}
}

// Take returns the calls written down so far, and forgets them.
func (c *Calls) Take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := c.all
	c.all = nil
	return all
}

// Breakers returns the breakers' changes written down so far.
func (c *Calls) Breakers() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.breakers
}
