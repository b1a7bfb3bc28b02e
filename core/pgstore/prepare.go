package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// The store prepares each of its statements on a connection once, under a
// short name of its own (see newStatements), and then sends that name:
// pgx's statement cache would name it "stmtcache_" and 48 hex digits, which
// every execution sends again, and would look it up by its whole SQL each
// time. It does so only in pgx's default mode, QueryExecModeCacheStatement,
// where pgx prepares every statement on the server anyway; a pool in
// another mode, as behind a pooler that does not keep prepared statements
// (PgBouncer in transaction mode), gets the SQL as before.
//
// What the store prepared on a connection is kept with the connection
// (pgconn.PgConn.CustomData), so a new connection, after a reconnect or a
// reset of the pool, prepares anew on its first use of each statement: one
// more round trip, as pgx's cache takes. A statement that the server no
// longer has (DISCARD ALL or DEALLOCATE ALL run on the connection, by the
// application or a pooler that resets its connections), or that pgx no
// longer knows (the application called pgx.Conn.DeallocateAll), fails
// before it runs: the store then forgets its statements on that
// connection, on the server and in pgx, and runs the call again (see
// Store.run), which prepares them anew.

// preparedKey is where a connection's CustomData keeps the names of the
// statements that stores prepared on it.
const preparedKey = "pgstore.prepared"

// prepared returns what to send to run st on c: its name, once prepared
// on c, or its SQL in a mode where the store prepares nothing.
func (s *Store) prepared(ctx context.Context, c *pgx.Conn, st *statement) (string, error) {
	if !s.named {
		return st.sql, nil
	}
	names := preparedOn(c)
	if _, ok := names[st.name]; ok {
		return st.name, nil
	}
	if _, err := c.Prepare(ctx, st.name, st.sql); err != nil {
		return "", err
	}
	names[st.name] = struct{}{}
	return st.name, nil
}

// preparedOn returns the names of the statements prepared on c, which the
// caller may change.
func preparedOn(c *pgx.Conn) map[string]struct{} {
	data := c.PgConn().CustomData()
	names, ok := data[preparedKey].(map[string]struct{})
	if !ok {
		names = make(map[string]struct{})
		data[preparedKey] = names
	}
	return names
}

// unprepare ends the transaction open on c, if any, and deallocates the
// statements prepared on c, after one of them failed as stale.
func (s *Store) unprepare(ctx context.Context, c *pgx.Conn) error {
	if c.PgConn().TxStatus() != 'I' {
		if err := s.rollback(ctx, c); err != nil {
			return err
		}
	}
	names := preparedOn(c)
	for name := range names {
		if err := c.Deallocate(ctx, name); err != nil {
			return err
		}
		delete(names, name)
	}
	return nil
}

// stale reports whether err is PostgreSQL's report of a prepared statement
// that is gone (invalid_sql_statement_name), or of a statement's name sent
// as SQL (syntax_error), as pgx sends a name it no longer knows: neither
// ran.
func stale(err error) bool {
	pgErr := pgError(err)
	return pgErr != nil && (pgErr.Code == "26000" || pgErr.Code == "42601")
}
