package bench_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// BenchmarkNetHTTPPostgres measures the net/http rows that keep sessions
// in PostgreSQL, on a database of their own on a server the benchmark
// starts (pgtest): transient's pgstore on a pgx pool, and scs's
// postgresstore on database/sql through pgx's driver, each on a pool of
// one connection of its own whose round trips (queries), bytes on the wire
// and backend's CPU time are counted.
func BenchmarkNetHTTPPostgres(b *testing.B) {
	db := pgtest.Start(b)
	admin := db.Pool(b)
	ours, rt, pool := ourPostgres(b, db)
	scsStore, scsRT, scsPool := scsPostgres(b, db)
	floor, err := newPGFloor(context.Background(), pool)
	if err != nil {
		b.Fatal(err)
	}
	run(b, []row{
		// The floor on transient's pool of one connection.
		{name: "floor-postgres", h: storeFloorMux(floor), rt: rt, srv: newPGMeter(b, admin, pool), shapes: []shape{readOnly, readWrite}},
		{name: "transient-postgres", h: ourHTTP(newManager(b, ours)), rt: rt, srv: newPGMeter(b, admin, pool)},
		{name: "scs-postgres", h: scsHandler(scsStore), rt: scsRT, srv: newPGMeter(b, admin, scsPool)},
	})
}

// ourPostgres returns pgstore on db, migrated, with no background
// cleanup, its counter and its pool.
func ourPostgres(b *testing.B, db *pgtest.Server) (*pgstore.Store, *pgTrips, *pgxpool.Pool) {
	rt := &pgTrips{}
	pool := countedPool(b, db, rt)
	ctx := context.Background()
	if err := pgstore.Migrate(ctx, pool, nil); err != nil {
		b.Fatal(err)
	}
	store, err := pgstore.New(pool, &pgstore.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	return store, rt, pool
}

// scsPostgres returns scs's postgresstore on db, with the table its README
// creates, its counter and its pool.
func scsPostgres(b *testing.B, db *pgtest.Server) (*postgresstore.PostgresStore, *pgTrips, *pgxpool.Pool) {
	rt := &pgTrips{}
	pool := countedPool(b, db, rt)
	if _, err := pool.Exec(context.Background(), `
CREATE TABLE scs_sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
CREATE INDEX scs_sessions_expiry_idx ON scs_sessions (expiry);`); err != nil {
		b.Fatal(err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	b.Cleanup(func() { _ = sqlDB.Close() })
	return postgresstore.NewWithConfig(sqlDB, postgresstore.Config{TableName: "scs_sessions", CleanUpInterval: 0}), rt, pool
}

// countedPool returns a pool of one connection on db whose queries and
// wire bytes rt counts; the benchmark's first requests, before its timer,
// prepare the statements on it.
func countedPool(b *testing.B, db *pgtest.Server, rt *pgTrips) *pgxpool.Pool {
	cfg, err := pgstore.PoolConfig(db.URL(), nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.Tracer = rt
	dialer := &net.Dialer{}
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingNetConn{Conn: c, n: &rt.bytes}, nil
	}
	cfg.MinConns, cfg.MaxConns = 1, 1 // one connection: prepared once, measured after
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// pgTrips counts the round trips of a pgx pool, one per query, and the
// bytes its connections send and receive.
type pgTrips struct {
	n     atomic.Int64
	bytes atomic.Int64
}

func (c *pgTrips) trips() int64     { return c.n.Load() }
func (c *pgTrips) wireBytes() int64 { return c.bytes.Load() }

func (c *pgTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *pgTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
