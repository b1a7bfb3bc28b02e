package core

import (
	"bytes"
	"errors"
	"strconv"
)

// A device-bound session records its binding in its own payload, as the
// member "b":
//
//	"b":{"k":"<binding key>","j":{"crv":"P-256","kty":"EC","x":"…","y":"…"},"s":1800000000,"w":1800000000123}
//
// so that it works on every server-side store and every app server, and
// is written as the rest of the session is: registrations and refreshes
// are changes in the request's change set (changes.go), applied to the
// record as it is at commit time. A session that was never offered
// binding has no "b" at all, and one offered but not registered only "k".

// binding is what a session records of its device binding.
type binding struct {
	// key ("k") is 32 random bytes in base64url, made when the session is
	// offered binding: the HMAC key of its challenges, of its bound
	// cookies and of its DBSC session identifier. It never leaves the
	// server, and it moves with the session when the session is renewed.
	key []byte

	// jwk ("j") is the registered public key, a JWK in the canonical form
	// of RFC 7638 (its required members only, sorted, no white space), so
	// that its thumbprint is the SHA-256 of these bytes; nil until the
	// browser registers.
	jwk []byte

	// Both are kept as written, escapes included, and share memory with
	// the payload they were decoded from, as its data values do: loading a
	// bound session allocates nothing for them.

	since int64 // "s": when the browser registered, in Unix seconds
	used  int64 // "w": the time of the newest challenge the session consumed, in Unix milliseconds
}

// bound reports whether a browser registered a key for the session.
func (b *binding) bound() bool { return len(b.jwk) > 0 }

// empty reports whether b holds nothing: the session was never offered.
func (b *binding) empty() bool {
	return len(b.key) == 0 && len(b.jwk) == 0 && b.since == 0 && b.used == 0
}

// appendJSON appends b as the payload's member "b", or nothing when b is
// empty.
func (b *binding) appendJSON(dst []byte) []byte {
	if b.empty() {
		return dst
	}
	dst = append(dst, `,"b":{`...)
	sep := false
	comma := func() {
		if sep {
			dst = append(dst, ',')
		}
		sep = true
	}
	if len(b.jwk) > 0 {
		comma()
		dst = append(dst, `"j":`...)
		dst = append(dst, b.jwk...)
	}
	if len(b.key) > 0 {
		comma()
		dst = append(dst, `"k":"`...)
		dst = append(dst, b.key...)
		dst = append(dst, '"')
	}
	if b.since != 0 {
		comma()
		dst = append(dst, `"s":`...)
		dst = strconv.AppendInt(dst, b.since, 10)
	}
	if b.used != 0 {
		comma()
		dst = append(dst, `"w":`...)
		dst = strconv.AppendInt(dst, b.used, 10)
	}
	return append(dst, '}')
}

// binding parses the member "b" at d.i, keeping "k" and "j", an object,
// as written.
func (d *parser) binding() (binding, error) {
	var b binding
	err := d.object(func(key string) error {
		var err error
		switch key {
		case "k":
			b.key, err = d.rawString()
		case "j":
			start := d.i
			if err = d.skipObject(); err == nil {
				b.jwk = d.b[start:d.i]
			}
		case "s":
			b.since, err = d.int()
		case "w":
			b.used, err = d.int()
		default:
			err = d.skip(0)
		}
		return err
	})
	return b, err
}

// skipObject moves past the object at d.i, checking it as skip does, but
// without decoding its keys, which would allocate: a bound session's key
// is read on every request.
func (d *parser) skipObject() error {
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
		if _, err := d.stringSpan(); err != nil {
			return err
		}
		if d.next() != ':' {
			return errSyntax
		}
		d.i++
		if err := d.skip(1); err != nil {
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

// The kinds of deviceChange.
const (
	deviceOffer    = iota + 1 // the session is offered binding: it gets a binding key
	deviceRegister            // the browser registered its key
	deviceRefresh             // the browser renewed its bound cookie
)

// deviceChange is a request's change to its session's binding, recorded in
// its change set.
type deviceChange struct {
	kind  uint8
	key   []byte // offer: the new binding key; register: the key the challenge was made with
	jwk   []byte // register: the key registered; refresh: the key the proof was checked with
	since int64  // register: now, in Unix seconds
	used  int64  // register, refresh: the time of the challenge the proof signed

	current int64 // set by checkDevice when the change no longer holds: the record's binding.used
}

// errBinding is what the commit of a registration or a refresh meets
// when another request changed the session's binding first: it
// registered a key, or consumed a challenge as new or newer (the same
// proof, sent twice at once).
var errBinding = errors.New("core: the session's device binding changed meanwhile")

// checkDevice returns errBinding if the request's change to the binding no
// longer holds on p, the record as another request left it.
func (c *changes) checkDevice(p *payload) error {
	d := c.device
	switch {
	case d == nil:
		return nil
	case d.kind == deviceRegister && (!bytes.Equal(p.binding.key, d.key) || p.binding.bound() || p.binding.used >= d.used):
	case d.kind == deviceRefresh && (!bytes.Equal(p.binding.jwk, d.jwk) || p.binding.used >= d.used):
	default:
		return nil
	}
	d.current = p.binding.used
	return errBinding
}

// applyDevice applies the request's change to the binding to p.
func (c *changes) applyDevice(p *payload) {
	d := c.device
	switch {
	case d == nil:
	case d.kind == deviceOffer:
		if len(p.binding.key) == 0 { // another request offered first: its challenge stands
			p.binding.key = d.key
		}
	case d.kind == deviceRegister:
		p.binding.jwk, p.binding.since, p.binding.used = d.jwk, d.since, d.used
	case d.kind == deviceRefresh:
		p.binding.used = d.used
	}
}
