package redisstore

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// These tests force the interleavings of UpdateLocked that matter, on one
// server and on a Cluster: change is where a holder stops until the test
// lets it go, and Store.waiting tells which calls wait. They never sleep
// to synchronise: a test that waits for a lease to run out waits for what
// the lease lets happen.

// lockedCases are the interleavings each server runs.
var lockedCases = []struct {
	name string
	test func(t *testing.T, s *Store)
}{
	{"Uncontended", testLockedUncontended},
	{"Renew", testLockedRenew},
	{"OwnerIndex", testLockedOwnerIndex},
	{"UpdateDuringHold", testUpdateDuringHold},
	{"DeleteDuringHold", testDeleteDuringHold},
	{"EndDuringHold", testEndDuringHold},
	{"HolderDies", testHolderDies},
	{"WaiterDies", testWaiterDies},
	{"ChangeFails", testChangeFails},
	{"GivesUp", testGivesUp},
	{"TurnsInOrder", testTurnsInOrder},
	{"Gone", testLockedGone},
	{"SentTwice", testLockedSentTwice},
}

func TestUpdateLocked(t *testing.T) {
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
			for _, c := range lockedCases {
				t.Run(c.name, func(t *testing.T) { c.test(t, lockedStore(t, srv.client)) })
			}
		})
	}
}

// lockedStore returns a Store over client with keys of its own, and a
// lease long enough that no holder of these tests loses its turn on a busy
// machine while the test keeps it waiting; the tests that wait for a lease
// to run out shorten it.
func lockedStore(t *testing.T, client redis.UniversalClient) *Store {
	t.Helper()
	s, err := New(client, &Options{Prefix: "locked:" + core.NewID()[:8] + ":"})
	if err != nil {
		t.Fatal(err)
	}
	s.lease = time.Minute
	return s
}

var bg = context.Background()

// counterRec is a record holding n; the store never looks inside.
func counterRec(n int) core.Record {
	return core.Record{Payload: fmt.Appendf(nil, "n=%d", n), TTL: time.Hour}
}

func counterOf(t testing.TB, p []byte) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimPrefix(string(p), "n="))
	if err != nil || !bytes.HasPrefix(p, []byte("n=")) {
		t.Fatalf("payload %q holds no counter", p)
	}
	return n
}

// add1 is a change that adds one to the counter.
func add1(t testing.TB) func([]byte) (core.Record, error) {
	return func(cur []byte) (core.Record, error) { return counterRec(counterOf(t, cur) + 1), nil }
}

func wantLoad(t *testing.T, s *Store, tok string, want string) {
	t.Helper()
	if got, _, err := s.Load(bg, tok); err != nil || string(got) != want {
		t.Fatalf("Load = %q, %v; want %q", got, err, want)
	}
}

// holder is an UpdateLocked call whose change stops until the test says
// what to write.
type holder struct {
	calls   chan []byte // what change is called with, each time
	answers chan answer // what change then returns
	done    chan outcome
}

type answer struct {
	r   core.Record
	err error
}

// write lets h's change return r.
func (h *holder) write(r core.Record) { h.answers <- answer{r: r} }

type outcome struct {
	tok string
	err error
}

func startHolder(s *Store, tok string, renew bool) *holder {
	h := &holder{calls: make(chan []byte, 4), answers: make(chan answer), done: make(chan outcome, 1)}
	go func() {
		t, err := s.UpdateLocked(bg, tok, renew, func(cur []byte) (core.Record, error) {
			h.calls <- cur
			a := <-h.answers
			return a.r, a.err
		})
		h.done <- outcome{t, err}
	}()
	return h
}

// holding waits until h's change is called, and returns what with.
func (h *holder) holding(t *testing.T) []byte {
	t.Helper()
	select {
	case cur := <-h.calls:
		return cur
	case o := <-h.done:
		t.Fatalf("UpdateLocked ended before change was called: %q, %v", o.tok, o.err)
	case <-time.After(30 * time.Second):
		t.Fatal("change not called within 30s")
	}
	return nil
}

func (h *holder) result(t *testing.T) outcome {
	t.Helper()
	select {
	case o := <-h.done:
		return o
	case <-time.After(30 * time.Second):
		t.Fatal("UpdateLocked did not return within 30s")
	}
	return outcome{}
}

// waiters runs UpdateLocked calls with change and reports, on queued, the
// number of each call once Redis has told it that its turn is not there
// yet.
type waiters struct {
	queued chan int
	done   chan outcome
	mu     sync.Mutex
	seen   map[int]bool
}

type waiterKey struct{}

func watch(s *Store) *waiters {
	w := &waiters{queued: make(chan int, 64), done: make(chan outcome, 64), seen: map[int]bool{}}
	s.waiting = func(ctx context.Context, ahead int64) {
		i, ok := ctx.Value(waiterKey{}).(int)
		if !ok {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if !w.seen[i] {
			w.seen[i] = true
			w.queued <- i
		}
	}
	return w
}

// start starts waiter i, and returns once it waits in the queue.
func (w *waiters) start(t *testing.T, s *Store, i int, tok string, change func([]byte) (core.Record, error)) {
	t.Helper()
	go func() {
		ctx := context.WithValue(bg, waiterKey{}, i)
		tok, err := s.UpdateLocked(ctx, tok, false, change)
		w.done <- outcome{tok, err}
	}()
	select {
	case got := <-w.queued:
		if got != i {
			t.Fatalf("waiter %d queued; want %d", got, i)
		}
	case o := <-w.done:
		t.Fatalf("waiter %d ended without waiting: %q, %v", i, o.tok, o.err)
	case <-time.After(30 * time.Second):
		t.Fatalf("waiter %d not queued within 30s", i)
	}
}

func (w *waiters) result(t *testing.T) outcome {
	t.Helper()
	select {
	case o := <-w.done:
		return o
	case <-time.After(30 * time.Second):
		t.Fatal("a waiter did not return within 30s")
	}
	return outcome{}
}

// rawValue returns what tok's key holds.
func rawValue(t *testing.T, s *Store, tok string) string {
	t.Helper()
	v, err := s.client.Get(bg, s.key(tok)).Result()
	if err != nil {
		t.Fatalf("GET = %v", err)
	}
	return v
}

// tripCounter counts the round trips of a client while it is on.
type tripCounter struct {
	mu    sync.Mutex
	on    bool
	trips int64
}

func (c *tripCounter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.trips++
	}
}

func (c *tripCounter) n() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = true
	return c.trips
}

func (c *tripCounter) off() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
}

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !handshake(cmd) {
			c.add()
		}
		return next(ctx, cmd)
	}
}

func (c *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.add()
		return next(ctx, cmds)
	}
}
