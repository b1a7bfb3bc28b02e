package drivers_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core/cookiestore"
)

// TestInterchange writes a session through each adapter and reads it
// through every other, with each store that needs no outside service
// (redis_test.go adds Redis).
func TestInterchange(t *testing.T) {
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"an example secret of at least 32 bytes"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("cookiestore", func(t *testing.T) { adaptertest.Interchange(t, cookies, drivers.All()...) })
	t.Run("memstore", func(t *testing.T) { adaptertest.Interchange(t, testkit.Memstore(t), drivers.All()...) })
}
