// The race detector makes sync.Pool drop items at random, and Gin, Echo and
// Fiber pool their contexts: allocations are only counted without it.

//go:build !race

package drivers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
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

// TestSessionAllocs guards what each adapter's middleware and the core
// cost a request that uses a logged-in session ({user_id, username}),
// with the cookie store and the memory store: read-only reads both values;
// read-write also pops the flash message the previous request left and
// adds one, and the session is committed. The count is what the request
// makes beyond the bare framework's, the handler's own reading included
// (username's string, which costs none). bench/ measures the time (BenchmarkNetHTTP,
// BenchmarkGin, BenchmarkEcho, BenchmarkEcho5, BenchmarkFiber), and
// docs/performance.md says where the allocations go.
func TestSessionAllocs(t *testing.T) {
	cs, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	read := func(s *core.Session) {
		id, _ := s.Int("user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			panic("wrong session")
		}
	}
	write := func(s *core.Session) {
		read(s)
		if len(s.PopFlash("")) > 1 {
			panic("flash messages accumulate")
		}
		s.Flash("Article saved successfully!", "")
	}
	// want is, per store, what a read-only and a read-write request add:
	// the request's state (as untouched), and
	//   - read-only: the room of the payload's first entries and of the
	//     session ID kept from the request's header (core's payload.go);
	//     the payload's strings, username's included, share its memory;
	//   - read-write: the same, the room of the change set's first entries,
	//     and what the write makes: the copy of the new payload the store
	//     keeps (memory), or the new cookie's value and its Set-Cookie
	//     line (cookie store: the session was last issued a minute ago, so
	//     the cookie changes, as it does for a request that comes seconds
	//     after the last).
	// The headers a commit adds take no slice of their own: Vary: Cookie
	// and Set-Cookie go into room the writer of the request's state keeps
	// for them (commitwriter.Header), or into fasthttp's reused buffers.
	// The cookie store adds what gorilla/securecookie allocates, which its
	// API gives no way to spare (no buffer to pass, a new HMAC per call;
	// the store already hands it pooled SHA-256 states and a payload it
	// can box for free): Decode takes 8 or 9 allocations (the value's
	// bytes, two base64 decodings, the split, the MAC's input, hmac.New's
	// HMAC and pads, the sum), Encode 12 or 13 (fmt.Sprintf's arguments,
	// result and copy, two base64 encodings, the HMAC and its sum).
	// Echo v4 adds its closure per middleware, as
	// untouched; Fiber its copy of the Cookie line, which fasthttp may
	// overwrite while the session still reads it (one allocation whether
	// fasthttp holds the line as it came or, as here after
	// Request.Header.Set, as the cookies it parsed).
	type counts struct{ readOnly, readWrite float64 }
	want := map[string]counts{"cookie": {11, 26}, "memory": {2, 4}}
	for _, st := range []struct {
		name  string
		store core.Store
	}{{"cookie", cs}, {"memory", ms}} {
		m, err := core.NewManager(st.store, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The same sessions, issued a minute ago by a Manager whose clock
		// is behind: every request issues its session anew, whatever second
		// it comes in.
		past, err := core.NewManager(st.store, &core.Options{Clock: func() time.Time { return time.Now().Add(-time.Minute) }})
		if err != nil {
			t.Fatal(err)
		}
		login := loginCookie(t, past, nil)
		steady := loginCookie(t, past, write) // holds one flash message, as every read-write request leaves it
		for _, d := range []drivers.UseDriver{drivers.NetHTTP{}, drivers.Gin{}, drivers.Echo{}, drivers.Echo5{}, drivers.Fiber{}} {
			extra := 0.0
			switch d.Name() {
			case drivers.Echo{}.Name():
				extra = 1
			case drivers.Fiber{}.Name():
				extra = 1
			}
			for _, sh := range []struct {
				name   string
				cookie string
				use    func(*core.Session)
				want   float64
			}{
				{"read-only", login, read, want[st.name].readOnly + extra},
				{"read-write", steady, write, want[st.name].readWrite + extra},
			} {
				t.Run(st.name+"/"+d.Name()+"/"+sh.name, func(t *testing.T) {
					without := testing.AllocsPerRun(1000, d.ServeOne(nil, sh.cookie))
					with := testing.AllocsPerRun(1000, d.ServeUse(m, sh.cookie, sh.use))
					if with-without != sh.want {
						t.Errorf("a %s request on the %s store makes %v allocations through the %s middleware and %v without; want %v more",
							sh.name, st.name, with, d.Name(), without, sh.want)
					}
				})
			}
		}
	}
}

// loginCookie returns the Cookie header of a session that m made at login
// with {user_id: 42, username: "alice"}, after a second request that
// called then, if not nil.
func loginCookie(t *testing.T, m *core.Manager, then func(*core.Session)) string {
	t.Helper()
	cookie := ""
	for _, use := range []func(*core.Session){
		func(s *core.Session) { _ = s.Set("user_id", 42); _ = s.Set("username", "alice") },
		then,
	} {
		if use == nil {
			continue
		}
		h := http.Header{}
		if cookie != "" {
			h.Set("Cookie", cookie)
		}
		var s core.Session
		ctx := m.Begin(&s, context.Background(), core.CookiesFrom(h))
		sess, err := core.FromContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		use(sess)
		out := http.Header{}
		if err := m.Commit(ctx, &s, http.StatusOK, out); err != nil {
			t.Fatal(err)
		}
		if err := m.Finish(ctx, &s); err != nil {
			t.Fatal(err)
		}
		if c := (&http.Response{Header: out}).Cookies(); len(c) == 1 {
			cookie = c[0].Name + "=" + c[0].Value
		}
	}
	return cookie
}
