package adaptertest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// This file holds the routes that the concurrency cases drive: /ops runs a
// list of session operations, optionally held at a gate, and answers with
// what the request saw; /dump answers with the session as it is.

// gate lets a test hold a request inside its handler: the handler sends on
// entered, then waits until release is closed.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

// gates are the named gates of one server, made on first use.
type gates struct {
	mu sync.Mutex
	m  map[string]*gate
}

func (g *gates) get(name string) *gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*gate{}
	}
	if g.m[name] == nil {
		g.m[name] = &gate{entered: make(chan struct{}), release: make(chan struct{})}
	}
	return g.m[name]
}

// hold blocks a handler at the gate called name.
func (g *gates) hold(name string) {
	gt := g.get(name)
	gt.entered <- struct{}{}
	<-gt.release
}

// queues are the flash queues that /ops and /dump know of: sessions have
// no way to list theirs.
var queues = []string{"q", "info", "log", "q1", "q2"}

// state is a session as /dump and /ops report it, and as the concurrency
// cases' models predict it.
type state struct {
	Keys   map[string]string   `json:"keys"`
	Queues map[string][]string `json:"queues"`

	// heads is, per queue, how many messages the queue has given up: the
	// number of its first message. Only the models keep it; messages are
	// told apart by their number, not their text.
	heads map[string]int
}

func newState() state {
	return state{Keys: map[string]string{}, Queues: map[string][]string{}, heads: map[string]int{}}
}

func (s state) clone() state {
	c := newState()
	maps.Copy(c.Keys, s.Keys)
	for q, msgs := range s.Queues {
		c.Queues[q] = slices.Clone(msgs)
	}
	maps.Copy(c.heads, s.heads)
	return c
}

func (s state) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// equal reports whether s and o hold the same keys and messages.
func (s state) equal(o state) bool { return s.String() == o.String() }

// opsReply is what /ops answers.
type opsReply struct {
	Seen   state               `json:"seen"`   // the session when the request loaded it
	Popped map[string][]string `json:"popped"` // what its pops returned
}

// opsRoutes are /ops and /dump. /ops takes:
//
//	wait=NAME   hold at gate NAME before loading the session
//	hold=NAME   hold at gate NAME after loading it, before the operations
//	ops=LIST    comma-separated operations: set:KEY:VALUE, del:KEY, clear,
//	            flash:QUEUE:MSG, unique:QUEUE:MSG, pop:QUEUE, renew,
//	            invalidate, csrf
func opsRoutes(g *gates) []Route {
	return []Route{
		{"POST", "/ops", func(c Ctx) {
			if name := c.FormValue("wait"); name != "" {
				g.hold(name)
			}
			s := session(c)
			if s == nil {
				return
			}
			reply := opsReply{Seen: dump(s), Popped: map[string][]string{}}
			if name := c.FormValue("hold"); name != "" {
				g.hold(name)
			}
			for _, op := range strings.Split(c.FormValue("ops"), ",") {
				f := strings.Split(op, ":")
				switch f[0] {
				case "":
				case "set":
					must(s.Set(f[1], f[2]))
				case "del":
					s.Delete(f[1])
				case "clear":
					s.Clear()
				case "flash":
					s.Flash(f[2], f[1])
				case "unique":
					s.FlashUnique(f[2], f[1])
				case "pop":
					reply.Popped[f[1]] = append(reply.Popped[f[1]], s.PopFlash(f[1])...)
				case "renew":
					s.Renew()
				case "invalidate":
					s.Invalidate()
				case "csrf":
					s.NewCSRFToken()
				default:
					panic(fmt.Sprintf("adaptertest: unknown operation %q", op))
				}
			}
			b, _ := json.Marshal(reply)
			c.Text(http.StatusOK, string(b))
		}},
		{"GET", "/dump", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, dump(s).String())
			}
		}},
	}
}

// dump returns what s holds, reading its flash queues without taking them.
func dump(s interface {
	Keys() []string
	String(string) (string, bool)
	PeekFlash(string) []string
}) state {
	st := newState()
	for _, k := range s.Keys() {
		st.Keys[k], _ = s.String(k)
	}
	for _, q := range queues {
		if msgs := s.PeekFlash(q); len(msgs) > 0 {
			st.Queues[q] = msgs
		}
	}
	return st
}
