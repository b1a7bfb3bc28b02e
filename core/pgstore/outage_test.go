package pgstore_test

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// The budgets the store must keep when PostgreSQL stops and when it comes
// back: requirements, not test timeouts, so they hold under -race on a
// loaded machine as they are.
const (
	failFast = time.Second     // a call while PostgreSQL is down fails within
	recovery = 5 * time.Second // calls succeed again, after it is back, within
)

// TestOutage kills PostgreSQL under a run of concurrent callers, each with
// a session of its own, and starts it again: while it is down calls fail
// fast, with an error that is not core.ErrNotFound; once it is back they
// succeed again, on the sessions kept across the restart, without a new
// store; and no connection or goroutine is left behind.
func TestOutage(t *testing.T) {
	srv := pgtest.StartLocal(t)
	if err := pgstore.Migrate(ctx, srv.Pool(t), nil); err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	s, err := pgstore.NewFromURL(srv.URL(), &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := startLoad(t, s)

	srv.Kill(t)
	down := time.Now()
	poll(t, "calls to fail for a while", func() bool { return l.failures.Load() >= 50 && time.Since(down) > 2*time.Second })
	srv.Restart(t)
	up := time.Now()
	poll(t, "every caller to succeed again", func() bool { return l.succeededAfter(up) })
	l.halt()

	o := l.outage(down, up)
	t.Logf("down %v: %d calls failed, %d of them refused by the breaker, the slowest in %v; after the restart every caller succeeded within %v",
		up.Sub(down).Round(time.Millisecond), o.failed, o.refused, o.slowest.Round(time.Microsecond), o.recovered.Round(time.Millisecond))
	if o.slowest >= failFast {
		t.Errorf("a call failed %v after PostgreSQL stopped; want within %v", o.slowest, failFast)
	}
	if o.recovered >= recovery {
		t.Errorf("a caller's calls succeeded again %v after PostgreSQL was back; want within %v", o.recovered, recovery)
	}
	wantNoLeaks(t, s, srv, base)
}

// TestStall stalls the connections to PostgreSQL, as a network that drops
// every packet would, under a run of concurrent callers: calls fail within
// the answer budget, whatever step they are at, until the breaker opens
// and they fail at once; once the connections flow again calls succeed
// again. TestHung stops PostgreSQL itself.
func TestStall(t *testing.T) {
	srv := pgtest.StartLocal(t)
	if err := pgstore.Migrate(ctx, srv.Pool(t), nil); err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, srv.URL())
	u, err := url.Parse(p.url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("connect_timeout", "1") // the connect budget, in seconds
	u.RawQuery = q.Encode()
	stalls := startStallMeter(t)
	base := runtime.NumGoroutine()
	s, err := pgstore.NewFromURL(u.String(), &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := startLoad(t, s)

	p.stall()
	down := time.Now()
	poll(t, "the breaker to open", func() bool { return l.refused.Load() >= 50 })
	p.resume()
	up := time.Now()
	poll(t, "every caller to succeed again", func() bool { return l.succeededAfter(up) })
	l.halt()

	o := l.outage(down, up)
	t.Logf("stalled %v: %d calls failed, %d of them refused by the breaker, the slowest in %v; after the stall every caller succeeded within %v",
		up.Sub(down).Round(time.Millisecond), o.failed, o.refused, o.slowest.Round(time.Millisecond), o.recovered.Round(time.Millisecond))
	if want := hungFailFast + stalls.max(); o.slowest >= want {
		t.Errorf("a call failed %v after the connections stalled; want within %v (and %v the machine stalled the process)", o.slowest, hungFailFast, stalls.max())
	}
	if o.recovered >= recovery {
		t.Errorf("a caller's calls succeeded again %v after the stall; want within %v", o.recovered, recovery)
	}
	p.close()
	wantNoLeaks(t, s, srv, base)
}

// wantNoLeaks checks that s holds no connection and has no more than the
// pool allows open on the server, closes s, and waits for the goroutines
// to fall back to base.
func wantNoLeaks(t *testing.T, s *pgstore.Store, srv *pgtest.Server, base int) {
	t.Helper()
	st := pgstore.PoolOf(s).Stat()
	if st.AcquiredConns() != 0 || st.TotalConns() > st.MaxConns() {
		t.Errorf("pool: %d connections acquired, %d in all, %d at most; want none acquired", st.AcquiredConns(), st.TotalConns(), st.MaxConns())
	}
	counter := srv.Pool(t)
	var conns int32
	if err := counter.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&conns); err != nil {
		t.Fatal(err)
	}
	if conns > st.MaxConns()+1 { // the store's, and the migration's
		t.Errorf("PostgreSQL has %d connections to the database; want %d at most", conns, st.MaxConns()+1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	counter.Close()
	waitGoroutines(t, base)
}

// A call is one call to the store, as load records it.
type call struct {
	start, end time.Time
	err        error
}

// load is a run of concurrent callers, each loading and updating a
// session of its own every few milliseconds, recording every call.
type load struct {
	t                 *testing.T
	stop              atomic.Bool
	failures, refused atomic.Int64 // calls that failed; refused by the breaker
	wg                sync.WaitGroup

	mu    sync.Mutex
	calls [][]call // by caller
}

const callers = 8

// startLoad starts the callers, and returns once their calls succeed.
func startLoad(t *testing.T, s *pgstore.Store) *load {
	l := &load{t: t, calls: make([][]call, callers)}
	for c := range callers {
		tok := create(t, s, record("n=0"))
		l.wg.Go(func() { l.caller(s, c, tok) })
	}
	t.Cleanup(l.halt)
	poll(t, "calls to succeed", func() bool { return l.succeededAfter(time.Now().Add(-time.Hour)) })
	return l
}

func (l *load) caller(s *pgstore.Store, c int, tok string) {
	n := 0
	for !l.stop.Load() {
		start := time.Now()
		payload, _, err := s.Load(ctx, tok)
		if err == nil {
			n++
			_, err = s.Update(ctx, tok, payload, record(fmt.Sprintf("n=%d", n)))
		}
		l.mu.Lock()
		l.calls[c] = append(l.calls[c], call{start, time.Now(), err})
		l.mu.Unlock()
		switch {
		case errors.Is(err, core.ErrNotFound):
			l.t.Errorf("caller %d: %v: a session lost, or an outage reported as not found", c, err)
			return
		case err != nil && strings.Contains(err.Error(), "not calling PostgreSQL for now"):
			l.refused.Add(1)
			fallthrough
		case err != nil:
			l.failures.Add(1)
		}
		time.Sleep(5 * time.Millisecond) // pacing, not synchronisation
	}
}

// halt stops the callers and waits for them.
func (l *load) halt() {
	l.stop.Store(true)
	l.wg.Wait()
}

// succeededAfter reports whether every caller has had a call that started
// after t succeed.
func (l *load) succeededAfter(t time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, calls := range l.calls {
		if !slices.ContainsFunc(calls, func(c call) bool { return c.err == nil && c.start.After(t) }) {
			return false
		}
	}
	return true
}

// An outage is what the callers saw of one.
type outage struct {
	failed, refused int           // calls that failed; refused by the breaker
	slowest         time.Duration // of the failures, from the start of the call or of the outage
	recovered       time.Duration // until every caller had a success after the outage
}

// outage returns what the callers saw of the outage from down to up.
func (l *load) outage(down, up time.Time) outage {
	l.mu.Lock()
	defer l.mu.Unlock()
	var o outage
	for _, calls := range l.calls {
		first := time.Duration(-1)
		for _, c := range calls {
			if c.err != nil && c.end.After(down) && c.start.Before(up) {
				o.failed++
				from := c.start
				if from.Before(down) {
					from = down
				}
				o.slowest = max(o.slowest, c.end.Sub(from))
				if strings.Contains(c.err.Error(), "not calling PostgreSQL for now") {
					o.refused++
				}
			}
			if c.err == nil && c.start.After(up) && first < 0 {
				first = c.end.Sub(up)
			}
		}
		o.recovered = max(o.recovered, first)
	}
	return o
}

// TestBurst has 200 visitors log in at once, each a Create, an Update and
// a Renew under an owner, on a store with NewFromURL's defaults against a
// healthy PostgreSQL: none may fail, however long the pool makes them
// wait.
func TestBurst(t *testing.T) {
	db, _ := migrated(t, nil)
	s, err := pgstore.NewFromURL(db.URL(), &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const visitors = 200
	var wg sync.WaitGroup
	start := make(chan struct{})
	took := make([]time.Duration, visitors)
	errs := make([]error, visitors)
	for i := range visitors {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			tok, err := s.Create(ctx, record(`{"csrf":"x"}`))
			if err == nil {
				_, err = s.Update(ctx, tok, []byte(`{"csrf":"x"}`), record(`{"csrf":"x","n":1}`))
			}
			if err == nil {
				_, err = s.Renew(ctx, tok, []byte(`{"csrf":"x","n":1}`), owned(`{"user":1}`, fmt.Sprint("user", i)))
			}
			took[i], errs[i] = time.Since(t0), err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("visitor %d: %v", i, err)
		}
	}
	slices.Sort(took)
	t.Logf("%d logins at once on %d connections: median %v, 99th percentile %v, slowest %v",
		visitors, pgstore.PoolOf(s).Stat().MaxConns(), took[visitors/2].Round(time.Millisecond),
		took[visitors*99/100].Round(time.Millisecond), took[visitors-1].Round(time.Millisecond))
}
