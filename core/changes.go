package core

import (
	"bytes"
	"slices"
	"strings"
)

// A request's session is what it loaded plus what it changed. The changes
// are also kept on their own, as a change set, because a server-side store
// may find at commit time that another request of the same visitor changed
// the record in between (a [ConflictError]): the commit then applies the
// change set to the record as it is now, and tries again. So a key this
// request did not touch keeps what the other request wrote, a message
// flashed meanwhile stays for the next page, and a message this request
// popped is not brought back.
//
// Messages have numbers for this: a queue's messages are numbered in the
// order they were flashed, and the payload keeps, per queue, how many it
// has given up (payload.heads). Popping records "remove the messages
// numbered below n", which removes what this request saw and showed,
// whoever else popped some of them first, and nothing flashed later.
//
// The session's methods change what the request sees and record the change
// with the same primitives that apply uses below, so that applying the
// change set to what was loaded gives exactly what the request sees; a
// test holds them to that.

// changes is what one request did to its session since it last wrote it.
type changes struct {
	any      bool         // something changed, or Changed was called: write the session
	cleared  bool         // Clear: first remove every key and message the record holds
	keys     []entry      // keys set (val != nil) or deleted (val == nil), sorted by key
	flashed  []flash      // messages added, in order
	popped   []mark       // per queue, messages numbered below n are removed
	csrf     string       // the new CSRF token, if it was replaced
	remember uint8        // RememberMe: rememberOn or rememberOff
	owner    *ownerChange // SetOwner
	renew    bool         // the record moves to a new token
	fresh    bool         // Invalidate: the record ends; what the request sees is a new session

	device *deviceChange // device binding (device_payload.go)
}

// flash is one message added to a queue.
type flash struct {
	queue, msg string
	unique     bool // FlashUnique: skipped if the queue holds msg by then
}

// apply applies c to p, the record as another request left it.
func (c *changes) apply(p *payload) {
	if c.cleared {
		p.clear(true)
	}
	for _, e := range c.keys {
		if e.val == nil {
			p.del(e.key)
		} else {
			p.set(e.key, e.val)
		}
	}
	for _, m := range c.popped {
		p.popTo(m.name, m.n)
	}
	for _, f := range c.flashed {
		p.push(f.queue, f.msg, f.unique)
	}
	if c.csrf != "" {
		p.csrf = c.csrf
	}
	if c.remember != 0 {
		p.remember = c.remember
	}
	if c.owner != nil {
		p.owner, p.device = c.owner.name, c.owner.device
	}
	c.applyDevice(p)
}

// ownerChange is a change of a session's owner or device.
type ownerChange struct {
	name   string
	device Device
}

// setKey records that key was set to val, or deleted if val is nil.
func (c *changes) setKey(key string, val []byte) {
	c.any = true
	i, ok := slices.BinarySearchFunc(c.keys, key, func(e entry, k string) int { return strings.Compare(e.key, k) })
	if ok {
		c.keys[i].val = val
	} else {
		c.keys = slices.Insert(c.keys, i, entry{key, val})
	}
}

// pending returns how many of queue's messages this request flashed and
// has not popped: they are the last ones in the queue it sees.
func (c *changes) pending(queue string) int {
	n := 0
	for _, f := range c.flashed {
		if f.queue == queue {
			n++
		}
	}
	return n
}

// popped records that queue's messages numbered below n were removed, and
// drops the messages this request flashed to queue.
func (c *changes) pop(queue string, n int64) {
	c.any = true
	c.flashed = slices.DeleteFunc(c.flashed, func(f flash) bool { return f.queue == queue })
	if n == 0 {
		return
	}
	i, ok := slices.BinarySearchFunc(c.popped, queue, func(m mark, q string) int { return strings.Compare(m.name, q) })
	if ok {
		c.popped[i].n = max(c.popped[i].n, n)
	} else {
		c.popped = slices.Insert(c.popped, i, mark{queue, n})
	}
}

// clear records Clear: what was recorded before no longer matters.
func (c *changes) clear() {
	c.any, c.cleared = true, true
	c.keys, c.flashed, c.popped = c.keys[:0], c.flashed[:0], c.popped[:0]
}

// The primitives below change a payload in place; the session's methods
// and apply share them.

func (p *payload) find(key string) (int, bool) {
	return slices.BinarySearchFunc(p.data, key, func(e entry, k string) int { return strings.Compare(e.key, k) })
}

// set stores val under key and reports whether that changed anything.
func (p *payload) set(key string, val []byte) bool {
	i, ok := p.find(key)
	switch {
	case !ok:
		p.data = slices.Insert(p.data, i, entry{key, val})
	case bytes.Equal(p.data[i].val, val):
		return false
	default:
		p.data[i].val = val
	}
	return true
}

// del removes key and reports whether it was there.
func (p *payload) del(key string) bool {
	i, ok := p.find(key)
	if ok {
		p.data = slices.Delete(p.data, i, i+1)
	}
	return ok
}

func (p *payload) findQueue(name string) (int, bool) {
	return slices.BinarySearchFunc(p.flashes, name, func(q queue, n string) int { return strings.Compare(q.name, n) })
}

// push appends msg to queue, unless unique is set and the queue holds msg,
// and reports whether it did.
func (p *payload) push(name, msg string, unique bool) bool {
	i, ok := p.findQueue(name)
	switch {
	case !ok:
		p.flashes = slices.Insert(p.flashes, i, queue{name: name, msgs: append(p.spare, msg)})
		p.spare = nil
	case unique && slices.Contains(p.flashes[i].msgs, msg):
		return false
	default:
		p.flashes[i].msgs = append(p.flashes[i].msgs, msg)
	}
	return true
}

// take removes queue and returns its messages.
func (p *payload) take(name string) []string {
	i, ok := p.findQueue(name)
	if !ok {
		return nil
	}
	msgs := p.flashes[i].msgs
	p.flashes = slices.Delete(p.flashes, i, i+1)
	return msgs
}

// head returns the number of queue's first message.
func (p *payload) head(name string) int64 {
	if i, ok := p.findHead(name); ok {
		return p.heads[i].n
	}
	return 0
}

func (p *payload) findHead(name string) (int, bool) {
	return slices.BinarySearchFunc(p.heads, name, func(m mark, n string) int { return strings.Compare(m.name, n) })
}

// setHead records that queue's first message is number n.
func (p *payload) setHead(name string, n int64) {
	if n == 0 {
		return
	}
	i, ok := p.findHead(name)
	if ok {
		p.heads[i].n = n
	} else {
		p.heads = slices.Insert(p.heads, i, mark{name, n})
	}
}

// popTo removes queue's messages numbered below n.
func (p *payload) popTo(name string, n int64) {
	h := p.head(name)
	if n <= h {
		return
	}
	p.setHead(name, n)
	i, ok := p.findQueue(name)
	if !ok {
		return
	}
	if drop := n - h; drop < int64(len(p.flashes[i].msgs)) {
		p.flashes[i].msgs = p.flashes[i].msgs[drop:]
	} else {
		p.flashes = slices.Delete(p.flashes, i, i+1)
	}
}

// clear removes every key and message; with count, it counts the messages
// given up.
func (p *payload) clear(count bool) {
	if count {
		for _, q := range p.flashes {
			p.setHead(q.name, p.head(q.name)+int64(len(q.msgs)))
		}
	}
	p.data, p.flashes = nil, nil
}
