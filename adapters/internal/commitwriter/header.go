package commitwriter

import (
	"net/http"
	"net/textproto"

	"github.com/transient-go/transient/core"
)

// Header is the core.Header through which an adapter commits a session to
// a response's http.Header: it adds as http.Header.Add does, but the
// value of a key the response does not hold yet goes into room of its
// own, not into a new one-element slice, so that the headers a commit
// adds (Vary and Set-Cookie; with core.Options.TokenHeader, Vary, that
// header and Cache-Control) cost the request no allocation
// (TestHeaderAddAllocs, and the drivers' TestSessionAllocs). The adapter
// keeps a Header in its per-request state, which is never reused, so a
// response's values never share room with another's; each slice it
// stores has a capacity of 1, so whoever appends to it later copies it.
// The zero value is ready for one commit, with To; a Header is not safe
// for concurrent use.
type Header struct {
	h    http.Header
	room [3]string
	used uint8 // entries of room in use
}

var _ core.Header = (*Header)(nil)

// To returns h, adding to hdr.
func (h *Header) To(hdr http.Header) *Header {
	h.h = hdr
	return h
}

// Add adds value to the values of key, canonicalized as http.Header.Add
// does.
func (h *Header) Add(key, value string) {
	key = textproto.CanonicalMIMEHeaderKey(key)
	if _, ok := h.h[key]; !ok && int(h.used) < len(h.room) {
		i := h.used
		h.room[i] = value
		h.h[key] = h.room[i : i+1 : i+1]
		h.used++
		return
	}
	h.h[key] = append(h.h[key], value)
}
