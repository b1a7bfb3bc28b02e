package commitwriter_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/adapters/internal/commitwriter"
	"github.com/transient-go/transient/core"
)

// newWriter returns a Writer over a recorder for a request whose handler
// has already added a flash to its session.
func newWriter(t *testing.T) (*commitwriter.Writer, *httptest.ResponseRecorder) {
	t.Helper()
	m, err := core.NewManager(adaptertest.Memstore(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := new(core.Session)
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(m.Begin(s, r.Context(), core.CookiesFrom(r.Header)))
	sess, err := core.FromContext(r.Context())
	if err != nil {
		t.Fatal(err)
	}
	sess.Flash("hello", "")
	rec := httptest.NewRecorder()
	return &commitwriter.Writer{ResponseWriter: rec, M: m, S: s, R: r}, rec
}

func TestCommitsWhenTheResponseStarts(t *testing.T) {
	tests := []struct {
		name  string
		start func(w *commitwriter.Writer)
		code  int
	}{
		{"WriteHeader", func(w *commitwriter.Writer) { w.WriteHeader(http.StatusSeeOther) }, 303},
		{"Write", func(w *commitwriter.Writer) { w.Write([]byte("x")) }, 200},
		{"ReadFrom", func(w *commitwriter.Writer) { w.ReadFrom(strings.NewReader("x")) }, 200},
		{"Flush", func(w *commitwriter.Writer) { w.Flush() }, 200},
		{"nothing written", func(w *commitwriter.Writer) {}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, rec := newWriter(t)
			tt.start(w)
			if err := w.Finish(); err != nil {
				t.Fatalf("Finish = %v", err)
			}
			if rec.Code != tt.code || !strings.HasPrefix(rec.Header().Get("Set-Cookie"), "session=") {
				t.Fatalf("got %d, Set-Cookie %q; want %d with the session cookie", rec.Code, rec.Header().Get("Set-Cookie"), tt.code)
			}
		})
	}
}

func TestFinishSavesLateChanges(t *testing.T) {
	w, rec := newWriter(t)
	w.Write([]byte("body first"))
	cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]
	s, _ := core.FromContext(w.R.Context())
	s.Flash("late", "")
	if err := w.Finish(); err != nil {
		t.Fatalf("Finish = %v; want the late change saved under the same ID", err)
	}
	next := httptest.NewRequest("GET", "/", nil)
	next.Header.Set("Cookie", cookie)
	var s2 core.Session
	ctx := w.M.Begin(&s2, context.Background(), core.CookiesFrom(next.Header))
	sess, err := core.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := sess.PopFlash(""); len(got) != 2 || got[1] != "late" {
		t.Fatalf("next request's flashes = %q; want [hello late]", got)
	}
}
