package adaptertest

import (
	"testing"

	"github.com/transient-go/transient/core"
)

// Run runs the behavioural suite for d with sessions kept in store.
func Run(t *testing.T, d Driver, store core.Store) {
	t.Skip("suite being written")
}

// Interchange checks that a session written through any of drivers is read
// through every other, all with the same Manager settings and store.
func Interchange(t *testing.T, store core.Store, drivers ...Driver) {
	t.Skip("suite being written")
}
