package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

// BenchmarkCodec measures core's payload codec (core/payload.go) against
// encoding/json, on the same JSON documents: the session every row keeps
// (a login's: user_id, username, one flash message, a CSRF token), and a
// richer one. bench cannot call the codec itself, so it drives it through
// the exported API, with codecStore below holding the payload:
//
//   - decode/transient: Manager.Begin and core.FromContext on a request
//     whose cookie names the payload: the Manager loads it from the store
//     and decodes it. The row includes everything else a first use of the
//     session costs (reading the cookie, checking the token and the
//     timestamps), so it overstates the codec.
//   - decode/encoding-json: json.Unmarshal of the same bytes into
//     jsonPayload, the same document as a Go struct with the stored values
//     kept raw (json.RawMessage), as core keeps them until they are read:
//     the least work encoding/json can do.
//   - round-trip/transient: the same, then Session.Changed and
//     Manager.Commit, which encodes the session and hands it to the
//     store's Update. round-trip/encoding-json: json.Unmarshal, then
//     json.Encoder (HTML escaping off, as core's codec does not escape,
//     into a reused buffer) of the struct with its issue time updated.
//
// Each iteration checks that the store was loaded, and saved, exactly once.
func BenchmarkCodec(b *testing.B) {
	for _, doc := range []struct{ name, payload string }{
		{"login", loginPayload},
		{"rich", richPayload},
	} {
		b.Run(doc.name+"/decode/transient", func(b *testing.B) { codecTransient(b, doc.payload, false) })
		b.Run(doc.name+"/decode/encoding-json", func(b *testing.B) { codecJSON(b, doc.payload, false) })
		b.Run(doc.name+"/round-trip/transient", func(b *testing.B) { codecTransient(b, doc.payload, true) })
		b.Run(doc.name+"/round-trip/encoding-json", func(b *testing.B) { codecJSON(b, doc.payload, true) })
	}
}

// The documents, as core writes them: keys sorted, compact. Their times
// are valid at codecNow, and no re-issue is due.
const (
	loginPayload = `{"c":1700000000,"i":1700000300,"d":{"user_id":42,"username":"alice"},` +
		`"f":{"success":["Article saved successfully!"]},"t":"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg"}`
	richPayload = `{"c":1700000000,"i":1700000300,"d":{"cart":[{"qty":2,"sku":"A-100"},{"qty":1,"sku":"B-220"}],` +
		`"last_search":"shoes \"red\", size 42","locale":"fr-FR","prefs":{"dark":true,"page_size":50},` +
		`"roles":["editor","reviewer"],"theme":"dark","user_id":1234567,"username":"alice.liddell"},` +
		`"f":{"info":["Your cart was updated."],"success":["Article saved successfully!","Profile updated."],"warning":["Your password expires in 3 days."]},` +
		`"t":"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg"}`
)

// codecNow is the Manager's clock in BenchmarkCodec: a minute after the
// documents were issued.
var codecNow = time.Unix(1700000360, 0)

// jsonPayload is the documents' shape as a Go struct, for encoding/json.
type jsonPayload struct {
	Created int64                      `json:"c"`
	Issued  int64                      `json:"i"`
	Data    map[string]json.RawMessage `json:"d,omitempty"`
	Flashes map[string][]string        `json:"f,omitempty"`
	CSRF    string                     `json:"t,omitempty"`
}

// codecStore is a core.Store that holds one payload: Load hands it to the
// Manager to decode, Update receives what the Manager encoded. It counts
// its calls. It is all BenchmarkCodec needs of core.Store, kept here in
// one place.
type codecStore struct {
	payload     []byte
	loads       int
	saves       int
	lastPayload []byte // a copy of what Update was given last
}

func (s *codecStore) Load(context.Context, string) ([]byte, bool, error) {
	s.loads++
	return s.payload, false, nil
}

func (s *codecStore) Update(_ context.Context, token string, _ []byte, r core.Record) (string, error) {
	s.saves++
	s.lastPayload = append(s.lastPayload[:0], r.Payload...)
	return token, nil
}

func (s *codecStore) Create(ctx context.Context, r core.Record) (string, error) {
	return s.Update(ctx, core.NewID(), nil, r)
}

func (s *codecStore) Renew(ctx context.Context, _ string, _ []byte, r core.Record) (string, error) {
	return s.Create(ctx, r)
}

func (s *codecStore) Delete(context.Context, string) error { return nil }

// nopHeader is where Commit adds its headers: nowhere.
type nopHeader struct{}

func (nopHeader) Add(string, string) {}

// codecTransient decodes payload through the Manager, and with encode
// also encodes it again, once per iteration.
func codecTransient(b *testing.B, payload string, encode bool) {
	st := &codecStore{payload: []byte(payload)}
	m, err := core.NewManager(st, &core.Options{Clock: func() time.Time { return codecNow }})
	if err != nil {
		b.Fatal(err)
	}
	cookies := core.CookiesFrom(http.Header{"Cookie": {"session=" + core.NewID()}})
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		var s core.Session
		rctx := m.Begin(&s, ctx, cookies)
		sess, err := core.FromContext(rctx)
		if err != nil {
			b.Fatal(err)
		}
		if encode {
			sess.Changed()
			if err := m.Commit(rctx, &s, http.StatusOK, nopHeader{}); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	saves := 0
	if encode {
		saves = n
		if len(st.lastPayload) != len(payload) {
			b.Fatalf("saved %s; want a document the size of %s", st.lastPayload, payload)
		}
	}
	if st.loads != n || st.saves != saves {
		b.Fatalf("%d iterations: %d loads and %d saves; want %d and %d", n, st.loads, st.saves, n, saves)
	}
}

// codecJSON decodes payload with encoding/json, and with encode also
// encodes it again, once per iteration.
func codecJSON(b *testing.B, payload string, encode bool) {
	data := []byte(payload)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	b.ReportAllocs()
	for b.Loop() {
		var p jsonPayload
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
		if encode {
			p.Issued = codecNow.Unix()
			buf.Reset()
			if err := enc.Encode(&p); err != nil {
				b.Fatal(err)
			}
		}
	}
	if encode && buf.Len() != len(payload)+1 { // Encode adds a newline
		b.Fatalf("encoded %s; want a document the size of %s", buf.Bytes(), payload)
	}
}
