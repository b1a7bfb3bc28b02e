package adaptertest

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// testNoMiddleware serves routes that ask for a session without the
// session middleware, the classic wiring mistake: every such request
// answers 500 (a programming error, not the 503 of a store outage), and
// the mistake is logged with its fix once, not once per request: through
// the Manager's Logger for SessionOf, which names a Manager, and through
// slog.Default() for Session, which has none (and logs once per process,
// so that this case may find it already logged by an earlier one).
func testNoMiddleware(t *testing.T, d Driver, store core.Store) {
	h := &records{level: slog.LevelInfo}
	m, _ := testkit.NewManager(t, store, func(o *core.Options) { o.Logger, o.ErrorHandler = slog.New(h), nil })
	def := &records{level: slog.LevelInfo}
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(def))

	c := newClient(t, serve(t, d, nil, []Route{
		{"GET", "/of", func(c Ctx) {
			if _, err := c.SessionOf(m); err != nil {
				c.Fail(err)
				return
			}
			c.Text(http.StatusOK, "a session without the middleware")
		}},
		{"GET", "/session", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, "a session without the middleware")
			}
		}},
	}))
	for range 3 {
		if r := c.get("/of"); r.status != http.StatusInternalServerError {
			t.Fatalf("GET /of without the middleware = %d %q; want 500", r.status, r.body)
		}
	}
	recs := h.take()
	if len(recs) != 1 || recs[0].Level != slog.LevelError || !namesFix(recs[0]) {
		t.Fatalf("three requests without the middleware logged %v to the Manager's Logger; want one error naming the fix", messages(recs))
	}
	for range 3 {
		if r := c.get("/session"); r.status != http.StatusInternalServerError {
			t.Fatalf("GET /session without the middleware = %d %q; want 500", r.status, r.body)
		}
	}
	recs = def.take()
	if len(recs) > 1 || len(recs) == 1 && !namesFix(recs[0]) {
		t.Fatalf("three requests without the middleware logged %v through slog.Default(); want at most one error, naming the fix", messages(recs))
	}
	if recs := h.take(); len(recs) > 0 {
		t.Fatalf("Session, which names no Manager, logged %v to a Manager's Logger", messages(recs))
	}
}

// namesFix reports whether r says the middleware is missing and to
// install it.
func namesFix(r slog.Record) bool {
	return strings.Contains(r.Message, "session middleware missing") && strings.Contains(r.Message, "install the adapter's Middleware") &&
		strings.Contains(strings.Join(recordAttrs(r), " "), core.ErrNoSession.Error())
}

func messages(recs []slog.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Level.String() + " " + r.Message
	}
	return out
}
