package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A payload is a session as a store keeps it: a JSON object
//
//	{"c":1700000000,"i":1700000300,"d":{"user_id":42},"f":{"success":["Saved."]},"h":{"info":3},"t":"csrf"}
//
// c and i are the creation and issue times in Unix seconds, n the name of
// the cookie a server-side session was issued under, when it is not
// DefaultCookieName (see decodePayload), d the data, f
// the flash queues, h how many messages each queue has given up so far, o
// the owner and a and u the address and user agent of the owner's device
// (Session.SetOwner), b its device binding (device_payload.go), r whether
// the cookie is to last beyond the browser session (Session.RememberMe)
// and t the CSRF token; all but c and i are
// left out when empty. A queue's
// count in h numbers its messages, so that a commit can tell the messages
// its request popped from those another request flashed meanwhile (see
// changes.go); only server-side stores keep it. Keys are sorted, so equal
// sessions encode to equal bytes. The codec below is written for this one
// shape: it is 2.5 to 3.3 times faster than encoding/json through
// reflection, with fewer allocations (bench's BenchmarkCodec, in
// bench/RESULTS.md), and is fuzzed against it.

type entry struct {
	key string
	val []byte // one compact, valid JSON value
}

type queue struct {
	name string
	msgs []string
}

// mark is how many messages queue name has given up: its next message is
// number n.
type mark struct {
	name string
	n    int64
}

type payload struct {
	created, issued int64
	data            []entry // sorted by key, no duplicates
	flashes         []queue // sorted by name, no empty queue
	heads           []mark  // sorted by name, no zero count
	csrf            string
	remember        uint8  // rememberOn or rememberOff when the request chose; 0: Options.MaxAge decides
	owner           string // Session.SetOwner
	device          Device // where the owner uses the session

	binding binding // device-bound sessions (device_payload.go)

	// spare is room for the messages of the first queue a request
	// flashes to that the payload did not hold: a session's own
	// (room.spare, session.go), used once, or nil.
	spare []string
}

// A decodeRoom is where the payload a session loads keeps its first
// entries, queues and marks (session.go), so that decoding the usual
// session allocates one room and no slice. Only one payload may use a
// room, and only once: what the session hands out (PopFlash's messages)
// may be in it.
type decodeRoom struct {
	data   [4]entry
	queues [1]queue
	msgs   [2]string
	heads  [1]mark
	token  [IDLength]byte // keep's
}

// keep returns a copy of token, a server-side session's ID, in the room
// when it is of the length NewID makes, so that the session keeps its key
// without an allocation of its own.
func (r *decodeRoom) keep(token string) string {
	if len(token) != len(r.token) {
		return strings.Clone(token)
	}
	copy(r.token[:], token)
	return unsafe.String(&r.token[0], len(token))
}

// Values of payload.remember.
const (
	rememberOn  = 1
	rememberOff = 2
)

// empty reports whether p holds nothing worth keeping: a session that
// becomes empty is not stored, or, with a cookie store, is cleared.
func (p *payload) empty() bool {
	return len(p.data) == 0 && len(p.flashes) == 0 && p.csrf == "" && p.owner == ""
}

// appendJSON appends p, bound to the cookie name (nil for
// DefaultCookieName), a valid cookie name, which needs no escaping.
func (p *payload) appendJSON(b, name []byte) []byte {
	b = append(b, `{"c":`...)
	b = strconv.AppendInt(b, p.created, 10)
	b = append(b, `,"i":`...)
	b = strconv.AppendInt(b, p.issued, 10)
	if len(name) > 0 {
		b = append(b, `,"n":"`...)
		b = append(b, name...)
		b = append(b, '"')
	}
	if len(p.data) > 0 {
		b = append(b, `,"d":{`...)
		for i, e := range p.data {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e.key)
			b = append(b, ':')
			b = append(b, e.val...)
		}
		b = append(b, '}')
	}
	if len(p.flashes) > 0 {
		b = append(b, `,"f":{`...)
		for i, q := range p.flashes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, q.name)
			b = append(b, ":["...)
			for j, m := range q.msgs {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, m)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if len(p.heads) > 0 {
		b = append(b, `,"h":{`...)
		for i, h := range p.heads {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, h.name)
			b = append(b, ':')
			b = strconv.AppendInt(b, h.n, 10)
		}
		b = append(b, '}')
	}
	if p.owner != "" {
		b = append(b, `,"o":`...)
		b = appendString(b, p.owner)
	}
	if p.device.Address != "" {
		b = append(b, `,"a":`...)
		b = appendString(b, p.device.Address)
	}
	if p.device.UserAgent != "" {
		b = append(b, `,"u":`...)
		b = appendString(b, p.device.UserAgent)
	}
	b = p.binding.appendJSON(b)
	if p.remember != 0 {
		b = append(b, `,"r":`...)
		b = strconv.AppendBool(b, p.remember == rememberOn)
	}
	if p.csrf != "" {
		b = append(b, `,"t":`...)
		b = appendString(b, p.csrf)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// with encoding/json; HTML characters are not escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	// The usual string is printable ASCII that needs no escape.
	i := plain(s, 0)
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	return appendEscaped(b, s, i)
}

// appendEscaped is appendString from s[i], which may need an escape, on:
// the quote is written, and s[:i] is copied as is.
func appendEscaped(b []byte, s string, i int) []byte {
	start := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

var errSyntax = errors.New("core: malformed session payload")

// maxDepth bounds the nesting of stored values, so that a hostile payload
// cannot exhaust the stack.
const maxDepth = 1000

type parser struct {
	b    []byte
	i    int
	str  string      // b's bytes, shared (decodeInto)
	room *decodeRoom // nil: the heap
}

// text returns b[start:end] as a string. Every string a payload holds
// shares the payload's memory, which nothing modifies once a store has
// returned it (see Store), so a session's strings cost no allocation. (A
// string kept from a session keeps the payload alive: a store that keeps
// one, such as an owner, clones it.)
func (d *parser) text(start, end int) string { return d.str[start:end] }

// errOtherCookie is what decodePayload returns for a payload bound to
// another cookie name than the one asked for.
var errOtherCookie = errors.New("core: session issued under another cookie name")

// decodePayload parses a payload written by appendJSON for the cookie name
// bound (nil for DefaultCookieName): a payload written for another name
// is errOtherCookie. It accepts any valid JSON object of that shape,
// ignores unknown members and never panics; the strings and data values
// it returns share memory with b, which must never be modified after.
func decodePayload(b, bound []byte) (payload, error) { return decodeInto(b, bound, nil) }

// decodeInto is decodePayload with the first entries in room, if not nil,
// which nothing else may use.
func decodeInto(b, bound []byte, room *decodeRoom) (payload, error) {
	var p payload
	var name []byte // the raw body of n, as written
	d := parser{b: b, str: unsafe.String(unsafe.SliceData(b), len(b)), room: room}
	err := d.object(func(key string) error {
		var err error
		switch key {
		case "c":
			p.created, err = d.int()
		case "i":
			p.issued, err = d.int()
		case "n":
			name, err = d.rawString()
		case "d":
			p.data, err = d.data()
		case "f":
			p.flashes, err = d.flashes()
		case "h":
			p.heads, err = d.heads()
		case "o":
			p.owner, err = d.string()
		case "a":
			p.device.Address, err = d.string()
		case "u":
			p.device.UserAgent, err = d.string()
		case "b":
			p.binding, err = d.binding()
		case "r":
			p.remember, err = d.remember()
		case "t":
			p.csrf, err = d.string()
		default:
			err = d.skip(0)
		}
		return err
	})
	if err != nil {
		return payload{}, err
	}
	if d.ws(); d.i != len(d.b) {
		return payload{}, errSyntax
	}
	if !bytes.Equal(name, bound) {
		return payload{}, errOtherCookie
	}
	return p, nil
}

func (d *parser) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and returns the next byte, or 0 at the end.
func (d *parser) next() byte {
	// What appendJSON writes has no white space: look no further.
	if d.i < len(d.b) && d.b[d.i] > ' ' {
		return d.b[d.i]
	}
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// object parses an object, calling member with d positioned on each value.
func (d *parser) object(member func(key string) error) error {
	if d.next() != '{' {
		return errSyntax
	}
	d.i++
	if d.next() == '}' {
		d.i++
		return nil
	}
	for {
		if d.next() != '"' {
			return errSyntax
		}
		key, err := d.string()
		if err != nil {
			return err
		}
		if d.next() != ':' {
			return errSyntax
		}
		d.i++
		d.next()
		if err := member(key); err != nil {
			return err
		}
		switch d.next() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return errSyntax
		}
	}
}

func (d *parser) data() ([]entry, error) {
	var es []entry
	if d.room != nil {
		es = d.room.data[:0]
	} else {
		es = make([]entry, 0, 4)
	}
	err := d.object(func(key string) error {
		start := d.i
		if err := d.skip(0); err != nil {
			return err
		}
		es = append(es, entry{key, d.b[start:d.i]})
		return nil
	})
	if len(es) == 0 {
		return nil, err
	}
	return normalize(es, func(e entry) string { return e.key }), err
}

func (d *parser) flashes() ([]queue, error) {
	var qs []queue
	var msgRoom []string // for the first queue's messages
	if d.room != nil {
		qs, msgRoom = d.room.queues[:0], d.room.msgs[:0]
	}
	err := d.object(func(name string) error {
		if d.next() != '[' {
			return errSyntax
		}
		d.i++
		msgs := msgRoom
		msgRoom = nil
		if d.next() == ']' {
			d.i++
		} else {
			for {
				if d.next() != '"' {
					return errSyntax
				}
				m, err := d.string()
				if err != nil {
					return err
				}
				msgs = append(msgs, m)
				if c := d.next(); c == ']' {
					d.i++
					break
				} else if c != ',' {
					return errSyntax
				}
				d.i++
			}
		}
		qs = append(qs, queue{name, msgs})
		return nil
	})
	qs = slices.DeleteFunc(normalize(qs, func(q queue) string { return q.name }), func(q queue) bool { return len(q.msgs) == 0 })
	if len(qs) == 0 {
		return nil, err
	}
	return qs, err
}

func (d *parser) remember() (uint8, error) {
	switch {
	case d.literal("true") == nil:
		return rememberOn, nil
	case d.literal("false") == nil:
		return rememberOff, nil
	}
	return 0, errSyntax
}

func (d *parser) heads() ([]mark, error) {
	var hs []mark
	if d.room != nil {
		hs = d.room.heads[:0]
	}
	err := d.object(func(name string) error {
		n, err := d.int()
		if err == nil && n < 0 {
			err = errSyntax
		}
		if n > 0 {
			hs = append(hs, mark{name, n})
		}
		return err
	})
	hs = normalize(hs, func(h mark) string { return h.name })
	if len(hs) == 0 {
		return nil, err
	}
	return hs, err
}

// normalize sorts s by key and keeps the last of duplicate keys, as
// encoding/json does. Payloads this package writes are already sorted.
func normalize[E any](s []E, key func(E) string) []E {
	sorted := true
	for i := 1; i < len(s); i++ {
		if key(s[i-1]) >= key(s[i]) {
			sorted = false
			break
		}
	}
	if sorted {
		return s
	}
	slices.SortStableFunc(s, func(a, b E) int { return strings.Compare(key(a), key(b)) })
	out := s[:0]
	for i, e := range s {
		if i+1 < len(s) && key(s[i+1]) == key(e) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// string parses the string at d.i.
func (d *parser) string() (string, error) {
	if d.next() != '"' {
		return "", errSyntax
	}
	// The usual string is printable ASCII without escapes: find its end
	// in one pass, eight bytes at a time.
	quote := d.i
	b := d.b
	i := plain(b, quote+1)
	if i < len(b) && b[i] == '"' {
		d.i = i + 1
		return d.text(quote+1, i), nil
	}
	d.i = i
	escaped, ascii := false, true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			body := d.b[quote+1 : d.i-1]
			if !escaped && (ascii || utf8.Valid(body)) {
				return d.text(quote+1, d.i-1), nil
			}
			var s string
			if err := json.Unmarshal(d.b[quote:d.i], &s); err != nil {
				return "", errSyntax
			}
			return s, nil
		case c == '\\':
			escaped = true
			if err := d.escape(); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", errSyntax
		default:
			ascii = ascii && c < utf8.RuneSelf
			d.i++
		}
	}
	return "", errSyntax
}

// plain returns the index of the first byte of s from i on that
// isSpecial, or len(s), looking at eight bytes at a time.
func plain[T string | []byte](s T, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := special(load64(s[i : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && !isSpecial(s[i]) {
		i++
	}
	return i
}

// load64 returns the eight bytes of s as a little-endian number, as
// binary.LittleEndian.Uint64 does.
func load64[T string | []byte](s T) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// special returns, in the high bit of each byte of x, whether that byte
// of a JSON string is special (isSpecial), eight bytes read as a
// little-endian x: 0 if none is. The lowest bit set is exactly that of
// the first special byte, as no byte before it borrows in the
// subtractions; bits above it may be set by a borrow.
func special(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return (x | (x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones)) & highs
}

// isSpecial reports whether c, in a JSON string, is other than printable
// ASCII that stands for itself: the closing quote, an escape, a control
// character or a byte of a longer UTF-8 sequence.
func isSpecial(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf }

// escape checks the escape sequence at d.i and moves past it.
func (d *parser) escape() error {
	if d.i+1 >= len(d.b) {
		return errSyntax
	}
	switch d.b[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
		return nil
	case 'u':
		if d.i+6 > len(d.b) {
			return errSyntax
		}
		for _, c := range d.b[d.i+2 : d.i+6] {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return errSyntax
			}
		}
		d.i += 6
		return nil
	}
	return errSyntax
}

// int parses an integer-valued JSON number.
func (d *parser) int() (int64, error) {
	// What appendJSON writes, in one pass: digits without a leading
	// zero, too few to overflow, that no fraction or exponent follows.
	b, start := d.b, d.i
	digits := b[start:min(start+18, len(b))]
	var n int64
	i := 0
	for ; i < len(digits); i++ {
		c := digits[i] - '0'
		if c > 9 {
			break
		}
		n = n*10 + int64(c)
	}
	if i > 0 && (digits[0] != '0' || i == 1) {
		end := start + i
		if end == len(b) {
			d.i = end
			return n, nil
		}
		switch b[end] {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', 'e', 'E':
		default:
			d.i = end
			return n, nil
		}
	}
	if err := d.number(); err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	if err != nil {
		return 0, errSyntax
	}
	return n, nil
}

// number moves past the JSON number at d.i, checking its grammar.
func (d *parser) number() error {
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.digits()
	default:
		return errSyntax
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return errSyntax
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return errSyntax
		}
	}
	return nil
}

func (d *parser) digits() int {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// skip moves past one JSON value, checking that it is valid.
func (d *parser) skip(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	switch c := d.next(); {
	case c == '"':
		_, err := d.stringSpan()
		return err
	case c == '{':
		return d.object(func(string) error { return d.skip(depth + 1) })
	case c == '[':
		d.i++
		if d.next() == ']' {
			d.i++
			return nil
		}
		for {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			switch d.next() {
			case ',':
				d.i++
			case ']':
				d.i++
				return nil
			default:
				return errSyntax
			}
		}
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return errSyntax
}

// rawString moves past the string at d.i and returns its body as written,
// escapes included, without copying it.
func (d *parser) rawString() ([]byte, error) {
	if d.next() != '"' {
		return nil, errSyntax
	}
	start, err := d.stringSpan()
	if err != nil {
		return nil, err
	}
	if d.i-start == 2 {
		return nil, nil // "": as if absent
	}
	return d.b[start+1 : d.i-1], nil
}

// stringSpan moves past the string at d.i without decoding it.
func (d *parser) stringSpan() (int, error) {
	start := d.i
	d.i++
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return start, nil
		case c == '\\':
			if err := d.escape(); err != nil {
				return 0, err
			}
		case c < 0x20:
			return 0, errSyntax
		default:
			d.i++
		}
	}
	return 0, errSyntax
}

func (d *parser) literal(lit string) error {
	if len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return errSyntax
	}
	d.i += len(lit)
	return nil
}
