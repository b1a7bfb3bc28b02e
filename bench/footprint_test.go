package bench_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// footprintUsers is how many users BenchmarkFootprint logs in.
const footprintUsers = 50_000

// BenchmarkFootprint logs footprintUsers users in, each with a session of
// their own as the example blog makes it (SetOwner, user_id, username, a
// CSRF token: about 250 bytes of payload), into each store, and reports
// what the server holds per live session, its index entry included: the
// memory store's live heap, Redis's used_memory, PostgreSQL's table with
// its indexes (pg_total_relation_size); and, for the cookie store, which
// holds nothing, the size of the cookie the browser sends back with every
// request. Run it with -benchtime=1x.
func BenchmarkFootprint(b *testing.B) {
	b.Run("cookie", func(b *testing.B) {
		store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{secret}})
		if err != nil {
			b.Fatal(err)
		}
		m := newManager(b, store)
		var size int
		for b.Loop() {
			size = len(blogSession(b, m, 0, "user"))
		}
		b.ReportMetric(float64(size+len("session=")), "B/cookie")
	})
	b.Run("memory", func(b *testing.B) {
		store, err := memstore.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		footprint(b, store, func() int64 { return int64(heapInUse()) })
		runtime.KeepAlive(store)
	})
	b.Run("redis", func(b *testing.B) {
		srv := redistest.StartLocal(b) // used_memory: a server of its own
		client := srv.Client(b)
		store, err := redisstore.New(client, nil)
		if err != nil {
			b.Fatal(err)
		}
		footprint(b, store, func() int64 { return usedMemory(b, client) })
	})
	b.Run("postgres", func(b *testing.B) {
		store, _, pool := ourPostgres(b, pgtest.Start(b))
		ctx := context.Background()
		footprint(b, store, func() int64 {
			var n int64
			if err := pool.QueryRow(ctx, `SELECT pg_total_relation_size('sessions')`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			return n
		})
	})
}

// footprint logs the users in through a Manager on store and reports the
// growth of size per session.
func footprint(b *testing.B, store core.Store, size func() int64) {
	var grown int64
	n := 0
	for b.Loop() {
		before := size()
		m := newManager(b, store)
		prefix := core.NewID()[:8]
		for i := range footprintUsers {
			blogSession(b, m, i, prefix+"-user")
		}
		grown += size() - before
		n++
	}
	b.ReportMetric(float64(grown)/float64(n)/footprintUsers, "B/session")
}

// blogSession makes, through m, the session of user i as the example blog
// makes it at login, and returns its cookie's value.
func blogSession(b *testing.B, m *core.Manager, i int, prefix string) string {
	return visit(b, m, func(s *core.Session) {
		user := fmt.Sprintf("%s-%d", prefix, i)
		if err := s.SetOwner(user, core.Device{UserAgent: "Firefox on Linux", Address: "192.0.2.0"}); err != nil {
			b.Fatal(err)
		}
		_ = s.Set("user_id", i)
		_ = s.Set("username", user)
		s.CSRFToken()
	})
}

// usedMemory returns Redis's used_memory.
func usedMemory(b *testing.B, client *redis.Client) int64 {
	info, err := client.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("INFO memory has no used_memory")
	return 0
}
