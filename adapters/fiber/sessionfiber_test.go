package sessionfiber_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
)

func TestSuite(t *testing.T) {
	for _, st := range adaptertest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) { adaptertest.Run(t, adaptertest.Fiber, st.Store) })
	}
}
