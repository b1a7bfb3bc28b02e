package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/redisstore"
)

const (
	// startTimeout bounds the start-up check of the Redis and PostgreSQL
	// stores (and the creation of PostgreSQL's table): a server that has
	// not answered by then stops the blog.
	startTimeout = 10 * time.Second

	// demoMaxPerOwner is how many sessions a user may have at once in the
	// server-side stores, whose default is 50: past it, a login ends the
	// user's least recently active session. Everyone who tries the blog
	// logs in as alice or bob (and bench/blog's load tests log in 200
	// visitors at once), so the demo accounts get more. A real
	// application keeps the default.
	demoMaxPerOwner = 1000
)

// newStore returns the session store cfg names, and a function that closes
// it at shutdown. With Redis and PostgreSQL it checks that the server
// answers (and creates PostgreSQL's table), so that a wrong address or a
// server that is down stops the blog at start-up, with a message that says
// so, rather than turning its first pages into 503s.
func newStore(cfg config) (core.Store, func(), error) {
	switch cfg.store {
	case "cookie":
		st, err := cookiestore.New(&cookiestore.Options{Secrets: cfg.secrets()})
		if err != nil {
			return nil, nil, err
		}
		return st, func() {}, nil
	case "memory":
		st, err := memstore.New(&memstore.Options{MaxPerOwner: demoMaxPerOwner, Observer: cfg.observer})
		if err != nil {
			return nil, nil, err
		}
		return st, func() {}, nil
	case "redis":
		return newRedisStore(cfg.redisURL, cfg.observer)
	case "postgres":
		return newPostgresStore(cfg.postgresURL, cfg.observer)
	}
	return nil, nil, fmt.Errorf("unknown store %q", cfg.store)
}

// newRedisStore returns the store of -store redis, with a client of its own
// for the server at rawURL, once the server has answered.
func newRedisStore(rawURL string, obs *core.Observer) (core.Store, func(), error) {
	st, err := redisstore.NewFromURL(rawURL, &redisstore.Options{MaxPerOwner: demoMaxPerOwner, Observer: obs})
	if err != nil {
		return nil, nil, fmt.Errorf("-redis %s: %w", redact(rawURL), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("-store redis: Redis at %s does not answer (is it running? -redis gives its URL): %w", redact(rawURL), err)
	}
	return st, func() { st.Close() }, nil
}

// newPostgresStore returns the store of -store postgres, on a pool of
// connections to the database at rawURL, once the store's table is there.
// The blog builds the pool, as an application that runs queries of its own
// on it does, and closes it after the store.
func newPostgresStore(rawURL string, obs *core.Observer) (core.Store, func(), error) {
	// The pool has the budgets the store needs (pgstore.PoolConfig): each
	// attempt to connect, without which an attempt to reach a server that
	// does not answer holds a place in the pool for two minutes, and the
	// ping pgxpool sends on a connection idle for more than a second.
	opts := &pgstore.Options{MaxPerOwner: demoMaxPerOwner, Observer: obs}
	cfg, err := pgstore.PoolConfig(rawURL, opts) // config.check has parsed the URL once
	if err != nil {
		return nil, nil, fmt.Errorf("-postgres %s: %w", redact(rawURL), err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects on first use
	if err != nil {
		return nil, nil, fmt.Errorf("-postgres %s: %w", redact(rawURL), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	// Migrate creates the sessions table and its indexes if they are
	// missing, and otherwise only checks that they are there. The blog
	// runs it at every start, to be ready to try. A real application
	// would rather apply pgstore.Schema's SQL with its migration tool:
	// the role it serves requests as then needs no right to create
	// tables, and the change is in the schema's history with the others,
	// applied once, at a time of its choosing (creating an index locks
	// the table against writes). It is the blog's first call to
	// PostgreSQL: its error names the server and says what is wrong (down,
	// hung, no such database, a password or role refused) and the fix.
	if err := pgstore.Migrate(ctx, pool, opts); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("-store postgres (-postgres gives the URL): %w", err)
	}
	st, err := pgstore.New(pool, opts)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	// Ping checks the table, and the role's rights on it.
	if err := st.Ping(ctx); err != nil {
		st.Close()
		pool.Close()
		return nil, nil, fmt.Errorf("-store postgres: %s: %w", redact(rawURL), err)
	}
	return st, func() {
		st.Close() // stops the cleanup of expired sessions; leaves the pool open
		pool.Close()
	}, nil
}

// redact returns rawURL with its password, if any, replaced by "xxxxx",
// for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return "(the URL given)" // a keyword/value string may hold a password too
	}
	return u.Redacted()
}
