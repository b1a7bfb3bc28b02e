package pgstore_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// openPool opens the application's pool of connections to the database
// at url, which its own queries share with the session store, with the
// budgets the store needs (see PoolConfig); the application may change
// the rest of the configuration, such as MaxConns.
func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgstore.PoolConfig(url, nil)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// A pool the application builds and shares with its own queries. The
// table is created by the application's migrations, here at start-up with
// Migrate; an application that uses a migration tool applies Schema's SQL
// with it instead.
func ExampleNew() {
	ctx := context.Background()
	pool, err := openPool(ctx, os.Getenv("DATABASE_URL"))
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
	log.Fatal(http.ListenAndServe("localhost:8080", sessionhttp.Middleware(manager, nil)(mux)))
}
