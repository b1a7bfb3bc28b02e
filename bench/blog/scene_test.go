package blog_test

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The scene of the fault tests (fault_test.go, outage_test.go): visitors
// that each log in, as alice or bob in turn, and go round the blog's pages
// until the test stops them, checking every page they get (agent_test.go).

// A scene is the visitors of one fault test and what they share.
type scene struct {
	visitors []*agent
	base     atomic.Pointer[string] // the blog the visitors go to
	down, up atomic.Int64           // when the fault began and ended (UnixNano), 0 before
	stop     chan struct{}
	halted   sync.Once
	running  sync.WaitGroup
}

// startScene starts n visitors on the blog at base, and waits until each
// has logged in and gone round the pages twice. t.Cleanup stops them,
// before it stops the blog.
func startScene(t *testing.T, base string, n int) *scene {
	t.Helper()
	sc := &scene{stop: make(chan struct{})}
	sc.base.Store(&base)
	users := slices.Sorted(maps.Keys(accounts))
	for i := range n {
		user := users[i%len(users)]
		sc.visitors = append(sc.visitors, &agent{
			name: fmt.Sprintf("%s-%02d", user, i+1), user: user,
			c: newClient(t, base), healthy: true, pending: map[string]int{}, maybe: map[string]int{},
		})
	}
	t.Cleanup(sc.halt)
	start := time.Now()
	for _, v := range sc.visitors {
		sc.running.Add(1)
		go v.run(sc)
	}
	for range 2 {
		if !sc.await(time.Now(), 30*time.Second) {
			sc.halt()
			for _, v := range sc.visitors {
				v.report(t)
			}
			t.Fatalf("the visitors did not all log in and go round the pages twice within %v", time.Since(start).Round(time.Millisecond))
		}
	}
	return sc
}

// await waits until every visitor has gone round the pages in a round that
// started at after or later, or until timeout has passed, and reports
// whether they did.
func (sc *scene) await(after time.Time, timeout time.Duration) bool {
	return sc.poll(timeout, func(v *agent) bool { return v.lastFull.Load() >= after.UnixNano() })
}

// awaitAnswers waits until every visitor has had n more answers than it
// had at marks (see marks), or until timeout has passed, and reports
// whether they did.
func (sc *scene) awaitAnswers(marks []int64, n int64, timeout time.Duration) bool {
	return sc.poll(timeout, func(v *agent) bool {
		i := slices.Index(sc.visitors, v)
		return v.answers.Load() >= marks[i]+n
	})
}

// marks returns how many answers each visitor has had so far.
func (sc *scene) marks() []int64 {
	m := make([]int64, len(sc.visitors))
	for i, v := range sc.visitors {
		m[i] = v.answers.Load()
	}
	return m
}

// poll waits until done holds for every visitor, checking every few
// milliseconds, or until timeout has passed, and reports whether it held.
func (sc *scene) poll(timeout time.Duration, done func(*agent) bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if !slices.ContainsFunc(sc.visitors, func(v *agent) bool { return !done(v) }) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// halt stops the visitors and waits until they have.
func (sc *scene) halt() {
	sc.halted.Do(func() { close(sc.stop) })
	sc.running.Wait()
}

// inFault reports whether a request from start to end overlapped the
// fault.
func (sc *scene) inFault(start, end time.Time) bool {
	down, up := sc.down.Load(), sc.up.Load()
	return down != 0 && end.UnixNano() >= down && (up == 0 || start.UnixNano() <= up)
}

// afterFault reports whether the fault had ended by start.
func (sc *scene) afterFault(start time.Time) bool {
	up := sc.up.Load()
	return up != 0 && start.UnixNano() > up
}

// lastMove returns when the last visitor moved to another blog.
func (sc *scene) lastMove() time.Time {
	var last time.Time
	for _, v := range sc.visitors {
		for _, mv := range v.moves {
			if mv.at.After(last) {
				last = mv.at
			}
		}
	}
	return last
}

// requests returns how many requests the visitors made.
func (sc *scene) requests() int {
	n := 0
	for _, v := range sc.visitors {
		n += len(v.hits)
	}
	return n
}
