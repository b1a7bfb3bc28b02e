// Package drivers holds an adaptertest.Driver for each adapter of this
// module, and the tests that run them together: the suite with every
// store, cookies read through one adapter and written through another,
// the pressure cases, a hung store, the allocation guard, and the programs
// of the README and the guides.
package drivers

import "github.com/transient-go/transient/adapters/adaptertest"

// All returns the driver of every adapter of this module.
func All() []adaptertest.Driver {
	return []adaptertest.Driver{NetHTTP, Gin, Echo, Fiber}
}
