package pgstore

import (
	"cmp"
	"context"
	_ "embed"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaSQL creates the table under its default name; its names are
// quoted, and replaced by Schema.
//
//go:embed schema.sql
var schemaSQL string

// indexSuffix is the longest suffix of an index's name.
const indexSuffix = "_expires"

// Schema returns the SQL that creates the table and indexes that opts
// name, if they do not exist (it changes nothing otherwise), for an
// application that applies its migrations with a tool of its own. For
// the default table it is the file schema.sql of this package, verbatim;
// for another, the same with the names replaced: the table opts.Table, in
// opts.Schema if set, and its indexes Table+"_expires" and Table+"_owner".
// It returns an error matching core.ErrConfig for invalid opts.
func Schema(opts *Options) (string, error) {
	o, err := resolve(opts)
	if err != nil {
		return "", err
	}
	return schemaFor(&o), nil
}

func schemaFor(o *Options) string {
	return strings.NewReplacer(
		`"sessions"`, o.table(),
		`"sessions_expires"`, pgx.Identifier{o.Table + "_expires"}.Sanitize(),
		`"sessions_owner"`, pgx.Identifier{o.Table + "_owner"}.Sanitize(),
	).Replace(schemaSQL)
}

// Migrate creates the table and indexes that opts name in the database of
// pool, if they do not exist. Once they do, it only checks, in one query,
// and takes no lock. Otherwise it runs [Schema]'s SQL in a transaction
// that holds an advisory lock, so that app servers starting at once do not
// run it together; CREATE INDEX then locks the table against writes until
// the transaction ends. It needs a role that may create tables in the
// schema; the store itself needs only SELECT, INSERT, UPDATE and DELETE on
// the table. ctx bounds it; it has no deadline of its own. It returns an
// error matching core.ErrConfig for invalid opts, and one that wraps
// PostgreSQL's if the migration fails, naming PostgreSQL's address and,
// for a database that is down, missing or refuses the role, the fix, as
// the store's calls do.
//
// New does not call it: see the package documentation's "Schema and
// migration" section.
func Migrate(ctx context.Context, pool *pgxpool.Pool, opts *Options) error {
	o, err := resolve(opts)
	if err != nil {
		return err
	}
	var done bool
	err = pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL`,
		o.table(), o.index("_expires"), o.index("_owner")).Scan(&done)
	if err != nil || done {
		return migrationError(pool, err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return migrationError(pool, err)
	}
	defer tx.Rollback(ctx) // after Commit, it does nothing
	lock := "transient/pgstore " + o.table()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", lock); err != nil {
		return migrationError(pool, err)
	}
	if _, err := tx.Exec(ctx, schemaFor(&o)); err != nil {
		return migrationError(pool, err)
	}
	return migrationError(pool, tx.Commit(ctx))
}

// migrationError returns err, an error of Migrate on pool, naming
// PostgreSQL's address and explaining it as the store's calls do, or nil.
func migrationError(pool *pgxpool.Pool, err error) error {
	if err == nil {
		return nil
	}
	return &storeError{addr: address(&pool.Config().ConnConfig.Config), msg: "migration: " + cmp.Or(explain(err), err.Error()), err: err}
}
