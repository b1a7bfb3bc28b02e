package sessionecho_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
)

func TestSuite(t *testing.T) {
	adaptertest.Run(t, drivers.Echo5{})
}
