package redisstore_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// optimisticTries is how many conflicts a writer of these tests meets
// before it takes UpdateLocked, as a commit does.
const optimisticTries = 2

// TestContention has many writers change one session at once, on one
// server and on a Cluster, each write on top of what it loaded: first
// optimistically, and with UpdateLocked once it has met a conflict or two.
// Every write lands, none is lost, and none waits without end.
func TestContention(t *testing.T) {
	single := redistest.Start(t)
	cluster := redistest.StartCluster(t)
	for _, srv := range []struct {
		name   string
		client redis.UniversalClient
	}{
		{"single", single.Client(t)},
		{"cluster", cluster.Client(t)},
	} {
		t.Run(srv.name, func(t *testing.T) {
			s := newStore(t, srv.client, &redisstore.Options{Prefix: "contention:" + core.NewID()[:8] + ":"})
			t.Run("Counter", func(t *testing.T) { testCounter(t, s) })
			t.Run("RenewUnderHammer", func(t *testing.T) { testRenewUnderHammer(t, s) })
		})
	}
}

// write adds one to the counter in tok's record, as a commit would, and
// reports whether it had to take UpdateLocked.
func write(s *redisstore.Store, tok string) (locked bool, err error) {
	loaded, _, err := s.Load(ctx, tok)
	for range optimisticTries {
		if err != nil {
			return false, err
		}
		n, perr := strconv.Atoi(strings.TrimPrefix(string(loaded), "n="))
		if perr != nil {
			return false, fmt.Errorf("the record holds %q, which no writer wrote", loaded)
		}
		_, err = s.Update(ctx, tok, loaded, record(fmt.Sprintf("n=%d", n+1)))
		var ce *core.ConflictError
		if !errors.As(err, &ce) {
			return false, err
		}
		loaded, err = ce.Current, nil
	}
	_, err = s.UpdateLocked(ctx, tok, false, func(cur []byte) (core.Record, error) {
		n, err := strconv.Atoi(strings.TrimPrefix(string(cur), "n="))
		if err != nil {
			return core.Record{}, fmt.Errorf("the record holds %q, which no writer wrote", cur)
		}
		return record(fmt.Sprintf("n=%d", n+1)), nil
	})
	return true, err
}

func testCounter(t *testing.T, s *redisstore.Store) {
	const writers, writes = 32, 50
	tok, err := s.Create(ctx, record("n=0"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		locked    int
		latencies []time.Duration
		errs      []error
	)
	for range writers {
		wg.Go(func() {
			for range writes {
				start := time.Now()
				l, err := write(s, tok)
				d := time.Since(start)
				mu.Lock()
				latencies = append(latencies, d)
				if l {
					locked++
				}
				if err != nil && len(errs) < 5 {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if got, _, err := s.Load(ctx, tok); err != nil || string(got) != fmt.Sprintf("n=%d", writers*writes) {
		t.Fatalf("after %d writers wrote %d times each: %q, %v; want n=%d", writers, writes, got, err, writers*writes)
	}
	slices.Sort(latencies)
	t.Logf("%d writes, %d through UpdateLocked; latency p50 %v, p99 %v, max %v", len(latencies), locked,
		latencies[len(latencies)/2], latencies[len(latencies)*99/100], latencies[len(latencies)-1])
}

// testRenewUnderHammer renews a session, as a login or a privilege drop
// does, while writers keep changing it: the renewal lands, and the old ID
// is dead afterwards, for every writer.
func testRenewUnderHammer(t *testing.T, s *redisstore.Store) {
	const hammers = 24
	for round := range 5 {
		tok, err := s.Create(ctx, record("n=0"))
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		hammerErrs := make(chan error, hammers)
		for range hammers {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := write(s, tok); err != nil {
						if !errors.Is(err, core.ErrNotFound) {
							hammerErrs <- err
						}
						return
					}
				}
			})
		}
		// Let the hammer get going: until the counter has moved.
		for {
			p, _, err := s.Load(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if string(p) != "n=0" {
				break
			}
		}
		id, err := s.UpdateLocked(ctx, tok, true, func(cur []byte) (core.Record, error) {
			return record("renewed"), nil
		})
		close(stop)
		wg.Wait()
		close(hammerErrs)
		for err := range hammerErrs {
			t.Errorf("round %d: a writer = %v; want success or core.ErrNotFound once the session was renewed", round, err)
		}
		if err != nil || id == "" || id == tok {
			t.Fatalf("round %d: the renewal = %q, %v; want a new ID", round, id, err)
		}
		if p, _, err := s.Load(ctx, id); err != nil || string(p) != "renewed" {
			t.Fatalf("round %d: Load of the new ID = %q, %v; want \"renewed\"", round, p, err)
		}
		if _, _, err := s.Load(ctx, tok); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("round %d: Load of the old ID = %v; want it dead", round, err)
		}
	}
}
