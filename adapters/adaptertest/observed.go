package adaptertest

import (
	"testing"

	"github.com/transient-go/transient/core"
)

// RunStoreObserved is RunStore with obs given to every Manager the cases
// make (core.Options.Observer), so that a test can read what they record
// while the suite runs, such as the metrics and spans of package
// otelsession. The store's own calls are recorded by the Observer given to
// the store's options, if any.
func RunStoreObserved(t *testing.T, d Driver, store core.Store, obs *core.Observer) {
	RunStore(t, observed{d, obs}, store)
}

// observed is a Driver whose cases' Managers get an Observer.
type observed struct {
	Driver
	obs *core.Observer
}

func (d observed) options(o *core.Options) {
	if inner, ok := d.Driver.(optioned); ok {
		inner.options(o)
	}
	o.Observer = d.obs
}

// optioned is a Driver that the suite wraps to give its cases' Managers
// more options (Observer, TokenHeader).
type optioned interface {
	Driver
	options(o *core.Options)
}
