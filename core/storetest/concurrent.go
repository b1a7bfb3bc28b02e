package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// This file checks the stores under real concurrency: many goroutines
// committing to one record at once, as the requests of one visitor do.

const (
	writers   = 8
	increment = 25 // commits per writer
)

// counter is a payload holding n; stores never look inside payloads.
func counter(n int) []byte { return fmt.Appendf(nil, "n=%d", n) }

func parseCounter(p []byte) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(string(p), "n="))
	return n, err == nil && bytes.HasPrefix(p, []byte("n="))
}

// commit adds one to the counter in tok's record, as a request would:
// it writes on top of what it loaded, and on a conflict tries again on
// top of the record as it is. It returns core.ErrNotFound once the record
// is gone.
func commit(s core.Store, tok string, loaded []byte) error {
	for {
		n, ok := parseCounter(loaded)
		if !ok {
			return fmt.Errorf("the record holds %q, which no writer wrote", loaded)
		}
		_, err := s.Update(ctx, tok, loaded, rec(counter(n+1), time.Hour))
		var ce *core.ConflictError
		if !errors.As(err, &ce) {
			return err
		}
		loaded = ce.Current
	}
}

// testConcurrentUpdates has writers add to one counter at once, each
// commit on top of what it loaded: no increment may be lost.
func testConcurrentUpdates(t *testing.T, s core.Store) {
	tok := create(t, s, counter(0), time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for range increment {
				loaded, _, err := s.Load(ctx, tok)
				if err == nil {
					err = commit(s, tok, loaded)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantPayload(t, s, tok, counter(writers*increment))
}

// testConcurrentRenew has writers add to a counter while other goroutines
// renew the record: exactly one renewal wins, it carries every increment
// committed before it, and none is committed to the old record after it.
func testConcurrentRenew(t *testing.T, s core.Store) {
	tok := create(t, s, counter(0), time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var committed int  // increments Update accepted
	var renewed []byte // what the winning renewal wrote
	var renewals []string
	errs := make(chan error, 2*writers)
	for range writers {
		wg.Go(func() {
			for range increment {
				loaded, _, err := s.Load(ctx, tok)
				if err == nil {
					err = commit(s, tok, loaded)
				}
				if errors.Is(err, core.ErrNotFound) {
					return // renewed: the old record is gone for good
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed++
				mu.Unlock()
			}
		})
		wg.Go(func() {
			loaded, _, err := s.Load(ctx, tok)
			for err == nil {
				n, ok := parseCounter(loaded)
				if !ok {
					errs <- fmt.Errorf("the record holds %q", loaded)
					return
				}
				p := fmt.Appendf(nil, "renewed at n=%d", n)
				var newTok string
				newTok, err = s.Renew(ctx, tok, loaded, rec(p, time.Hour))
				var ce *core.ConflictError
				switch {
				case err == nil:
					mu.Lock()
					renewals, renewed = append(renewals, newTok), p
					mu.Unlock()
				case errors.As(err, &ce):
					loaded, err = ce.Current, nil
				}
			}
			if !errors.Is(err, core.ErrNotFound) && err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(renewals) != 1 {
		t.Fatalf("%d renewals of one record succeeded; want exactly 1", len(renewals))
	}
	if want := fmt.Appendf(nil, "renewed at n=%d", committed); !bytes.Equal(renewed, want) {
		t.Fatalf("the renewal wrote %q after %d increments were committed; want %q: an increment was committed to the old record after it ended, or lost", renewed, committed, want)
	}
	wantPayload(t, s, renewals[0], renewed)
	wantEnded(t, s, tok)
}

// testConcurrent creates, loads and (for a server-side store) deletes
// records from many goroutines at once.
func testConcurrent(t *testing.T, s core.Store, serverSide bool) {
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range writers {
		wg.Go(func() {
			for i := range increment {
				p := payload(g*1000 + i)
				tok, err := s.Create(ctx, rec(p, time.Hour))
				if err != nil {
					errs <- err
					return
				}
				got, _, err := s.Load(ctx, tok)
				if err != nil || !bytes.Equal(got, p) {
					errs <- fmt.Errorf("store.Load = %s, %v; want %s", got, err, p)
					return
				}
				if serverSide {
					if err := s.Delete(ctx, tok); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
