package core_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// TestSessionsOutsideRequest checks that a user's sessions are listed and
// ended outside any request, as an admin page, a background job or an
// operator's command does, without a word in the log: no request is
// missing its middleware.
func TestSessionsOutsideRequest(t *testing.T) {
	store, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	m, err := core.NewManager(store, &core.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	serve(m, "", func(s *core.Session) { _ = s.SetOwner("alice", core.Device{}) }, nil)
	ctx := context.Background()
	infos, err := m.Sessions(ctx, "alice")
	if err != nil || len(infos) != 1 || infos[0].Current {
		t.Fatalf("Sessions = %+v, %v; want one, not current", infos, err)
	}
	if err := m.EndAllSessions(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if log.Len() > 0 {
		t.Errorf("listing and ending sessions outside a request logged:\n%s", log.String())
	}
}
