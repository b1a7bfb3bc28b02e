package adaptertest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/transient-go/transient/core"
)

// This file holds the randomized case: many visitors, each sending rounds
// of concurrent requests with one session, each request doing random
// operations, checked against a model of what must hold.
//
// Every request also flashes its own ID to the queue "log" last, so the
// session itself records the order in which commits took effect. For each
// round the model replays, in that order, what each committed request did
// to the session it loaded, and the session must then hold exactly that;
// a request that loaded the session after k of those commits must have
// seen exactly the model's state after k; and a request missing from the
// log must have loaded a session that a renewal or logout in the log ended.

const (
	modelVisitors = 6
	modelParallel = 4 // concurrent requests per round
)

// modelRounds is the number of rounds per visitor: TRANSIENT_MODEL_ROUNDS,
// for a long run, or 8.
func modelRounds(t *testing.T) int {
	if v := os.Getenv("TRANSIENT_MODEL_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TRANSIENT_MODEL_ROUNDS=%q: want a positive number", v)
		}
		return n
	}
	return 8
}

// modelRequest is one request of a round: what it did and what it got.
type modelRequest struct {
	id, ops string
	ends    bool // it renews or invalidates
	status  int
	reply   opsReply
	cookie  string // its Set-Cookie of the session, if any
}

// randomOps returns the operations of request id.
func randomOps(rng *rand.Rand, id string) (string, bool) {
	var ops []string
	ends := false
	for range 1 + rng.IntN(3) {
		k, q := fmt.Sprint("k", rng.IntN(4)), fmt.Sprint("q", rng.IntN(2)+1)
		switch n := rng.IntN(100); {
		case n < 25:
			ops = append(ops, "set:"+k+":"+id)
		case n < 40:
			ops = append(ops, "del:"+k)
		case n < 60:
			ops = append(ops, fmt.Sprintf("flash:%s:%s.%d", q, id, len(ops)))
		case n < 65:
			ops = append(ops, "unique:"+q+":same")
		case n < 88:
			ops = append(ops, "pop:"+q)
		case n < 96:
			ops, ends = append(ops, "renew"), true
		default:
			ops, ends = append(ops, "invalidate"), true
		}
	}
	return strings.Join(append(ops, "flash:log:"+id), ","), ends
}

func testRandomized(t *testing.T, d Driver, store core.Store) {
	if isCookieStore(store) {
		t.Skip("a cookie store cannot merge: the last response's cookie wins, as SECURITY.md says")
	}
	e := newEnv(t, d, store, nil)
	rounds := modelRounds(t)
	var wg sync.WaitGroup
	for v := range modelVisitors {
		wg.Go(func() { runVisitor(t, e, v, rounds) })
	}
	wg.Wait()
	if errs := e.errs.All(); len(errs) > 0 {
		t.Errorf("ErrorHandler got %v; want nothing", errs)
	}
}

// visitorModel is what one visitor's session must hold.
type visitorModel struct {
	t     *testing.T
	c     *client
	state state
	next  int // request number
	name  string
}

func (m *visitorModel) id() string {
	m.next++
	return fmt.Sprintf("%s-%d", m.name, m.next)
}

// send sends a request with ops and returns it; it fails the test on a
// transport error.
func (m *visitorModel) send(id, ops string, ends bool) (*modelRequest, error) {
	r, err := m.c.try("POST", "/ops", url.Values{"ops": {ops}}, "")
	if err != nil {
		return nil, err
	}
	mr := &modelRequest{id: id, ops: ops, ends: ends, status: r.status}
	if tok, ok := r.token(); ok {
		mr.cookie = fmt.Sprintf("%q", tok)
	}
	if r.status == 200 {
		if err := json.Unmarshal([]byte(r.body), &mr.reply); err != nil {
			return nil, fmt.Errorf("%s: %q: %w", id, r.body, err)
		}
	}
	return mr, nil
}

func runVisitor(t *testing.T, e *env, v, rounds int) {
	rng := rand.New(rand.NewPCG(uint64(v), uint64(rounds)))
	m := &visitorModel{t: t, c: e.client(), state: newState(), name: fmt.Sprint("v", v)}
	id := m.id()
	first, err := m.send(id, "set:user:"+m.name+",flash:log:"+id, false)
	if err != nil || first.status != 200 {
		t.Errorf("%s: the first request: %v %+v", m.name, err, first)
		return
	}
	m.state, _ = predict(newState(), first.ops, newState())
	for round := range rounds {
		reqs := make([]*modelRequest, modelParallel)
		var wg sync.WaitGroup
		var failed error
		var mu sync.Mutex
		for i := range reqs {
			id := m.id()
			ops, ends := randomOps(rng, id)
			wg.Go(func() {
				r, err := m.send(id, ops, ends)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed = err
				}
				reqs[i] = r
			})
		}
		wg.Wait()
		if failed != nil {
			t.Errorf("%s, round %d: %v", m.name, round, failed)
			return
		}
		if err := m.check(reqs); err != nil {
			t.Errorf("%s, round %d: %v\nrequests:%s", m.name, round, err, describe(reqs))
			return
		}
		// Keep the log short: a request of its own takes it.
		id := m.id()
		hk, err := m.send(id, "pop:log,flash:log:"+id, false)
		if err != nil || hk.status != 200 || !hk.reply.Seen.equal(m.state) {
			t.Errorf("%s, round %d: housekeeping: %v %+v; want it to see %s", m.name, round, err, hk, m.state)
			return
		}
		m.state, _ = predict(m.state, hk.ops, m.state)
	}
}

func describe(reqs []*modelRequest) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "\n  %s %q: %d, saw %s, cookie %q", r.id, r.ops, r.status, r.reply.Seen, r.cookie)
	}
	return b.String()
}

// check checks a round against the model and moves the model on.
func (m *visitorModel) check(reqs []*modelRequest) error {
	var got state
	if r := m.c.get("/dump"); json.Unmarshal([]byte(r.body), &got) != nil {
		return fmt.Errorf("GET /dump = %d %q", r.status, r.body)
	}
	byID := map[string]*modelRequest{}
	for _, r := range reqs {
		if r.status != 200 {
			return fmt.Errorf("%s = %d; want 200", r.id, r.status)
		}
		byID[r.id] = r
	}
	log := got.Queues["log"]
	prev := m.state.Queues["log"]
	base, committed := m.state, log
	reset := len(log) > 0 && byID[log[0]] != nil && strings.Contains(byID[log[0]].ops, "invalidate")
	switch {
	case reset:
		// A logout started a new session: the model starts again from it.
		base = newState()
	case len(log) < len(prev) || !slices.Equal(log[:len(prev)], prev):
		return fmt.Errorf("the session's log is %q; want it to go on from %q (a stale request replaced the session, or lost a commit)", log, prev)
	default:
		committed = log[len(prev):]
	}
	states := []state{base}
	for _, id := range committed {
		r := byID[id]
		if r == nil {
			return fmt.Errorf("the log holds %s, which is not a request of this round", id)
		}
		next, _ := predict(states[len(states)-1], r.ops, loadedState(r, base, states, committed, m.state))
		states = append(states, next)
	}
	if want := states[len(states)-1]; !got.equal(want) {
		return fmt.Errorf("the session holds %s; want %s (the commits %q replayed)", got, want, committed)
	}
	enders := 0
	for _, id := range committed {
		if byID[id].ends {
			enders++
		}
	}
	for _, r := range reqs {
		seen := r.reply.Seen.Queues["log"]
		at := slices.Index(committed, r.id)
		// What the request must have seen, when its log says where it
		// loaded the session: after k of this round's commits, or, after
		// a logout, before any.
		var want *state
		k := -1
		switch {
		case !reset && len(seen) >= len(prev) && slices.Equal(seen[:len(prev)], prev) && isPrefix(seen[len(prev):], committed):
			k = len(seen) - len(prev)
			want = &states[k]
		case reset && len(seen) > 0 && isPrefix(seen, committed):
			k = len(seen)
			want = &states[k]
		case reset && slices.Equal(seen, prev):
			want = &m.state
		}
		switch {
		case want != nil && !r.reply.Seen.equal(*want):
			return fmt.Errorf("%s saw %s; want %s", r.id, r.reply.Seen, *want)
		case at >= 0 && k > at:
			return fmt.Errorf("%s saw its own commit", r.id)
		case len(seen) == 0 && !r.reply.Seen.equal(newState()):
			return fmt.Errorf("%s saw %s without a log", r.id, r.reply.Seen)
		case len(seen) == 0 && enders == 0 && !reset:
			return fmt.Errorf("%s saw an empty session, yet no renewal or logout ended the visitor's", r.id)
		case at < 0 && !reset && enders == 0:
			return fmt.Errorf("%s is not in the log %q, yet no renewal or logout ended the session it loaded", r.id, committed)
		case at < 0 && !reset && r.cookie != "":
			return fmt.Errorf("%s was discarded, yet set the cookie %q", r.id, r.cookie)
		case !r.ends && r.cookie != "":
			return fmt.Errorf("%s neither renewed nor logged out, yet set the cookie %q", r.id, r.cookie)
		}
	}
	m.state = states[len(states)-1]
	return nil
}

// loadedState returns the model's state that request r loaded, as its log
// tells: the state before a logout (old), or after some of this round's
// commits. The model's state numbers the queues' messages, which what r
// reports does not.
func loadedState(r *modelRequest, base state, states []state, committed []string, old state) state {
	seen := r.reply.Seen.Queues["log"]
	if slices.Equal(seen, old.Queues["log"]) {
		return old
	}
	for k := range states {
		log := states[k].Queues["log"]
		if slices.Equal(seen, log) {
			return states[k]
		}
	}
	return r.reply.Seen // unknown here; check reports it
}

func isPrefix(p, s []string) bool { return len(p) <= len(s) && slices.Equal(p, s[:len(p)]) }
