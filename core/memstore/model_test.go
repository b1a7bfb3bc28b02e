package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// model is what a memory store holds, kept the simplest way: a list of
// records, and the eviction order as the package doc states it, over the
// whole store.
type model struct {
	max, perOwner int
	now           int64
	recs          []*modelRecord // in the store, expired ones included
}

type modelRecord struct {
	token, owner     string
	payload          []byte // nil: a marker
	written, expires int64
}

func (r *modelRecord) kind() int {
	switch {
	case r.payload == nil:
		return 1 // ended
	case r.owner != "":
		return 2 // a user's
	}
	return 0 // anonymous
}

func (m *model) find(token string) *modelRecord {
	for _, r := range m.recs {
		if r.token == token {
			return r
		}
	}
	return nil
}

func (m *model) live(r *modelRecord) bool {
	return r != nil && r.payload != nil && r.expires > m.now
}

func (m *model) remove(r *modelRecord) {
	m.recs = slices.DeleteFunc(m.recs, func(x *modelRecord) bool { return x == r })
}

// insert adds r, ends what its owner has beyond perOwner, and evicts.
func (m *model) insert(r *modelRecord) {
	m.recs = append(m.recs, r)
	if r.owner != "" {
		for {
			var mine []*modelRecord
			for _, x := range m.recs {
				if x != r && x.owner == r.owner && x.payload != nil {
					mine = append(mine, x)
				}
			}
			if len(mine)+1 <= m.perOwner {
				break
			}
			m.remove(slices.MinFunc(mine, func(a, b *modelRecord) int { return cmpInt(a.written, b.written) }))
		}
	}
	for len(m.recs) > m.max {
		v := m.victim(r)
		if v == nil {
			break
		}
		m.remove(v)
	}
}

// victim is the record the order evicts first, never keep: an expired
// record, the one that expired first; else the least recently written of
// the first kind there is.
func (m *model) victim(keep *modelRecord) *modelRecord {
	var others []*modelRecord
	for _, r := range m.recs {
		if r != keep {
			others = append(others, r)
		}
	}
	var expired []*modelRecord
	for _, r := range others {
		if r.expires <= m.now {
			expired = append(expired, r)
		}
	}
	if len(expired) > 0 {
		return slices.MinFunc(expired, func(a, b *modelRecord) int { return cmpInt(a.expires, b.expires) })
	}
	for k := range 3 {
		var of []*modelRecord
		for _, r := range others {
			if r.kind() == k {
				of = append(of, r)
			}
		}
		if len(of) > 0 {
			return slices.MinFunc(of, func(a, b *modelRecord) int { return cmpInt(a.written, b.written) })
		}
	}
	return nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestEvictionModel runs random sequences of creates, writes, renewals,
// ends and index calls on a small store that keeps evicting, and checks
// after every step that it holds what the model does: the same records,
// each live, ended or gone as the model says, and as many. Sessions live
// long and markers expire (core.GoneTTL), so that the order the model
// states is the one the store keeps exactly.
func TestEvictionModel(t *testing.T) {
	for seed := range uint64(10) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { runModel(t, seed, 600) })
	}
}

func runModel(t *testing.T, seed uint64, steps int) {
	rnd := rand.New(rand.NewPCG(seed, 42))
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	const bound, perOwner, ttl = 24, 3, 1000 * time.Hour
	s := newStore(t, &memstore.Options{Clock: c.Now, MaxSessions: bound, MaxPerOwner: perOwner, SweepInterval: 1000 * time.Hour})
	m := &model{max: bound, perOwner: perOwner, now: c.Now().UnixNano()}
	ctx := context.Background()
	var issued []string
	owners := []string{"", "", "", "alice", "bob", "carol"}
	record := func(owner string) core.Record {
		return core.Record{Payload: fmt.Appendf(nil, `{"n":%d}`, rnd.IntN(1e6)), TTL: ttl, Owner: owner}
	}
	add := func(token string, r core.Record) {
		issued = append(issued, token)
		m.insert(&modelRecord{token: token, owner: r.Owner, payload: r.Payload, written: m.now, expires: m.now + int64(r.TTL)})
	}
	end := func(cur *modelRecord) {
		cur.payload, cur.owner = nil, ""
		cur.expires = min(cur.expires, m.now+int64(core.GoneTTL))
		cur.written = m.now
	}
	pick := func() string {
		if len(issued) == 0 || rnd.IntN(10) == 0 {
			return core.NewID()
		}
		return issued[len(issued)-1-rnd.IntN(min(len(issued), 3*bound))]
	}
	wantErr := func(op string, err error, ok bool) {
		t.Helper()
		if ok && err != nil || !ok && !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("step %s: err = %v; want found = %v", op, err, ok)
		}
	}
	for step := range steps {
		// Clock steps of a few seconds, so that markers expire along the
		// way (core.GoneTTL), in multiples of 4 ns, which no two records'
		// times share.
		c.Advance(time.Duration(1+rnd.IntN(5e9)) * 4)
		m.now = c.Now().UnixNano()
		var check []string // what the step may change: the records before it, and after
		for _, r := range m.recs {
			check = append(check, r.token)
		}
		op := ""
		switch n := rnd.IntN(100); {
		case n < 35:
			op = "create"
			r := record(owners[rnd.IntN(len(owners))])
			tok, err := s.Create(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			add(tok, r)
		case n < 55:
			op = "update"
			tok := pick()
			cur := m.find(tok)
			r := record("")
			if m.live(cur) {
				r.Owner = cur.owner
			}
			_, err := s.Update(ctx, tok, nil, r)
			wantErr(op, err, m.live(cur))
			if m.live(cur) {
				cur.payload, cur.written, cur.expires = r.Payload, m.now, m.now+int64(r.TTL)
			}
		case n < 70:
			op = "renew"
			tok := pick()
			cur := m.find(tok)
			r := record(owners[rnd.IntN(len(owners))])
			newTok, err := s.Renew(ctx, tok, nil, r)
			wantErr(op, err, m.live(cur))
			if m.live(cur) {
				end(cur)
				add(newTok, r)
			}
		case n < 82:
			op = "delete"
			tok := pick()
			cur := m.find(tok)
			wantErr(op, s.Delete(ctx, tok), m.live(cur))
			if m.live(cur) {
				end(cur)
			}
		case n < 90:
			op = "end"
			tok := pick()
			cur := m.find(tok)
			owner := owners[3+rnd.IntN(3)]
			ok := m.live(cur) && cur.owner == owner
			wantErr(op, s.End(ctx, owner, core.HandleOf(tok)), ok)
			if ok {
				m.remove(cur)
			}
		default:
			op = "list"
			owner := owners[3+rnd.IntN(3)]
			listed, err := s.List(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, l := range listed {
				got = append(got, l.Handle+string(l.Payload))
			}
			for _, r := range m.recs {
				if m.live(r) && r.owner == owner {
					want = append(want, core.HandleOf(r.token)+string(r.payload))
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: List(%s) = %q; want %q", step, owner, got, want)
			}
		}
		// The rest stay unknown, which the end checks.
		for _, r := range m.recs {
			check = append(check, r.token)
		}
		for _, tok := range check {
			compare(t, fmt.Sprintf("step %d (%s)", step, op), s, m, tok)
		}
		if got := s.Len(); got != len(m.recs) {
			t.Fatalf("step %d (%s): Len() = %d; want %d", step, op, got, len(m.recs))
		}
	}
	for _, tok := range issued {
		compare(t, "at the end", s, m, tok)
	}
}

// compare fails t if s and m disagree about token.
func compare(t *testing.T, when string, s *memstore.Store, m *model, token string) {
	t.Helper()
	got, _, _ := s.Load(context.Background(), token)
	r := m.find(token)
	want := "unknown"
	switch {
	case r == nil || r.expires <= m.now:
	case r.payload == nil:
		want = "gone"
	default:
		want = "live"
	}
	switch have := state(t, s, token); {
	case have != want:
		t.Fatalf("%s: a record is %s; want %s", when, have, want)
	case want == "live" && !bytes.Equal(got, r.payload):
		t.Fatalf("%s: Load = %s; want %s", when, got, r.payload)
	}
}
