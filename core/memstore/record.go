package memstore

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"

	"github.com/transient-go/transient/core"
)

// idBytes is the length of a decoded session ID: core.NewID's 256 bits.
const idBytes = 32

// A record is one session, or the marker that a session Renew or Delete
// ended leaves for core.GoneTTL. It stays in place for its whole life:
// a write replaces its payload, an end turns it into a marker. Its fields
// are guarded by its shard's lock, but for sibling (its owner's index
// shard's lock) and written (atomic, so that the index can read it).
//
// The record keeps its ID decoded, 32 bytes in place of a 43-byte string
// and its header: with the map's key, what a record costs beside its
// payload is about 140 bytes (bench's BenchmarkFootprint).
type record struct {
	id      [idBytes]byte // never changes once the record is stored
	payload []byte        // never modified, replaced; nil: a marker (core.ErrGone)
	owner   string        // "" for an anonymous session and for a marker
	expires int64         // Unix nanoseconds
	written atomic.Int64  // Unix nanoseconds of the last write, or of the end

	prev, next *record // in its shard's list of its kind, least recently written first
	sibling    *record // the next record listed under owner (index.go)
}

// live reports whether r holds a session at now.
func (r *record) live(now int64) bool { return r != nil && r.payload != nil && r.expires > now }

// A kind is what a record is, which decides when it is evicted: the kinds
// go in the order they are declared.
type kind uint8

const (
	anonymous kind = iota // a session without an owner
	ended                 // a marker left by Renew or Delete
	owned                 // a user's session (core.Record.Owner)
	kinds
)

// kind returns what r is.
func (r *record) kind() kind {
	switch {
	case r.payload == nil:
		return ended
	case r.owner != "":
		return owned
	}
	return anonymous
}

// idAlphabet is the alphabet of core.NewID's IDs: unpadded base64url.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// idValues maps each byte to its value in idAlphabet, and every other
// byte to 0xff, for parseID.
type idValues [256]uint8

func newIDValues() idValues {
	var v idValues
	for i := range v {
		v[i] = 0xff
	}
	for i := range len(idAlphabet) {
		v[idAlphabet[i]] = uint8(i)
	}
	return v
}

// parseID decodes token, if it has the form core.ValidID accepts: 43
// characters of idAlphabet, the last with its two low bits, which are
// not part of the 32 bytes, zero (FuzzParseID checks it). Every read and
// every write decodes one, so it is written out for this one length,
// eight characters (six bytes) at a time.
func (s *Store) parseID(token string) (id [idBytes]byte, ok bool) {
	if len(token) != core.IDLength {
		return id, false
	}
	v := &s.idValues
	var bad uint8 // 0xff bits from a byte outside idAlphabet
	for g := range 5 {
		t := token[8*g : 8*g+8]
		a, b, c, d, e, f, h, i := v[t[0]], v[t[1]], v[t[2]], v[t[3]], v[t[4]], v[t[5]], v[t[6]], v[t[7]]
		bad |= a | b | c | d | e | f | h | i
		q := uint64(a)<<58 | uint64(b)<<52 | uint64(c)<<46 | uint64(d)<<40 |
			uint64(e)<<34 | uint64(f)<<28 | uint64(h)<<22 | uint64(i)<<16
		// Eight bytes, of which the next group overwrites the last two.
		binary.BigEndian.PutUint64(id[6*g:], q)
	}
	a, b, c := v[token[40]], v[token[41]], v[token[42]]
	bad |= a | b | c
	q := uint16(a)<<10 | uint16(b)<<4 | uint16(c)>>2
	binary.BigEndian.PutUint16(id[30:], q)
	return id, bad < 64 && c&3 == 0
}

// token returns r's session ID as core.NewID made it.
func (r *record) token() string { return base64.RawURLEncoding.EncodeToString(r.id[:]) }

// key is id's key in its shard's map. IDs are random, so 64 of their bits
// make a key that only a lookup with an ID the store never issued can
// share (get tells them apart), and that decides nothing a client chooses.
func key(id *[idBytes]byte) uint64 { return binary.LittleEndian.Uint64(id[:8]) }

// shardIndex is the shard of id, from bits the key does not use.
func shardIndex(id *[idBytes]byte) int { return int(id[8] % shardCount) }

// A shard holds the records of 1/64 of the IDs, under its lock, and
// lists them by kind.
type shard struct {
	mu      sync.RWMutex
	records map[uint64]*record
	lists   [kinds]list
	n       int // its index in Store.shards
}

// A list is a doubly linked list of records through prev and next.
type list struct{ head, tail *record }

// find returns the shard of token and its decoded ID; ok is false for a
// token that is not of the form core.ValidID accepts.
func (s *Store) find(token string) (sh *shard, id [idBytes]byte, ok bool) {
	id, ok = s.parseID(token)
	if !ok {
		return nil, id, false
	}
	return &s.shards[shardIndex(&id)], id, true
}

// get returns the record of id, or nil; sh.mu is held.
func (sh *shard) get(id *[idBytes]byte) *record {
	if r := sh.records[key(id)]; r != nil && r.id == *id {
		return r
	}
	return nil
}

// heads is where each shard publishes the least recently written record
// of each kind, so that an eviction finds the store's oldest without
// taking 64 locks: written[k][i] is when the head of shard i's list of
// kind k was written, expires[k][i] when it expires, both math.MaxInt64
// when the list is empty. Each shard writes its own entries under its
// lock; evictions read them without one.
type heads struct {
	written [kinds][shardCount]atomic.Int64
	expires [kinds][shardCount]atomic.Int64
}

// publish writes the head of sh's list of kind k to s.heads; sh.mu is
// held.
func (s *Store) publish(sh *shard, k kind) {
	w, e := int64(math.MaxInt64), int64(math.MaxInt64)
	if h := sh.lists[k].head; h != nil {
		w, e = h.written.Load(), h.expires
	}
	s.heads.written[k][sh.n].Store(w)
	s.heads.expires[k][sh.n].Store(e)
}

// link appends r to the tail of its kind's list in sh; sh.mu is held.
func (s *Store) link(sh *shard, r *record) {
	k := r.kind()
	l := &sh.lists[k]
	r.prev, r.next = l.tail, nil
	if l.tail == nil {
		l.head = r
	} else {
		l.tail.next = r
	}
	l.tail = r
	if l.head == r {
		s.publish(sh, k)
	}
}

// unlink takes r out of its kind's list in sh; sh.mu is held.
func (s *Store) unlink(sh *shard, r *record) {
	k := r.kind()
	l := &sh.lists[k]
	if r.prev == nil {
		l.head = r.next
	} else {
		r.prev.next = r.next
	}
	if r.next == nil {
		l.tail = r.prev
	} else {
		r.next.prev = r.prev
	}
	wasHead := r.prev == nil
	r.prev, r.next = nil, nil
	if wasHead {
		s.publish(sh, k)
	}
}

// remove deletes r, a record of sh, at once, and its listing; sh.mu is
// held.
func (s *Store) remove(sh *shard, r *record) {
	s.unlink(sh, r)
	if r.owner != "" && r.payload != nil {
		s.unlist(r)
	}
	delete(sh.records, key(&r.id))
	s.records.Add(-1)
	s.counted(-1)
}
