package commitwriter_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/commitwriter"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// newWriter returns a Writer over a recorder for a request whose handler
// has already added a flash to its session.
func newWriter(t *testing.T) (*commitwriter.Writer, *httptest.ResponseRecorder) {
	t.Helper()
	m, err := core.NewManager(testkit.Memstore(t), nil)
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
		{"WriteString", func(w *commitwriter.Writer) { io.WriteString(w, "x") }, 200},
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

// stringWriter is a server's ResponseWriter with a WriteString that copies
// nothing, as net/http's has.
type stringWriter struct {
	h       http.Header
	code    int
	n       int // bytes written
	strings int // calls to WriteString
}

func (w *stringWriter) Header() http.Header  { return w.h }
func (w *stringWriter) WriteHeader(code int) { w.code = code }

func (w *stringWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

func (w *stringWriter) WriteString(s string) (int, error) {
	w.n += len(s)
	w.strings++
	return len(s), nil
}

// io.WriteString through the Writer commits first, as Write does, then
// reaches the server's WriteString without copying the string.
func TestWriteStringDoesNotCopy(t *testing.T) {
	w, _ := newWriter(t)
	server := &stringWriter{h: http.Header{}}
	w.ResponseWriter = server
	body := strings.Repeat("a page of some length. ", 100)
	if n, err := io.WriteString(w, body); n != len(body) || err != nil {
		t.Fatalf("io.WriteString = %d, %v; want %d, nil", n, err, len(body))
	}
	if server.code != http.StatusOK || !strings.HasPrefix(server.h.Get("Set-Cookie"), "session=") {
		t.Fatalf("after the first io.WriteString: status %d, Set-Cookie %q; want 200 with the session cookie", server.code, server.h.Get("Set-Cookie"))
	}
	if allocs := testing.AllocsPerRun(100, func() { io.WriteString(w, body) }); allocs != 0 {
		t.Errorf("io.WriteString of %d bytes through the Writer makes %v allocations; want 0", len(body), allocs)
	}
	if server.strings != 102 || server.n != 102*len(body) {
		t.Errorf("the server's WriteString wrote %d bytes in %d calls; want %d in 102", server.n, server.strings, 102*len(body))
	}
}

// Once the commit has failed, what the handler writes is discarded.
func TestWriteStringAfterFailedCommit(t *testing.T) {
	w, _ := newWriter(t)
	server := &stringWriter{h: http.Header{}}
	w.ResponseWriter = server
	w.Started, w.Err = true, errors.New("commit failed")
	if n, err := io.WriteString(w, "discarded"); n != len("discarded") || err != nil {
		t.Fatalf("io.WriteString after a failed commit = %d, %v; want %d, nil", n, err, len("discarded"))
	}
	if server.n != 0 {
		t.Errorf("the server got %d bytes after a failed commit; want none", server.n)
	}
}
