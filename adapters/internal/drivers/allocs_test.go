// The race detector makes sync.Pool drop items at random, and Gin, Echo and
// Fiber pool their contexts: allocations are only counted without it.

//go:build !race

package drivers_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// TestUntouchedAllocs guards what each adapter's middleware costs a request
// whose handler never touches the session, with a session cookie, measured
// against the same framework without the middleware, each serving the
// request in process (Driver.ServeOne). bench/ measures the time
// (BenchmarkUntouched, BenchmarkNetHTTP, BenchmarkGin, BenchmarkEcho,
// BenchmarkEcho5, BenchmarkFiber).
func TestUntouchedAllocs(t *testing.T) {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	const cookie = "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA; theme=dark"
	tests := []struct {
		d    drivers.Driver
		want float64 // allocations the middleware adds
		what string  // what they are
	}{
		{drivers.NetHTTP{}, 1, "the copy of the request that carries the session " +
			"(the commit writer and the unloaded session share its allocation)"},
		{drivers.Gin{}, 1, "the copy of the request that carries the session " +
			"(the writer and the unloaded session share its allocation)"},
		{drivers.Echo{}, 2, "the copy of the request that carries the session " +
			"(the writer and the unloaded session share its allocation), " +
			"and the closure Echo makes for every middleware on every request"},
		{drivers.Echo5{}, 1, "the copy of the request that carries the session " +
			"(the writer and the unloaded session share its allocation); Echo v5 builds its middleware chain once"},
		{drivers.Fiber{}, 1, "the context.Context that carries the session (c.SetUserContext), " +
			"which shares its allocation with the unloaded session"},
	}
	for _, tt := range tests {
		t.Run(tt.d.Name(), func(t *testing.T) {
			without := testing.AllocsPerRun(1000, tt.d.ServeOne(nil, cookie))
			with := testing.AllocsPerRun(1000, tt.d.ServeOne(m, cookie))
			if with-without != tt.want {
				t.Errorf("an untouched request makes %v allocations through the %s middleware and %v without; want %v more: %s",
					with, tt.d.Name(), without, tt.want, tt.what)
			}
		})
	}
}

// TestUntouchedAllocsTokenHeader guards that a Manager whose token travels
// in a header (core.Options.TokenHeader) costs an untouched request what a
// cookie Manager over the same store does: the header is only read when
// the session is used.
func TestUntouchedAllocsTokenHeader(t *testing.T) {
	store := testkit.Memstore(t)
	cookies, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	header, err := core.NewManager(store, &core.Options{TokenHeader: "Authorization"})
	if err != nil {
		t.Fatal(err)
	}
	const cookie = "session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	for _, d := range drivers.All() {
		d := d.(drivers.Driver)
		t.Run(d.Name(), func(t *testing.T) {
			c := testing.AllocsPerRun(1000, d.ServeOne(cookies, cookie))
			h := testing.AllocsPerRun(1000, d.ServeOne(header, cookie))
			if h != c {
				t.Errorf("an untouched request makes %v allocations through the %s middleware of a token-header Manager and %v of a cookie Manager; want as many", h, d.Name(), c)
			}
		})
	}
}
