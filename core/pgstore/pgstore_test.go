package pgstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/storetest"
)

func TestConformance(t *testing.T) {
	_, pool := migrated(t, nil)
	c := newClock()
	storetest.Run(t, newStore(t, pool, &pgstore.Options{Clock: c.Now}), &storetest.Options{Advance: c.Advance, MaxPerOwner: pgstore.DefaultMaxPerOwner})
}

// TestConformanceSimpleProtocol runs the suite on a pool that uses
// PostgreSQL's simple protocol, as behind a connection pooler that does
// not keep prepared statements.
func TestConformanceSimpleProtocol(t *testing.T) {
	db, _ := migrated(t, nil)
	pool := newPool(t, db, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	})
	c := newClock()
	storetest.Run(t, newStore(t, pool, &pgstore.Options{Clock: c.Now}), &storetest.Options{Advance: c.Advance, MaxPerOwner: pgstore.DefaultMaxPerOwner})
}

// TestConformanceFromURL runs the suite on a store with a pool of its own,
// on the wall clock, in a table of another name and schema.
func TestConformanceFromURL(t *testing.T) {
	opts := &pgstore.Options{Schema: "auth", Table: "Web Sessions"}
	db := pgtest.Start(t)
	pool := db.Pool(t)
	if _, err := pool.Exec(ctx, `CREATE SCHEMA auth`); err != nil {
		t.Fatal(err)
	}
	if err := pgstore.Migrate(ctx, pool, opts); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	s, err := pgstore.NewFromURL(db.URL(), opts)
	if err != nil {
		t.Fatalf("NewFromURL = %v", err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping = %v", err)
	}
	storetest.Run(t, s, nil)
}

func TestConfigErrors(t *testing.T) {
	db := pgtest.Start(t)
	pool := db.Pool(t)
	noTimeout := newPool(t, db, func(cfg *pgxpool.Config) { cfg.ConnConfig.ConnectTimeout = 0 })
	tests := []struct {
		name string
		pool *pgxpool.Pool
		opts *pgstore.Options
		want string // in the error; "" for no error
	}{
		{"nil pool", nil, nil, "nil"},
		{"no ConnectTimeout", noTimeout, nil, "ConnectTimeout"},
		{"negative MaxPerOwner", pool, &pgstore.Options{MaxPerOwner: -1}, "negative"},
		{"negative CleanupBatch", pool, &pgstore.Options{CleanupBatch: -1}, "negative"},
		{"negative Timeout", pool, &pgstore.Options{Timeout: -time.Second}, "negative"},
		{"negative QueryTimeout", pool, &pgstore.Options{QueryTimeout: -time.Second}, "negative"},
		{"long table", pool, &pgstore.Options{Table: strings.Repeat("t", 56)}, "longer"},
		{"long schema", pool, &pgstore.Options{Schema: strings.Repeat("s", 64)}, "longer"},
		{"NUL", pool, &pgstore.Options{Table: "a\x00b"}, "NUL"},
		{"good", pool, nil, ""},
		{"good, longest table", pool, &pgstore.Options{Table: strings.Repeat("t", 55), CleanupInterval: -1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := pgstore.New(tt.pool, tt.opts)
			if tt.want == "" {
				if err != nil || s == nil {
					t.Fatalf("New = %v, %v; want a Store", s, err)
				}
				_ = s.Close()
				return
			}
			if !errors.Is(err, core.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v; want an error matching core.ErrConfig that mentions %q", err, tt.want)
			}
			if tt.opts != nil {
				if _, err := pgstore.Schema(tt.opts); !errors.Is(err, core.ErrConfig) {
					t.Fatalf("Schema = %v; want an error matching core.ErrConfig", err)
				}
			}
		})
	}
	for _, url := range []string{"postgres://127.0.0.1:notaport/db", "postgres://[::1/db", "mysql://127.0.0.1/db", "postgres://h/db?pool_max_conns=0"} {
		if s, err := pgstore.NewFromURL(url, nil); !errors.Is(err, core.ErrConfig) {
			if s != nil {
				_ = s.Close()
			}
			t.Errorf("NewFromURL(%q) = %v; want an error matching core.ErrConfig", url, err)
		}
	}
	if _, err := pgstore.NewFromURL(db.URL(), &pgstore.Options{Timeout: -1}); !errors.Is(err, core.ErrConfig) {
		t.Errorf("NewFromURL with a negative Timeout = %v; want an error matching core.ErrConfig", err)
	}
	if _, err := pgstore.PoolConfig("postgres://127.0.0.1:notaport/db", nil); !errors.Is(err, core.ErrConfig) {
		t.Errorf("PoolConfig of a bad URL = %v; want an error matching core.ErrConfig", err)
	}
}

func TestClose(t *testing.T) {
	db, pool := migrated(t, nil)
	s, err := pgstore.New(pool, nil) // with its cleanup goroutine
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close = %v", err)
		}
	}
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("Ping after Close of a Store made by New = %v; want the application's pool left open", err)
	}
	owned, err := pgstore.NewFromURL(db.URL(), nil)
	if err != nil {
		t.Fatalf("NewFromURL = %v", err)
	}
	if _, err := owned.Create(ctx, record(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := owned.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, _, err := owned.Load(ctx, core.NewID()); err == nil || errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Load after Close = %v; want an error other than core.ErrNotFound", err)
	}
}

func TestPing(t *testing.T) {
	db := pgtest.Start(t)
	pool := db.Pool(t)
	s := newStore(t, pool, nil)
	err := s.Ping(ctx)
	if !errors.Is(err, core.ErrStore) || !strings.Contains(err.Error(), "Migrate") {
		t.Fatalf("Ping before the migration = %v; want an error matching core.ErrStore that mentions Migrate", err)
	}
	if err := pgstore.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after the migration = %v", err)
	}
	down, err := pgstore.NewFromURL(pgtest.UnreachableURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if err := down.Ping(ctx); !errors.Is(err, core.ErrStore) {
		t.Fatalf("Ping of a PostgreSQL that is down = %v; want an error matching core.ErrStore", err)
	}
}

// TestRoundTrips counts the round trips each call makes to PostgreSQL, on
// a connection that has prepared the store's statements.
func TestRoundTrips(t *testing.T) {
	db, _ := migrated(t, nil)
	rt := &counter{}
	pool := newPool(t, db, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = rt
		cfg.MaxConns = 1 // one connection, whose statements are prepared once
	})
	s := newStore(t, pool, &pgstore.Options{MaxPerOwner: 2, CleanupBatch: 10})
	run := func(t *testing.T, check bool) {
		var tok, other string
		ops := []struct {
			name string
			want int64
			op   func() error
		}{
			{"Create", 1, func() (err error) { tok, err = s.Create(ctx, owned(`{}`, "alice")); return }},
			{"Create(an owner's second)", 1, func() (err error) { _, err = s.Create(ctx, owned(`{}`, "carol")); return }},
			{"Create(past MaxPerOwner)", 1, func() (err error) { other, err = s.Create(ctx, owned(`{}`, "carol")); return }},
			{"Load", 1, func() error { _, _, err := s.Load(ctx, tok); return err }},
			{"Load(malformed)", 0, func() error { _, _, err := s.Load(ctx, "x"); return ignore(err, core.ErrNotFound) }},
			{"Load(unknown)", 1, func() error { _, _, err := s.Load(ctx, core.NewID()); return ignore(err, core.ErrNotFound) }},
			{"Update", 1, func() error { _, err := s.Update(ctx, tok, []byte(`{}`), record(`{"a":1}`)); return err }},
			{"Update(conflict)", 2, func() error { // the UPDATE, then the read of the record
				_, err := s.Update(ctx, tok, []byte(`{}`), record(`{"a":2}`))
				return ignore(err, core.ErrConflict)
			}},
			{"Update(unknown)", 2, func() error {
				_, err := s.Update(ctx, core.NewID(), []byte(`{}`), record(`{}`))
				return ignore(err, core.ErrNotFound)
			}},
			{"Renew", 1, func() (err error) { tok, err = s.Renew(ctx, tok, []byte(`{"a":1}`), owned(`{"b":1}`, "bob")); return }},
			{"Renew(conflict)", 1, func() error {
				_, err := s.Renew(ctx, tok, []byte(`{}`), record(`{}`))
				return ignore(err, core.ErrConflict)
			}},
			{"UpdateLocked", 2, func() error {
				_, err := s.UpdateLocked(ctx, tok, false, func([]byte) (core.Record, error) { return record(`{"b":2}`), nil })
				return err
			}},
			{"UpdateLocked(renew)", 2, func() (err error) {
				tok, err = s.UpdateLocked(ctx, tok, true, func([]byte) (core.Record, error) { return owned(`{"b":3}`, "bob"), nil })
				return err
			}},
			{"UpdateLocked(change fails)", 2, func() error {
				_, err := s.UpdateLocked(ctx, tok, false, func([]byte) (core.Record, error) { return core.Record{}, core.ErrInvalidValue })
				return ignore(err, core.ErrInvalidValue)
			}},
			{"UpdateLocked(unknown)", 2, func() error {
				_, err := s.UpdateLocked(ctx, core.NewID(), false, func([]byte) (core.Record, error) { return record(`{}`), nil })
				return ignore(err, core.ErrNotFound)
			}},
			{"List", 1, func() error { _, err := s.List(ctx, "alice"); return err }},
			{"End", 1, func() error { return s.End(ctx, "carol", core.HandleOf(other)) }},
			{"End(malformed handle)", 0, func() error { return ignore(s.End(ctx, "alice", "x"), core.ErrNotFound) }},
			{"Delete", 1, func() error { return s.Delete(ctx, tok) }},
			{"Cleanup(one batch)", 1, func() error { _, err := s.Cleanup(ctx); return err }},
		}
		for _, o := range ops {
			before := rt.roundTrips()
			if err := o.op(); err != nil {
				t.Fatalf("%s = %v", o.name, err)
			}
			if got := rt.roundTrips() - before; check && got != o.want {
				t.Errorf("%s took %d round trips; want %d", o.name, got, o.want)
			}
		}
	}
	connects := rt.connects.Load()
	run(t, false) // prepares each statement on the connection
	run(t, true)
	if n := rt.connects.Load() - connects; n != 1 {
		t.Errorf("%d connections made; want 1", n)
	}
}

// ignore returns nil for an error matching target.
func ignore(err, target error) error {
	if errors.Is(err, target) {
		return nil
	}
	return err
}

// TestUnknownTokensCreateNothing floods Load, Update, Renew and Delete
// with unknown and malformed tokens.
func TestUnknownTokensCreateNothing(t *testing.T) {
	db, _ := migrated(t, nil)
	rt := &counter{}
	pool := newPool(t, db, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = rt })
	s := newStore(t, pool, nil)
	create(t, s, record(`{}`))
	for i := range 400 {
		tok := core.NewID()
		if i%4 == 0 {
			tok = strings.Repeat("A", i+1)
		}
		if i%10 == 0 {
			storetest.CheckUnknown(t, s, tok)
		} else {
			wantNotFound(t, s, tok)
		}
	}
	if n := countRows(t, pool); n != 1 {
		t.Fatalf("%d rows after 400 unknown tokens; want 1", n)
	}
	before := rt.roundTrips()
	for _, tok := range []string{"", "x", strings.Repeat("A", 42), strings.Repeat("A", 44), core.NewID()[:42] + "!", strings.Repeat("A", 42) + "B"} {
		storetest.CheckUnknown(t, s, tok)
	}
	if n := rt.roundTrips() - before; n != 0 {
		t.Fatalf("malformed tokens took %d round trips; want 0", n)
	}
}

// TestConflictIsCurrent holds a write of a record open in a transaction of
// its own while Update and Renew wait for the row: when the transaction
// commits, they compare with what it wrote, and a conflict answers with
// that, not with the record as it was when they started.
func TestConflictIsCurrent(t *testing.T) {
	db, pool := migrated(t, nil)
	s := newStore(t, pool, &pgstore.Options{QueryTimeout: time.Minute})
	for _, tt := range []struct {
		name  string
		write func(tok string) (string, error)
	}{
		{"Update", func(tok string) (string, error) { return s.Update(ctx, tok, []byte(`v1`), record(`v3`)) }},
		{"Renew", func(tok string) (string, error) { return s.Renew(ctx, tok, []byte(`v1`), record(`v3`)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := create(t, s, record(`v1`))
			other, err := pgx.Connect(ctx, db.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close(ctx)
			tx, err := other.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			sum := sha256.Sum256([]byte(tok))
			if _, err := tx.Exec(ctx, `UPDATE sessions SET payload = 'v2' WHERE key = $1`, sum[:]); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := tt.write(tok); done <- err }()
			poll(t, "the write to wait for the row lock", func() bool {
				var waiting bool
				err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database())`).Scan(&waiting)
				return err == nil && waiting
			})
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			err = <-done
			var ce *core.ConflictError
			if !errors.As(err, &ce) || !bytes.Equal(ce.Current, []byte(`v2`)) {
				t.Fatalf("%s after a concurrent write of v2 = %v; want a conflict with Current v2", tt.name, err)
			}
			got, _, err := s.Load(ctx, tok)
			if err != nil || string(got) != "v2" {
				t.Fatalf("Load = %q, %v; want v2", got, err)
			}
		})
	}
}

// TestRows checks what the table holds: the hash of the token, never the
// token; the marker of an ended record; expiry times by the store's clock.
func TestRows(t *testing.T) {
	_, pool := migrated(t, nil)
	c := newClock()
	s := newStore(t, pool, &pgstore.Options{Clock: c.Now})
	tok := create(t, s, core.Record{Payload: []byte(`{"x":1}`), TTL: 90 * time.Second, Owner: "alice"})
	var k []byte
	var payload []byte
	var expires time.Time
	var owner *string
	row := func(k []byte) pgx.Row {
		return pool.QueryRow(ctx, `SELECT key, payload, expires, owner FROM sessions WHERE key = $1`, k)
	}
	sum := sha256.Sum256([]byte(tok))
	if err := row(sum[:]).Scan(&k, &payload, &expires, &owner); err != nil {
		t.Fatalf("the row of the new record: %v", err)
	}
	if string(payload) != `{"x":1}` || !expires.Equal(c.Now().Add(90*time.Second)) || owner == nil || *owner != "alice" {
		t.Fatalf("row = %q, %v, %v; want the payload, the clock's now+90s, alice", payload, expires, owner)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE key = $1 OR position($1 in payload) > 0`, []byte(tok)).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows holding the token = %d, %v; want 0", n, err)
	}
	c.Advance(time.Second)
	if _, err := s.Renew(ctx, tok, []byte(`{"x":1}`), record(`{"x":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := row(sum[:]).Scan(&k, &payload, &expires, &owner); err != nil {
		t.Fatalf("the row of the renewed record: %v", err)
	}
	if payload != nil || owner != nil || !expires.Equal(c.Now().Add(core.GoneTTL)) {
		t.Fatalf("renewed row = %q, %v, %v; want the marker: no payload, no owner, expiring core.GoneTTL from now", payload, expires, owner)
	}
}

func TestSchema(t *testing.T) {
	got, err := pgstore.Schema(nil)
	if err != nil || got != pgstore.SchemaSQL {
		t.Fatalf("Schema(nil) = %q, %v; want schema.sql", got, err)
	}
	got, err = pgstore.Schema(&pgstore.Options{Schema: "auth", Table: `My "Sessions"`})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"auth"."My ""Sessions"""`, `"My ""Sessions""_expires"`, `"My ""Sessions""_owner"`} {
		if !strings.Contains(got, want) {
			t.Errorf("Schema for another table has no %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"sessions`) {
		t.Errorf("Schema for another table still names the default one:\n%s", got)
	}

	// app servers that start at once migrate together.
	db := pgtest.Start(t)
	pool := db.Pool(t)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() { errs <- pgstore.Migrate(ctx, pool, nil) }()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Migrate = %v", err)
		}
	}
	if err := pgstore.Migrate(ctx, pool, nil); err != nil {
		t.Fatalf("Migrate again = %v", err)
	}
	wantIndexes := func() {
		t.Helper()
		var indexes int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE tablename = 'sessions'`).Scan(&indexes); err != nil || indexes != 3 {
			t.Fatalf("indexes on the table = %d, %v; want 3 (the key, expires, owner)", indexes, err)
		}
	}
	wantIndexes()

	// Once the table is there, Migrate takes no lock: a write in progress
	// does not hold it up, and it holds up no write.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO sessions VALUES (sha256('x'), 'p', now(), NULL, now())`); err != nil {
		t.Fatal(err)
	}
	bounded, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pgstore.Migrate(bounded, pool, nil); err != nil {
		t.Fatalf("Migrate while a write is in progress = %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	// A missing index is created again.
	if _, err := pool.Exec(ctx, `DROP INDEX sessions_owner`); err != nil {
		t.Fatal(err)
	}
	if err := pgstore.Migrate(ctx, pool, nil); err != nil {
		t.Fatalf("Migrate with an index missing = %v", err)
	}
	wantIndexes()
}
