package memstore_test

import (
	"testing"

	"github.com/transient-go/transient/core/storetest"
)

// FuzzCookieHeader feeds arbitrary Cookie headers to a Manager on a memory
// store: session IDs are parsed and looked up without a panic or an error,
// only the ID the store issued gives its session, and no lookup creates a
// record (see storetest.FuzzCookieHeader).
func FuzzCookieHeader(f *testing.F) {
	storetest.FuzzCookieHeader(f, newStore(f, nil))
}
