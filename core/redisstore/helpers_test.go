package redisstore_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

// roundTrips is a redis.Hook that counts round trips: one per command
// and one per pipeline.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// newStore returns a Store over client, failing t on error.
func newStore(t testing.TB, client redis.UniversalClient, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(client, opts)
	if err != nil {
		t.Fatalf("redisstore.New = %v", err)
	}
	return s
}

// key is the Redis key of token under the default prefix: the first 20
// bytes of its SHA-256.
func key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return redisstore.DefaultPrefix + string(sum[:20])
}

// newManager returns a Manager over store for plain-HTTP test servers.
func newManager(t testing.TB, store core.Store) *core.Manager {
	t.Helper()
	// The tests check what failed requests answer; the Manager's log of
	// them would only be noise.
	m, err := core.NewManager(store, &core.Options{Insecure: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("core.NewManager = %v", err)
	}
	return m
}

// app is the test application:
//
//	POST /login?user=U  sets user_id and username, renews the ID
//	GET  /me            answers "user U" (plus set keys, sorted) or "anonymous"
//	POST /set?k=K&v=V   sets K to V
//	POST /logout        invalidates the session
//
// gate, if set, runs in /me and /set after the session is loaded and
// before anything changes, so a test can hold a request there.
type app struct {
	gate func(r *http.Request)
}

func (a *app) handler(m *core.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.wrap(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		u := r.FormValue("user")
		_ = s.Set("user_id", u)
		_ = s.Set("username", "name-"+u)
		s.Renew()
		fmt.Fprintf(w, "user %s", u)
	}))
	mux.HandleFunc("GET /me", a.wrap(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		if a.gate != nil {
			a.gate(r)
		}
		u, ok := s.String("user_id")
		if !ok {
			fmt.Fprint(w, "anonymous")
			return
		}
		fmt.Fprintf(w, "user %s", u)
		for _, k := range s.Keys() {
			if k != "user_id" && k != "username" {
				v, _ := s.String(k)
				fmt.Fprintf(w, " %s=%s", k, v)
			}
		}
	}))
	mux.HandleFunc("POST /set", a.wrap(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		if a.gate != nil {
			a.gate(r)
		}
		_ = s.Set(r.FormValue("k"), r.FormValue("v"))
		fmt.Fprint(w, "ok")
	}))
	mux.HandleFunc("POST /logout", a.wrap(func(w http.ResponseWriter, r *http.Request, s *core.Session) {
		s.Invalidate()
		fmt.Fprint(w, "bye")
	}))
	return sessionhttp.Middleware(m, nil)(mux)
}

func (a *app) wrap(h func(http.ResponseWriter, *http.Request, *core.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			code := core.StatusCode(err)
			http.Error(w, http.StatusText(code), code)
			return
		}
		h(w, r, s)
	}
}

// serve starts the app on a loopback test server stopped by t.Cleanup.
func (a *app) serve(t testing.TB, m *core.Manager) *httptest.Server {
	srv := httptest.NewServer(a.handler(m))
	t.Cleanup(srv.Close)
	return srv
}

// wantNotFound fails t unless store has no record for token.
func wantNotFound(t testing.TB, store core.Store, token string) {
	t.Helper()
	if got, _, err := store.Load(context.Background(), token); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Load(%.10s...) = %q, %v; want core.ErrNotFound", token, got, err)
	}
}
