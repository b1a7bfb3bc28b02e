package cookiestore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// FuzzLoad sends arbitrary cookie values straight to Load, on a signed and
// on an encrypted store that both still accept an old secret. Only one
// payload is ever signed with these secrets, so a value that verifies must
// carry exactly it: anything the fuzzer makes of the seeds is
// core.ErrNotFound, never another error, another payload or a panic. (The
// seeds are issued anew in each fuzzing process, with new timestamps and
// IVs, so the check cannot be "one of the values issued here".)
func FuzzLoad(f *testing.F) {
	payload := []byte(`{"c":1800000000,"i":1800000000,"d":{"user":"alice"}}`)
	var stores []*cookiestore.Store
	for _, encrypt := range []bool{false, true} {
		old := newStore(f, cookiestore.Options{Secrets: []string{oldSecret}, Encrypt: encrypt})
		s := newStore(f, cookiestore.Options{Secrets: []string{newSecret, oldSecret}, Encrypt: encrypt})
		stores = append(stores, s)
		for _, signer := range []*cookiestore.Store{s, old} {
			v, err := signer.Create(context.Background(), core.Record{Payload: payload, TTL: time.Hour})
			if err != nil {
				f.Fatal(err)
			}
			got, _, err := s.Load(context.Background(), v)
			if err != nil || !bytes.Equal(got, payload) {
				f.Fatalf("Load(a value it issued) = %q, %v; want the payload", got, err)
			}
			f.Add(v)
			f.Add(v + "A")
			f.Add(v[:len(v)-1])
			f.Add(strings.ToUpper(v))
		}
	}
	for _, seed := range []string{"", "A", "|||", "MTcwMDAwMDAwMHx8", "MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA", strings.Repeat("A", 9000), "%%%", "\x00\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		for _, s := range stores {
			got, _, err := s.Load(context.Background(), value)
			switch {
			case err != nil && !errors.Is(err, core.ErrNotFound):
				t.Fatalf("Load(%q) = %v; want core.ErrNotFound", value, err)
			case err == nil && !bytes.Equal(got, payload):
				t.Fatalf("Load(%q) = %q, nil; want core.ErrNotFound or the one payload signed", value, got)
			}
		}
	})
}
