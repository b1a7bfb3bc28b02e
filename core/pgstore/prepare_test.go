package pgstore_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// session runs each of the store's calls, as a session's life and a
// user's listing of sessions take them, and fails t on an error.
func session(t *testing.T, s *pgstore.Store) {
	t.Helper()
	tok := create(t, s, owned(`{"a":1}`, "alice"))
	steps := []struct {
		name string
		call func() error
	}{
		{"Load", func() error { _, _, err := s.Load(ctx, tok); return err }},
		{"Update", func() (err error) { tok, err = s.Update(ctx, tok, []byte(`{"a":1}`), record(`{"a":2}`)); return }},
		{"Update(conflict)", func() error {
			_, err := s.Update(ctx, tok, []byte(`{"a":1}`), record(`{"a":3}`))
			return ignore(err, core.ErrConflict)
		}},
		{"Renew", func() (err error) { tok, err = s.Renew(ctx, tok, []byte(`{"a":2}`), owned(`{"a":4}`, "alice")); return }},
		{"UpdateLocked", func() (err error) {
			tok, err = s.UpdateLocked(ctx, tok, true, func([]byte) (core.Record, error) { return owned(`{"a":5}`, "alice"), nil })
			return err
		}},
		{"List", func() error { _, err := s.List(ctx, "alice"); return err }},
		{"Count", func() error { _, err := s.Count(ctx); return err }},
		{"Cleanup", func() error { _, err := s.Cleanup(ctx); return err }},
		{"End", func() error { return s.End(ctx, "alice", core.HandleOf(create(t, s, owned(`{}`, "alice")))) }},
		{"Delete", func() error { return s.Delete(ctx, tok) }},
	}
	for _, st := range steps {
		if err := st.call(); err != nil {
			t.Fatalf("%s = %v", st.name, err)
		}
	}
}

// preparedNames returns the names of the statements prepared on the one
// connection of pool, which holds a connection at most.
func preparedNames(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT name FROM pg_prepared_statements ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestPreparedStatements checks that, on a pool in pgx's default mode,
// the store prepares its statements on a connection under names of its
// own, "pgstore_" and what the statement does, and on a pool in any other
// mode prepares none.
func TestPreparedStatements(t *testing.T) {
	db, _ := migrated(t, nil)
	for _, mode := range []pgx.QueryExecMode{
		pgx.QueryExecModeCacheStatement,
		pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec,
		pgx.QueryExecModeExec,
		pgx.QueryExecModeSimpleProtocol,
	} {
		t.Run(mode.String(), func(t *testing.T) {
			pool := newPool(t, db, func(cfg *pgxpool.Config) {
				cfg.ConnConfig.DefaultQueryExecMode = mode
				cfg.MaxConns = 1
			})
			session(t, newStore(t, pool, nil))
			var ours int
			for _, name := range preparedNames(t, pool) {
				if strings.HasPrefix(name, "pgstore_") {
					ours++
				}
			}
			want := 0
			if mode == pgx.QueryExecModeCacheStatement {
				want = 13 // every statement but ROLLBACK and Ping's
			}
			if ours != want {
				t.Errorf("%d statements named pgstore_ prepared (%q); want %d", ours, preparedNames(t, pool), want)
			}
		})
	}
}

// TestPreparedStatementsForgotten runs the store's calls on a connection
// that forgets its prepared statements each time it goes back to the pool,
// as a pool that resets its connections would: on the server (DISCARD
// ALL, DEALLOCATE ALL), or in pgx too (pgx.Conn.DeallocateAll). Every call
// succeeds, on the same connection.
func TestPreparedStatementsForgotten(t *testing.T) {
	db, _ := migrated(t, nil)
	for _, tt := range []struct {
		name   string
		forget func(c *pgx.Conn) error
	}{
		{"DISCARD ALL", func(c *pgx.Conn) error { _, err := c.Exec(ctx, `DISCARD ALL`); return err }},
		{"DEALLOCATE ALL", func(c *pgx.Conn) error { _, err := c.Exec(ctx, `DEALLOCATE ALL`); return err }},
		{"pgx's DeallocateAll", func(c *pgx.Conn) error { return c.DeallocateAll(ctx) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var forgotten, failed atomic.Int64
			rt := &counter{}
			pool := newPool(t, db, func(cfg *pgxpool.Config) {
				cfg.ConnConfig.Tracer = rt
				cfg.MaxConns = 1
				cfg.AfterRelease = func(c *pgx.Conn) bool {
					if err := tt.forget(c); err != nil {
						failed.Add(1)
						return false
					}
					forgotten.Add(1)
					return true
				}
			})
			s := newStore(t, pool, &pgstore.Options{QueryTimeout: time.Minute})
			for range 3 {
				session(t, s)
			}
			if failed.Load() != 0 || forgotten.Load() == 0 {
				t.Fatalf("the connection forgot its statements %d times, and failed to %d times; want more than 0, and 0", forgotten.Load(), failed.Load())
			}
			if n := rt.connects.Load(); n != 1 {
				t.Errorf("%d connections made; want 1", n)
			}
		})
	}
}

// TestPreparedStatementsOfTwoTables has two stores, on tables of their
// own, share a connection: each prepares its own statements, and writes
// to its own table.
func TestPreparedStatementsOfTwoTables(t *testing.T) {
	db, _ := migrated(t, nil)
	pool := newPool(t, db, func(cfg *pgxpool.Config) { cfg.MaxConns = 1 })
	other := &pgstore.Options{Table: "other_sessions"}
	if err := pgstore.Migrate(ctx, pool, other); err != nil {
		t.Fatal(err)
	}
	a, b := newStore(t, pool, nil), newStore(t, pool, other)
	tokA, tokB := create(t, a, record(`a`)), create(t, b, record(`b`))
	for range 2 {
		if got, _, err := a.Load(ctx, tokA); err != nil || string(got) != "a" {
			t.Fatalf("Load from the first store = %q, %v; want a", got, err)
		}
		if got, _, err := b.Load(ctx, tokB); err != nil || string(got) != "b" {
			t.Fatalf("Load from the second store = %q, %v; want b", got, err)
		}
		wantNotFound(t, a, tokB)
		wantNotFound(t, b, tokA)
	}
}
