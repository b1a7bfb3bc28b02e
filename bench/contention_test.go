package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkContention measures what a write costs when many requests of
// one visitor write to the same session at once, as the tabs of a busy
// single-page app do: 1, 8 and 32 writers, each setting a key of its own
// through the net/http adapter, with each server-side store (memstore; a
// redis-server and a PostgreSQL database of the benchmark's own, on
// loopback). Each row reports the latency of one write, from the request
// in to the response out, at the median and the 99th percentile
// (p50-us, p99-us, in microseconds), and the share of writes that did not
// answer 200 (failed/op): a commit that kept meeting concurrent changes
// and gave up answers 503. ns/op is the time per write with all the
// writers at work, the inverse of the throughput.
//
// It uses nothing but the adapter, the Manager and the stores'
// constructors, so the same file measures an earlier version of the
// library: copy it into that version's bench/ and run both.
func BenchmarkContention(b *testing.B) {
	b.Run("memstore", func(b *testing.B) {
		store, err := memstore.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		contention(b, store)
	})
	b.Run("redis", func(b *testing.B) {
		store, _ := ourRedis(b, redistest.StartLocal(b))
		contention(b, store)
	})
	b.Run("postgres", func(b *testing.B) {
		contention(b, contentionPostgres(b, pgtest.Start(b)))
	})
}

// contentionPostgres returns pgstore on db with a pool of pgxpool's
// default size, enough for the writers: ourPostgres's pool of one
// connection would measure the wait for it.
func contentionPostgres(b *testing.B, db *pgtest.Server) *pgstore.Store {
	cfg, err := pgstore.PoolConfig(db.URL(), nil)
	if err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	if err := pgstore.Migrate(context.Background(), pool, nil); err != nil {
		b.Fatal(err)
	}
	store, err := pgstore.New(pool, &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	return store
}

// contention measures each number of writers on store.
func contention(b *testing.B, store core.Store) {
	h := contentionHandler(newManager(b, store))
	for _, writers := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			j := jar{}
			j.serve(b, h, "POST", "/login")
			cookie := j.header()
			lat := make([][]time.Duration, writers)
			var next, failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range writers {
				wg.Go(func() {
					path := "/set?key=w" + strconv.Itoa(w) + "&value="
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						req := httptest.NewRequest("POST", path+strconv.FormatInt(i, 10), nil)
						req.Header.Set("Cookie", cookie)
						rec := httptest.NewRecorder()
						start := time.Now()
						h.ServeHTTP(rec, req)
						lat[w] = append(lat[w], time.Since(start))
						if rec.Code != http.StatusOK {
							failed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			b.ReportMetric(float64(percentile(all, 50))/1e3, "p50-us")
			b.ReportMetric(float64(percentile(all, 99))/1e3, "p99-us")
			b.ReportMetric(float64(failed.Load())/float64(b.N), "failed/op")
		})
	}
}

// percentile returns the p-th percentile of sorted, by the nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)*p+99)/100-1]
}

// contentionHandler is net/http with the adapter: POST /login stores the
// benchmarks' session, POST /set sets a key of it.
func contentionHandler(m *core.Manager) http.Handler {
	mux := http.NewServeMux()
	session := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return nil
		}
		return s
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			ourLogin(s)
			ok(w)
		}
	})
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			if err := s.Set(r.FormValue("key"), r.FormValue("value")); err != nil {
				fail(w, err.Error())
				return
			}
			ok(w)
		}
	})
	return sessionhttp.Middleware(m, nil)(mux)
}
