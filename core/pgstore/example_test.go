package pgstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// A pool the application builds and shares with its own queries. The
// table is created by the application's migrations, here at start-up with
// Migrate; an application that uses a migration tool applies Schema's SQL
// with it instead.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second // required: see New
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool, nil); err != nil {
		log.Fatal(err)
	}

	store, err := pgstore.New(pool, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // stops the cleanup of expired sessions
	if err := store.Ping(ctx); err != nil {
		log.Fatal(err) // PostgreSQL down, or the table missing
	}
	manager, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	log.Fatal(http.ListenAndServe(":8080", sessionhttp.Middleware(manager, nil)(mux)))
}

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
