package pgstore_test

import (
	"log"
	"os"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// A store with a pool of its own, which Close closes, and a table whose
// migration is applied elsewhere (see Schema).
func ExampleNewFromURL() {
	store, err := pgstore.NewFromURL("postgres://app:secret@db.example.com:5432/app", &pgstore.Options{
		Schema:          "auth",
		Table:           "web_sessions",
		CleanupInterval: -1, // a job calls store.Cleanup
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	manager, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = manager
}

// The SQL to hand to a migration tool, such as a file for goose or
// golang-migrate.
func ExampleSchema() {
	sql, err := pgstore.Schema(&pgstore.Options{Table: "web_sessions"})
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("migrations/0007_web_sessions.sql", []byte(sql), 0o644); err != nil {
		log.Fatal(err)
	}
}
