package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
	"github.com/transient-go/transient/core/storetest"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.Run(t, newStore(t, srv.Client(t), nil), &storetest.Options{MaxPerOwner: redisstore.DefaultMaxPerOwner})
}

func TestConformanceCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	storetest.Run(t, newStore(t, c.Client(t), nil), &storetest.Options{MaxPerOwner: redisstore.DefaultMaxPerOwner})
}

func TestConformanceFromURL(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.NewFromURL(srv.URL(), &redisstore.Options{Prefix: "fromurl:"})
	if err != nil {
		t.Fatalf("NewFromURL = %v", err)
	}
	defer s.Close()
	storetest.Run(t, s, nil)
}

func TestConfigErrors(t *testing.T) {
	off := &redis.Options{Addr: "127.0.0.1:1"}
	on := &redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}
	var nilClient *redis.Client
	tests := []struct {
		name   string
		client redis.UniversalClient
		opts   *redisstore.Options
		want   string // in the error; "" for no error
	}{
		{"nil", nil, nil, "nil"},
		{"typed nil", nilClient, nil, "nil"},
		{"client without context timeouts", redis.NewClient(off), nil, "ContextTimeoutEnabled"},
		{"cluster without context timeouts", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{off.Addr}}), nil, "ContextTimeoutEnabled"},
		{"ring without context timeouts", redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": off.Addr}}), nil, "ContextTimeoutEnabled"},
		{"failover without context timeouts", redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{off.Addr}}), nil, "ContextTimeoutEnabled"},
		{"negative timeout", redis.NewClient(on), &redisstore.Options{Timeout: -time.Second}, "negative"},
		{"good", redis.NewClient(on), nil, ""},
		{"good cluster", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{on.Addr}, ContextTimeoutEnabled: true}), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.client != nil && tt.client != redis.UniversalClient(nilClient) {
				defer tt.client.Close()
			}
			s, err := redisstore.New(tt.client, tt.opts)
			if tt.want == "" {
				if err != nil || s == nil {
					t.Fatalf("New = %v, %v; want a Store", s, err)
				}
				return
			}
			if !errors.Is(err, core.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v; want an error matching core.ErrConfig that mentions %q", err, tt.want)
			}
		})
	}
	for _, url := range []string{"", "http://127.0.0.1:6379", "redis://127.0.0.1:6379/notadb"} {
		if _, err := redisstore.NewFromURL(url, nil); !errors.Is(err, core.ErrConfig) {
			t.Errorf("NewFromURL(%q) = %v; want an error matching core.ErrConfig", url, err)
		}
	}
}

func TestClose(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	s := newStore(t, client, nil)
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Close of a Store made by New = %v; want the application's client left open", err)
	}
	owned, err := redisstore.NewFromURL(srv.URL(), nil)
	if err != nil {
		t.Fatalf("NewFromURL = %v", err)
	}
	if err := owned.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, _, err := owned.Load(ctx, core.NewID()); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("Load after Close = %v; want redis.ErrClosed", err)
	}
}

// TestRoundTrips counts the calls each method makes to Redis.
func TestRoundTrips(t *testing.T) {
	single := redistest.Start(t)
	cluster := redistest.StartCluster(t)
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
	}{
		{"single", single.Client(t)},
		{"cluster", cluster.Client(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt := &roundTrips{}
			tt.client.AddHook(rt)
			s := newStore(t, tt.client, nil)
			warm(t, tt.client)
			if err := s.Ping(ctx); err != nil { // loads the scripts
				t.Fatal(err)
			}
			var tok string
			ops := []struct {
				name string
				op   func() error
			}{
				{"Create", func() (err error) { tok, err = s.Create(ctx, record(`{}`)); return }},
				{"Load", func() error { _, _, err := s.Load(ctx, tok); return err }},
				{"Update", func() error { _, err := s.Update(ctx, tok, []byte(`{}`), record(`{"a":1}`)); return err }},
				{"Update(conflict)", func() error {
					_, err := s.Update(ctx, tok, []byte(`{}`), record(`{"a":2}`))
					return ignore(err, core.ErrConflict)
				}},
				{"Renew", func() (err error) { tok, err = s.Renew(ctx, tok, []byte(`{"a":1}`), record(`{"b":1}`)); return }},
				{"Load(unknown)", func() error { _, _, err := s.Load(ctx, core.NewID()); return ignore(err, core.ErrNotFound) }},
				{"Update(unknown)", func() error {
					_, err := s.Update(ctx, core.NewID(), []byte(`{}`), record(`{}`))
					return ignore(err, core.ErrNotFound)
				}},
				{"Delete", func() error { return s.Delete(ctx, tok) }},
			}
			for _, o := range ops {
				before := rt.n.Load()
				if err := o.op(); err != nil {
					t.Fatalf("%s = %v", o.name, err)
				}
				if got := rt.n.Load() - before; got != 1 {
					t.Errorf("%s took %d round trips; want 1", o.name, got)
				}
			}
		})
	}
}

// warm opens the client's connections, for commands and for pipelines,
// and loads the cluster's slots, so that what follows pays no handshake
// (HELLO and CLIENT commands, once per new connection).
func warm(t testing.TB, c redis.UniversalClient) {
	t.Helper()
	for range 2 {
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("PING = %v", err)
		}
		if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Get(ctx, "warm:a")
			p.Get(ctx, "warm:b")
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatalf("pipeline = %v", err)
		}
	}
}

// ignore returns nil for an error matching target.
func ignore(err, target error) error {
	if errors.Is(err, target) {
		return nil
	}
	return err
}

// record is a Record of payload p that lives a minute.
func record(p string) core.Record { return core.Record{Payload: []byte(p), TTL: time.Minute} }

// TestKeys checks that keys hold a hash of the token, never the token,
// and that records expire after ttl.
func TestKeys(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	s := newStore(t, client, nil)
	tok, err := s.Create(ctx, core.Record{Payload: []byte(`{"x":1}`), TTL: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	k := key(tok)
	ttl, err := client.PTTL(ctx, k).Result()
	if err != nil || ttl <= 89*time.Second || ttl > 90*time.Second {
		t.Fatalf("PTTL(%s) = %v, %v; want about 90s", k, ttl, err)
	}
	if n, err := client.Exists(ctx, redisstore.DefaultPrefix+tok, tok).Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS of keys naming the token = %d, %v; want 0", n, err)
	}
	if _, err := s.Renew(ctx, tok, []byte(`{"x":1}`), core.Record{Payload: []byte(`{"x":2}`), TTL: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	// The renewed key holds only the marker of an ended session, for
	// core.GoneTTL.
	if v, err := client.Get(ctx, k).Result(); err != nil || !strings.HasPrefix(v, "-") || strings.Contains(v, `"x"`) {
		t.Fatalf("GET of the renewed key = %q, %v; want the marker of an ended session, no payload", v, err)
	}
	if ttl, err := client.PTTL(ctx, k).Result(); err != nil || ttl <= 0 || ttl > core.GoneTTL {
		t.Fatalf("PTTL of the renewed key = %v, %v; want at most core.GoneTTL", ttl, err)
	}
}

// TestUnknownTokensCreateNothing floods Load, Update, Renew and Delete
// with unknown tokens.
func TestUnknownTokensCreateNothing(t *testing.T) {
	srv := redistest.StartLocal(t) // DBSIZE needs a server of its own
	client := srv.Client(t)
	s := newStore(t, client, nil)
	if _, err := s.Create(ctx, record(`{}`)); err != nil {
		t.Fatal(err)
	}
	before, err := client.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		tok := core.NewID()
		if i%4 == 0 {
			tok = strings.Repeat("A", i+1)
		}
		if i%10 == 0 {
			storetest.CheckUnknown(t, s, tok)
		} else {
			wantNotFound(t, s, tok)
		}
	}
	if after, err := client.DBSize(ctx).Result(); err != nil || after != before {
		t.Fatalf("DBSIZE after 2000 unknown tokens = %d, %v; want %d", after, err, before)
	}
}

// FuzzLoad sends arbitrary tokens, as a client's cookie would carry, to
// Load, Update, Renew and Delete: unknown tokens are not found and create
// nothing.
func FuzzLoad(f *testing.F) {
	srv := redistest.Start(f)
	client := srv.Client(f)
	prefix := "fuzz:" + core.NewID()[:8] + ":"
	s := newStore(f, client, &redisstore.Options{Prefix: prefix})
	for _, seed := range []string{"", "x", core.NewID(), strings.Repeat("A", 5000), "*\r\n$3\r\nDEL\r\n", "session:", "\x00\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if tok == "" {
			return // the core never passes an empty token: it means "new"
		}
		storetest.CheckUnknown(t, s, tok)
		if keys, err := client.Keys(ctx, prefix+"*").Result(); err != nil || len(keys) != 0 {
			t.Fatalf("keys under the prefix = %q, %v; want none", keys, err)
		}
	})
}

// TestIndexFloods logs one user in a thousand times, and has a thousand
// anonymous visitors start sessions: the user's index lists
// MaxPerOwner sessions, the others are ended, and the anonymous sessions
// create no index at all.
func TestIndexFloods(t *testing.T) {
	srv := redistest.StartLocal(t) // counts keys: a server of its own
	client := srv.Client(t)
	s := newStore(t, client, nil)
	for range 1000 {
		if _, err := s.Create(ctx, core.Record{Payload: []byte(`{}`), TTL: time.Hour, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	owners, err := client.Keys(ctx, redisstore.DefaultPrefix+"owner:*").Result()
	if err != nil || len(owners) != 1 {
		t.Fatalf("owner keys = %q, %v; want alice's only", owners, err)
	}
	if n, err := client.ZCard(ctx, owners[0]).Result(); err != nil || n != redisstore.DefaultMaxPerOwner {
		t.Fatalf("alice's index lists %d, %v; want %d", n, err, redisstore.DefaultMaxPerOwner)
	}
	if n, err := client.DBSize(ctx).Result(); err != nil || n != redisstore.DefaultMaxPerOwner+1 {
		t.Fatalf("DBSIZE after a thousand logins of one user = %d, %v; want her %d sessions and her index", n, err, redisstore.DefaultMaxPerOwner)
	}
	for range 1000 {
		if _, err := s.Create(ctx, core.Record{Payload: []byte(`{}`), TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := client.Keys(ctx, redisstore.DefaultPrefix+"owner:*").Result(); err != nil || len(keys) != 1 {
		t.Fatalf("owner keys after anonymous visitors = %d, %v; want 1", len(keys), err)
	}
}
