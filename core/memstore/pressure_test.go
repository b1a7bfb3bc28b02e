package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// TestEvictionPressure runs 32 goroutines against a store at its bound, all
// released at once: visitors who start anonymous sessions and write them,
// accounts that log in and out without end (a new session, renewed under
// an owner, then ended), and the logged-in users, who keep writing theirs.
// Every call makes progress, the store stays within its bound once they
// are done, and no logged-in user is logged out: there are always
// anonymous sessions or markers to evict first.
func TestEvictionPressure(t *testing.T) {
	const bound, users, workers, rounds = 400, 100, 32, 300
	log := new(evictionLog)
	s := newStore(t, &memstore.Options{MaxSessions: bound, Logger: slog.New(log)})
	ctx := context.Background()
	rec := func(owner string) core.Record {
		return core.Record{Payload: []byte(`{"csrf":"t"}`), TTL: time.Hour, Owner: owner}
	}
	tokens := make([]string, users)
	for i := range tokens {
		tok, err := s.Create(ctx, rec(fmt.Sprint("user", i)))
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	// fails counts the calls that failed other than as "not found", which
	// an evicted visitor's next call may get.
	var mu sync.Mutex
	var fails []error
	fail := func(err error) {
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			mu.Lock()
			fails = append(fails, err)
			mu.Unlock()
		}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			<-start
			for i := range rounds {
				switch w % 4 {
				case 0, 1: // a visitor
					tok, err := s.Create(ctx, rec(""))
					fail(err)
					_, err = s.Update(ctx, tok, nil, rec(""))
					fail(err)
				case 2: // an account that logs in and out
					tok, err := s.Create(ctx, rec(""))
					fail(err)
					tok, err = s.Renew(ctx, tok, nil, rec(fmt.Sprint("cycler", w)))
					fail(err)
					if err == nil {
						fail(s.Delete(ctx, tok))
					}
				case 3: // a logged-in user
					tok := tokens[(w*rounds+i)%users]
					_, err := s.Update(ctx, tok, nil, rec(fmt.Sprint("user", (w*rounds+i)%users)))
					if err != nil {
						t.Errorf("a user's write: %v; want it kept", err)
						return
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if len(fails) > 0 {
		t.Fatalf("%d calls failed, the first: %v", len(fails), fails[0])
	}
	if n := s.Len(); n > bound {
		t.Fatalf("Len() = %d after the flood; want at most %d", n, bound)
	}
	for i, tok := range tokens {
		if _, _, err := s.Load(ctx, tok); err != nil {
			t.Fatalf("user%d's session: %v; want it kept", i, err)
		}
		listed, err := s.List(ctx, fmt.Sprint("user", i))
		if err != nil || len(listed) != 1 {
			t.Fatalf("List(user%d) = %d sessions, %v; want 1", i, len(listed), err)
		}
	}
	if log.reports == 0 || log.count("users") != 0 {
		t.Fatalf("%d reports, %d users' sessions evicted; want evictions reported, none of a user", log.reports, log.count("users"))
	}
}
