package redisstore_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

const (
	// maxHungCall is the longest a call may take while Redis is hung:
	// the answer budget (DefaultAnswerTimeout), and room for a busy
	// machine.
	maxHungCall = 1500 * time.Millisecond

	// maxResume is the longest the store may take to be used again once
	// a hung Redis answers.
	maxResume = 5 * time.Second
)

// TestHungRedis stops a real redis-server (SIGSTOP) under callers of a
// store from NewFromURL, each with a session of its own: the kernel still
// accepts connections, and Redis answers nothing. Every call fails within
// the answer budget with an error that names the store and the server and
// says it did not answer; once a few have, the breaker fails the others at
// once. When Redis goes on (SIGCONT), the store is used again within
// seconds, without any help, and every session is as it was.
func TestHungRedis(t *testing.T) {
	srv := redistest.StartLocal(t)
	store, err := redisstore.NewFromURL(srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	const callers = 4
	tokens := make([]string, callers)
	for i := range tokens {
		if tokens[i], err = store.Create(ctx, record(fmt.Sprintf(`{"caller":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}

	var (
		stop           atomic.Bool
		calls, stopped atomic.Int64
		mu             sync.Mutex
		slowest        time.Duration
		problems       []string
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	srv.Pause(t)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for !stop.Load() {
				start := time.Now()
				_, _, err := store.Load(ctx, tokens[i])
				d := time.Since(start)
				calls.Add(1)
				mu.Lock()
				slowest = max(slowest, d)
				mu.Unlock()
				switch {
				case d > maxHungCall:
					problem("caller %d: Load took %v while Redis was hung; want within %v", i, d, maxHungCall)
				case err == nil || errors.Is(err, core.ErrNotFound):
					problem("caller %d: Load = %v while Redis was hung; want a store error", i, err)
				case !strings.Contains(err.Error(), "redisstore: ") || !strings.Contains(err.Error(), "Redis at "+srv.Addr()) ||
					!strings.Contains(err.Error(), "not answer"):
					problem("caller %d: Load = %q; want an error that names the store and %s, and says it did not answer", i, err, srv.Addr())
				case d < 100*time.Millisecond:
					stopped.Add(1)
				}
				time.Sleep(10 * time.Millisecond) // a visitor's pace
			}
		})
	}
	time.Sleep(3 * time.Second) // the length of the fault: several cooldowns
	// The callers stop, and their last calls end, while Redis is still
	// hung: a call that Redis answered after Resume is no failure.
	stop.Store(true)
	wg.Wait()
	srv.Resume(t)
	back := time.Now()
	for _, p := range problems {
		t.Error(p)
	}
	if stopped.Load() < calls.Load()/2 {
		t.Errorf("%d of %d calls failed at once while Redis was hung; want most, once the breaker has opened", stopped.Load(), calls.Load())
	}

	for i, tok := range tokens {
		for {
			p, _, err := store.Load(ctx, tok)
			if err == nil {
				if want := fmt.Sprintf(`{"caller":%d}`, i); string(p) != want {
					t.Fatalf("caller %d: Load after Redis went on = %q; want %q, kept", i, p, want)
				}
				break
			}
			if time.Since(back) > maxResume {
				t.Fatalf("caller %d: Load %v after Redis went on = %v; want the store used again within %v", i, time.Since(back), err, maxResume)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Logf("%d calls while Redis was hung, the slowest %v, %d failed at once; used again %v after Redis went on",
		calls.Load(), slowest.Round(time.Millisecond), stopped.Load(), time.Since(back).Round(time.Millisecond))
}
