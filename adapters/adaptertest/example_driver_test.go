package adaptertest_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/adaptertest"
)

// TestExampleDriver runs the suite through the Example's driver: the
// net/http adapter behind an error path of the framework's own.
func TestExampleDriver(t *testing.T) {
	adaptertest.Run(t, driver{})
}
