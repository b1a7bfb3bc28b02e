package memstore_test

import (
	"log"
	"log/slog"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// A memory store for one app server, bounded to 20,000 sessions: past
// that it evicts expired sessions, then anonymous ones, then the markers
// of ended sessions, and logged-in users' sessions last, and says so
// through the logger.
func ExampleNew() {
	store, err := memstore.New(&memstore.Options{
		MaxSessions: 20_000,
		Logger:      slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = m
}
