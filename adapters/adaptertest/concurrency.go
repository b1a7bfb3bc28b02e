package adaptertest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// This file holds the cases of two requests of one visitor that load the
// same session and commit one after the other, with the interleaving forced
// by gates: every commit must apply what its request did to the record as
// it is then (core.Store), so that no key or flash message is lost, no
// popped message comes back, no ended session comes back, and no stale
// request clears or replaces the cookie another request has just set.

// change is one kind of change a request makes in the cases below.
type change string

var changes = []change{"set", "delete", "clear", "flash", "pop", "renew", "invalidate", "logout"}

// ops returns the /ops list of change c made by request who.
func (c change) ops(who string) string {
	switch c {
	case "set":
		return "set:k" + who + ":" + who
	case "delete":
		return "del:role" // a privilege drop
	case "flash":
		return "flash:q:m" + who
	case "pop":
		return "pop:q"
	case "logout":
		return "invalidate,flash:info:bye" + who
	}
	return string(c) // clear, renew, invalidate
}

// initial is the session both requests load: a logged-in admin with a
// flash message waiting.
const initialOps = "set:user:alice,set:role:admin,flash:q:m0"

func initialState() state {
	st := newState()
	st.Keys["user"], st.Keys["role"] = "alice", "admin"
	st.Queues["q"] = []string{"m0"}
	return st
}

// predict returns st after a request that loaded loaded commits ops, and
// whether the commit ended the record it loaded (Renew, Invalidate): a
// concurrent request's later commit to that record is then discarded. It
// is the contract written plainly, as a reference for the core's change
// sets: a commit does what the request did to the session it saw, on top
// of the session as it is at commit time. A Set or Delete that changed
// nothing in what the request saw does nothing; Clear removes everything
// the session holds at commit; PopFlash removes the messages the request
// saw (loaded or flashed itself), by position, never one flashed meanwhile
// by another request, even one with the same text.
func predict(st state, ops string, loaded state) (state, bool) {
	st, loaded = st.clone(), loaded.clone()
	view := maps.Clone(loaded.Keys)
	mine := map[string][]string{} // what the request flashed, per queue
	ends := false
	for _, op := range strings.Split(ops, ",") {
		f := strings.Split(op, ":")
		switch f[0] {
		case "set":
			if v, ok := view[f[1]]; !ok || v != f[2] {
				st.Keys[f[1]], view[f[1]] = f[2], f[2]
			}
		case "del":
			if _, ok := view[f[1]]; ok {
				delete(st.Keys, f[1])
				delete(view, f[1])
			}
		case "clear":
			for q, msgs := range st.Queues {
				st.heads[q] += len(msgs)
			}
			st.Keys, st.Queues = map[string]string{}, map[string][]string{}
			view, mine, loaded = map[string]string{}, map[string][]string{}, newState()
		case "flash", "unique":
			q := f[1]
			if f[0] == "unique" && (slices.Contains(loaded.Queues[q], f[2]) || slices.Contains(mine[q], f[2]) || slices.Contains(st.Queues[q], f[2])) {
				continue
			}
			st.Queues[q] = append(st.Queues[q], f[2])
			mine[q] = append(mine[q], f[2])
		case "pop":
			q := f[1]
			msgs := st.Queues[q]
			msgs = msgs[:len(msgs)-len(mine[q])] // its own, the last ones
			// The messages it loaded are numbered from loaded's head.
			if end := loaded.heads[q] + len(loaded.Queues[q]); end > st.heads[q] {
				drop := min(end-st.heads[q], len(msgs))
				msgs, st.heads[q] = msgs[drop:], end
			}
			if len(msgs) == 0 {
				delete(st.Queues, q)
			} else {
				st.Queues[q] = msgs
			}
			loaded.heads[q] += len(loaded.Queues[q])
			delete(loaded.Queues, q)
			delete(mine, q)
		case "renew":
			ends = true
		case "invalidate":
			st, loaded, view, mine, ends = newState(), newState(), map[string]string{}, map[string][]string{}, true
		}
	}
	return st, ends
}

// testConcurrentChanges runs every pair of changes in both orders: requests
// A and B load the same session, then one commits, then the other.
func testConcurrentChanges(t *testing.T, d Driver, store core.Store) {
	if isCookieStore(store) {
		t.Skip("a cookie store cannot merge: the last response's cookie wins, as SECURITY.md says")
	}
	e := newEnv(t, d, store, nil)
	kinds := changes
	if e.header != "" {
		kinds = headerChanges
	}
	for _, a := range kinds {
		for _, b := range kinds {
			for _, first := range []string{"A", "B"} {
				t.Run(fmt.Sprintf("A_%s/B_%s/%s_first", a, b, first), func(t *testing.T) {
					testPair(t, e, map[string]change{"A": a, "B": b}, first)
				})
			}
		}
	}
}

func testPair(t *testing.T, e *env, kinds map[string]change, first string) {
	c := e.client()
	if r := c.post("/ops", url.Values{"ops": {initialOps}}); r.status != 200 || c.cookie() == "" {
		t.Fatalf("setting the session up: %d %q, cookie %q", r.status, r.body, c.cookie())
	}
	old := c.cookie()
	second := map[string]string{"A": "B", "B": "A"}[first]
	gate := func(who string) string { return t.Name() + "/" + who }
	done := map[string]chan *response{}
	for who, k := range kinds {
		done[who] = make(chan *response, 1)
		go func() {
			r, err := c.try("POST", "/ops", url.Values{"hold": {gate(who)}, "ops": {k.ops(who)}}, "")
			if err != nil {
				t.Error(err)
			}
			done[who] <- r
		}()
	}
	for who := range kinds {
		<-e.gates.get(gate(who)).entered // both have loaded the session
	}
	close(e.gates.get(gate(first)).release)
	rf := <-done[first]
	close(e.gates.get(gate(second)).release)
	rs := <-done[second]
	if rf == nil || rs == nil {
		t.FailNow()
	}

	s0 := initialState()
	want, ended := predict(s0, kinds[first].ops(first), s0)
	if !ended {
		want, _ = predict(want, kinds[second].ops(second), s0)
	}
	for who, r := range map[string]*response{first: rf, second: rs} {
		if r.status != 200 {
			t.Fatalf("request %s (%s) = %d %q; want 200 (errors: %v)", who, kinds[who], r.status, r.body, e.errs.All())
		}
		var reply opsReply
		if err := json.Unmarshal([]byte(r.body), &reply); err != nil || !reply.Seen.equal(s0) {
			t.Fatalf("request %s loaded %s (%v); want %s", who, r.body, err, s0)
		}
		tok, sent := r.token()
		switch {
		case who == second && ended && sent:
			t.Errorf("request %s committed after %s ended the session, and still sent %q; want no cookie or token", who, first, r.header)
		case sent && tok == "" && kinds[who] != "invalidate":
			t.Errorf("request %s (%s) cleared the session cookie or token", who, kinds[who])
		}
	}
	got := newState()
	if c.cookie() != "" {
		r := c.get("/dump")
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatalf("GET /dump = %d %q: %v", r.status, r.body, err)
		}
	}
	if !got.equal(want) {
		t.Errorf("after %s (%s) then %s (%s), the session holds %s; want %s", first, kinds[first], second, kinds[second], got, want)
	}
	if ended || kinds[second] == "renew" || strings.Contains(kinds[second].ops(second), "invalidate") {
		if r := c.do("GET", "/dump", nil, c.raw(old)); r.body != newState().String() {
			t.Errorf("the session's old cookie, after it was ended, reads %s; want an empty session", r.body)
		}
	}
	if errs := e.errs.All(); len(errs) > 0 {
		t.Errorf("ErrorHandler got %v; want nothing: a concurrent change is not an error", errs)
	}
}

// testStaleRequest sends a request with the session's cookie and holds it
// before it loads the session; meanwhile the visitor logs in (Renew) or out
// on another tab. The stale request then loads the ended session: it must
// act as an anonymous visitor whose changes are not kept, and set no
// cookie, so that the one the other tab got stays.
func testStaleRequest(t *testing.T, d Driver, store core.Store) {
	if isCookieStore(store) {
		t.Skip("a cookie store cannot tell an ended session: its cookies carry the data")
	}
	e := newEnv(t, d, store, nil)
	for _, k := range []change{"renew", "logout", "invalidate"} {
		t.Run(string(k), func(t *testing.T) {
			c := e.client()
			c.post("/ops", url.Values{"ops": {initialOps}})
			name := t.Name()
			done := make(chan *response, 1)
			go func() {
				r, err := c.try("POST", "/ops", url.Values{"wait": {name}, "ops": {"flash:q:stale,set:stale:yes"}}, "")
				if err != nil {
					t.Error(err)
				}
				done <- r
			}()
			<-e.gates.get(name).entered // sent with the old cookie, not loaded yet
			if r := c.post("/ops", url.Values{"ops": {k.ops("T")}}); r.status != 200 {
				t.Fatalf("the other tab's %s = %d %q", k, r.status, r.body)
			}
			close(e.gates.get(name).release)
			r := <-done
			if r == nil {
				t.FailNow()
			}
			if want := (opsReply{Seen: newState(), Popped: map[string][]string{}}); r.status != 200 || !jsonEqual(r.body, want) {
				t.Fatalf("the stale request = %d %s; want 200 and an empty session", r.status, r.body)
			}
			if r.sendsToken() {
				t.Fatalf("the stale request sent %q; want no cookie or token", r.header)
			}
			want, _ := predict(initialState(), k.ops("T"), initialState())
			got := newState()
			if c.cookie() != "" {
				if err := json.Unmarshal([]byte(c.get("/dump").body), &got); err != nil {
					t.Fatal(err)
				}
			}
			if !got.equal(want) {
				t.Fatalf("after the stale request the session holds %s; want %s", got, want)
			}
		})
	}
}

func jsonEqual(body string, v any) bool {
	b, _ := json.Marshal(v)
	return body == string(b)
}
