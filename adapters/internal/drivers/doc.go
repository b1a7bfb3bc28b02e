// Package drivers holds an adaptertest.Driver for each adapter of this
// module, and the tests that run them together: the suite with Redis, a
// Redis Cluster and PostgreSQL, cookies written through one adapter and
// read through every other, the pressure cases with stores a millisecond
// away, a hung store, the allocation guard, and the programs of the README
// and the guides.
package drivers

import (
	"net"
	"testing"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/core"
)

// Driver is an adaptertest.Driver that also serves a request in process,
// for the allocation guard (allocs_test.go).
type Driver interface {
	adaptertest.Driver

	// ServeOne returns a function that serves one GET / whose Cookie
	// header is cookie, in process and without a network, to a handler
	// that does nothing: through the adapter's middleware for m, with
	// default adapter options, or through the bare framework when m is
	// nil. Every call serves the same request again and discards the
	// response, as a server does with the requests of a kept-alive
	// connection, so that testing.AllocsPerRun counts only what the
	// framework and the middleware allocate. The function is not safe for
	// concurrent use.
	ServeOne(m *core.Manager, cookie string) func()
}

// All returns the driver of every adapter of this module.
func All() []adaptertest.Driver {
	return []adaptertest.Driver{NetHTTP{}, Gin{}, Echo{}, Echo5{}, Fiber{}}
}

// Serve serves routes through d on a new loopback listener until the test
// ends, and returns the server's base URL, as the suite does.
func Serve(t testing.TB, d adaptertest.Driver, ms []*core.Manager, routes []adaptertest.Route) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Serve(ln, ms, routes))
	return "http://" + ln.Addr().String()
}
