package pgstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// statements are the store's SQL, for one table: one statement per call,
// but for Update's read of the record after a conflict and UpdateLocked's
// transaction. Each runs as a transaction of its own (but in UpdateLocked),
// in PostgreSQL's default READ COMMITTED isolation. Times are parameters,
// from Options.Clock: $now is the current time.
type statements struct {
	load, create, update, renew, delete, list, end, count, cleanup statement

	// UpdateLocked's transaction (see locked.go): begin, turn and lock
	// in one round trip, then update or renew, and commit, in another.
	begin, turn, lock, commit statement

	// Sent alone, without parameters: pgx sends them as they are, in the
	// simple protocol, and prepares neither.
	ping, rollback string
}

// A statement is one of the store's statements that pgx prepares, and the
// name under which the store prepares it on a connection (see prepare.go).
type statement struct {
	sql, name string
}

// A row is live while payload IS NOT NULL AND expires > $now. An ended
// row (payload NULL) has no owner, so the rows under an owner are live
// ones, and expired ones that the cleanup has not deleted yet, which no
// statement counts.
//
// The writes that check the payload the caller loaded compare with the
// record as it is, never as it was: in READ COMMITTED an UPDATE waits for
// a concurrent write of the row to commit and then evaluates its WHERE on
// the row as that write left it, and a row lock (FOR UPDATE) does the
// same for a read, whereas a plain read sees the row as it was when the
// statement began. Renew locks the row first, in a MATERIALIZED CTE with
// FOR UPDATE, so that the payload a conflict answers with is the current
// one. Update, the commit of every request that changed its session, is
// a plain UPDATE that checks in its WHERE, the least a compare-and-swap
// costs the server (bench's BenchmarkNetHTTPPostgres, beside its floor):
// no lock of its own beyond the UPDATE's, and no row in answer. Only when
// it wrote nothing does Update read the payload, with load, one more
// round trip: a statement of its own, whose snapshot, taken once the
// UPDATE has ended, holds the write that failed its check. One statement
// that also answered a conflict (a CTE around the UPDATE, then a locking
// read of the row when it wrote nothing) cost the server a fifth more
// instructions per write, and any CTE around the UPDATE at least 7% more.
//
// A login that lists one more session for a user deletes the user's
// oldest sessions beyond the bound: the sessions it keeps are chosen from
// the statement's snapshot, without locks, and only the victims are
// locked, with SKIP LOCKED, so that two logins of one user never wait for
// each other (nor deadlock) and a session that a request is writing at the
// moment, which is about to be the most recently written, is left alone.
var statementTemplates = statements{
	// $1 key, $2 now.
	load: statement{sql: `SELECT payload FROM @t WHERE key = $1 AND expires > $2`},

	// $1 key, $2 payload, $3 expires, $4 owner ('' for none), $5 now,
	// $6 how many of the owner's other live rows to keep.
	create: statement{sql: `WITH new AS (
	INSERT INTO @t (key, payload, expires, owner, written)
	VALUES ($1, $2, $3, NULLIF($4::text, ''), $5)
	RETURNING owner
)
DELETE FROM @t WHERE key IN (
	SELECT key FROM @t WHERE key IN (
		SELECT key FROM @t
		WHERE owner = (SELECT owner FROM new) AND payload IS NOT NULL AND expires > $5
		ORDER BY written DESC, key DESC
		OFFSET $6
	)
	FOR UPDATE SKIP LOCKED
)`},

	// $1 key, $2 SHA-256 of the payload loaded (NULL: any), $3 payload,
	// $4 expires, $5 now. Writes one row, or none when the record is gone
	// or holds another payload, which load then reads.
	update: statement{sql: `UPDATE @t SET payload = $3, expires = $4, written = $5
WHERE key = $1 AND expires > $5 AND payload IS NOT NULL AND ($2::bytea IS NULL OR sha256(payload) = $2)`},

	// $1 old key, $2 SHA-256 of the payload loaded (NULL: any), $3 new
	// key, $4 payload, $5 expires, $6 now, $7 when the ended row expires
	// at the latest (now + core.GoneTTL), $8 owner ('' for none), $9 how
	// many of the owner's other live rows to keep. Answers as update.
	renew: statement{sql: `WITH cur AS MATERIALIZED (
	SELECT payload FROM @t WHERE key = $1 AND expires > $6 FOR UPDATE
), ok AS MATERIALIZED (
	SELECT 1 FROM cur WHERE payload IS NOT NULL AND ($2::bytea IS NULL OR sha256(payload) = $2)
), ended AS (
	UPDATE @t SET payload = NULL, owner = NULL, written = $6, expires = least(expires, $7)
	WHERE key = $1 AND EXISTS (SELECT FROM ok)
), new AS (
	INSERT INTO @t (key, payload, expires, owner, written)
	SELECT $3, $4, $5, NULLIF($8::text, ''), $6 WHERE EXISTS (SELECT FROM ok)
	RETURNING owner
), over AS (
	DELETE FROM @t WHERE key IN (
		SELECT key FROM @t WHERE key IN (
			SELECT key FROM @t
			WHERE owner = (SELECT owner FROM new) AND key <> $1 AND payload IS NOT NULL AND expires > $6
			ORDER BY written DESC, key DESC
			OFFSET $9
		)
		FOR UPDATE SKIP LOCKED
	)
)
SELECT (SELECT payload FROM cur) WHERE NOT EXISTS (SELECT FROM ok)`},

	// $1 key, $2 now, $3 when the ended row expires at the latest.
	delete: statement{sql: `UPDATE @t SET payload = NULL, owner = NULL, written = $2, expires = least(expires, $3)
WHERE key = $1 AND payload IS NOT NULL AND expires > $2`},

	// $1 owner, $2 now.
	list: statement{sql: `SELECT key, payload FROM @t WHERE owner = $1 AND payload IS NOT NULL AND expires > $2`},

	// $1 key, $2 owner, $3 now.
	end: statement{sql: `DELETE FROM @t WHERE key = $1 AND owner = $2 AND payload IS NOT NULL AND expires > $3`},

	// $1 now.
	count: statement{sql: `SELECT count(*) FROM @t WHERE payload IS NOT NULL AND expires > $1`},

	// $1 now, $2 batch size.
	cleanup: statement{sql: `DELETE FROM @t WHERE key IN (
	SELECT key FROM @t WHERE expires <= $1 ORDER BY expires LIMIT $2 FOR UPDATE SKIP LOCKED
)`},

	// Checks that the table and its columns are there.
	ping: `SELECT key, payload, expires, owner, written FROM @t LIMIT 0`,

	// In READ COMMITTED whatever the database's default, so that the lock
	// reads the row as the writer before left it, as update does.
	begin: statement{sql: `BEGIN ISOLATION LEVEL READ COMMITTED`},

	// $1 the record's turn key, $2 the bound on a hold, in milliseconds.
	// Waits for the record's turn: a lock of the transaction's, keyed by
	// the record, which PostgreSQL grants in the order it was asked for
	// (its lock manager queues first come, first served). The bound on a
	// hold: PostgreSQL ends a session that sits idle inside the
	// transaction longer, which ends the transaction and its locks.
	turn: statement{sql: `SELECT set_config('idle_in_transaction_session_timeout', $2, true), pg_advisory_xact_lock($1)`},

	// $1 key, $2 now. Locks the row; answers its payload, NULL if ended,
	// no row if gone.
	lock: statement{sql: `SELECT payload FROM @t WHERE key = $1 AND expires > $2 FOR UPDATE`},

	commit:   statement{sql: `COMMIT`},
	rollback: `ROLLBACK`,
}

// newStatements returns the statements for table, a quoted name, each
// named after what it does and the SHA-256 of its SQL: "pgstore_load_"
// and 8 hex digits. The digest tells apart the statements of stores on
// other tables that share a connection.
func newStatements(table string) statements {
	t := statementTemplates
	t.ping = strings.ReplaceAll(t.ping, "@t", table)
	for _, st := range []struct {
		s  *statement
		op string
	}{
		{&t.load, "load"}, {&t.create, "create"}, {&t.update, "update"}, {&t.renew, "renew"},
		{&t.delete, "delete"}, {&t.list, "list"}, {&t.end, "end"}, {&t.count, "count"},
		{&t.cleanup, "cleanup"}, {&t.begin, "begin"}, {&t.turn, "turn"}, {&t.lock, "lock"}, {&t.commit, "commit"},
	} {
		st.s.sql = strings.ReplaceAll(st.s.sql, "@t", table)
		sum := sha256.Sum256([]byte(st.s.sql))
		st.s.name = "pgstore_" + st.op + "_" + hex.EncodeToString(sum[:4])
	}
	return t
}
