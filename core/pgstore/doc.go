// Package pgstore keeps sessions in a PostgreSQL table, through a pgx v5
// pool. Sessions survive restarts of the application, are shared by every
// app server that uses the same database, and are revocable: a logout ends
// the record, and a copy of the cookie is worthless from then on. The store
// also lists each user's sessions ([core.Index]), so that a user can see
// and end them.
//
//	cfg, err := pgstore.PoolConfig(url, nil) // the budgets the store needs
//	pool, err := pgxpool.NewWithConfig(ctx, cfg)
//	err = pgstore.Migrate(ctx, pool, nil) // or apply pgstore.Schema with your migration tool
//	store, err := pgstore.New(pool, nil)
//	defer store.Close()
//	err = store.Ping(ctx)
//	manager, err := core.NewManager(store, nil)
//
// or let the store build and own the pool:
//
//	store, err := pgstore.NewFromURL("postgres://app:secret@db:5432/app", nil)
//	defer store.Close()
//
// # Design
//
// The cookie carries only the session ID, a [core.NewID]: 256 random bits.
// Its row is keyed by the SHA-256 of the ID, so a leaked dump or a query
// log holds no usable session: the ID cannot be recovered from its hash.
// The hash's hex is the session's handle ([core.HandleOf]), the name under
// which a user's sessions are listed. The row holds the session's JSON
// payload, as the core encodes it, its expiry time, its owner, and when it
// was last written; nothing else.
//
// Ending a session (Renew, Delete) sets its payload to NULL and keeps the
// row for [core.GoneTTL] (or what was left of its life, if shorter), which
// Load reports as [core.ErrGone]: a request that was sent with the old
// cookie before the browser got the new one then sets no cookie and saves
// nothing, instead of replacing the visitor's new login or logout.
//
// # Schema and migration
//
// The table (file schema.sql, returned by [Schema]):
//
//	CREATE TABLE IF NOT EXISTS "sessions" (
//		key     bytea       PRIMARY KEY CHECK (octet_length(key) = 32),
//		payload bytea,       -- NULL: ended
//		expires timestamptz NOT NULL,
//		owner   text,        -- NULL: anonymous, or ended
//		written timestamptz NOT NULL
//	);
//	CREATE INDEX IF NOT EXISTS "sessions_expires" ON "sessions" (expires);
//	CREATE INDEX IF NOT EXISTS "sessions_owner" ON "sessions" (owner, written) WHERE owner IS NOT NULL;
//
// Options.Table and Options.Schema name another table; the indexes are
// named after it.
//
// The application creates the table; New does not. [Migrate] runs the SQL
// on a pool, under an advisory lock, and once the table and its indexes
// are there only checks that they are, without a lock, so an application
// may call it at every start; [Schema] returns the SQL for a migration
// tool (goose, golang-migrate, Atlas, a DBA's script). New leaves it to the
// application because:
//
//   - the role an application runs as often may not create tables, and
//     should not need to: the store needs only SELECT, INSERT, UPDATE and
//     DELETE on its table, and a store that migrated itself would need
//     more, or fail to start;
//   - an application with a migration tool wants every change of its
//     schema in that tool's history, reviewed and applied once, not made
//     by a library as a side effect of starting;
//   - creating the indexes locks the table against writes while it runs,
//     which is the application's to schedule.
//
// [Store.Ping] reports a missing table, at start-up. PostgreSQL 12 or later
// is required.
//
// # Round trips
//
// A request that never touches its session costs no round trip: the core
// loads it on first use. Reading costs one (Load is one SELECT). Writing
// costs at most one more, and only if the session changed or is due for a
// re-issue (core.Options.ReissueTime): Create, Update, Renew and Delete
// are one statement each, with common table expressions where a write does
// several things (Renew ends the old row and inserts the new one; Create
// and Renew also trim the owner's sessions, below). So: 0, 1, at most 2.
// A request whose commit meets another request's change costs one more
// round trip for Update to read the record as it is now (Renew answers
// with it in its own), one more per retry, and two for a commit under
// UpdateLocked (below).
// List and End are one statement each.
//
// pgx adds its own, once in a while: a new connection pays its handshake,
// and the store prepares each of its statements on a connection at its
// first use there (one more round trip per statement, once per
// connection); and pgxpool pings a connection that was idle for more than
// a second before handing it out. The store names its statements itself,
// "pgstore_load_" and 8 hex digits, where pgx's statement cache would send
// a name of 58 bytes with every statement; it does so in pgx's default
// mode (QueryExecModeCacheStatement), and prepares nothing on a pool in
// another mode, such as the simple protocol behind PgBouncer in
// transaction mode. A connection that forgets its prepared statements
// (DISCARD ALL or DEALLOCATE ALL, from a pool that resets its connections)
// costs the next call on it a few round trips, to prepare them anew, and
// fails no call.
//
// # Compare-and-swap
//
// Update and Renew write only if the record still holds the payload the
// request loaded, compared by SHA-256 (so the payload is not sent back),
// and otherwise answer with the record as it is now, for the core to
// apply the request's changes to and try again.
//
// Update, which ends every request that changed its session, is one plain
// UPDATE whose WHERE compares: the least a compare-and-swap costs the
// server, with no row in answer. Only when it wrote nothing does Update
// read the record, with a SELECT of its own: one more round trip, on a
// commit that met a conflict (or a record gone meanwhile). That answer is
// current. In PostgreSQL's default READ COMMITTED isolation an UPDATE
// that meets a concurrent write of the row waits for it to commit, then
// compares with the row as that write left it; the SELECT that follows
// sees every write committed before it began, the one the comparison
// failed on too. Within the UPDATE's own statement a read would see the
// row as it was when the statement began, and would need a lock (SELECT
// ... FOR UPDATE) to see that write: one statement that answered a
// conflict too, a common table expression around the UPDATE, cost the
// server a fifth more instructions per write.
//
// Renew, which ends the old row and inserts the new one, does it all in
// one statement: a common table expression locks the row (SELECT ... FOR
// UPDATE), compares, writes if the payloads match, and otherwise answers
// with the row's payload in the same round trip. A transaction with
// SELECT ... FOR UPDATE, then the writes, would do the same in two round
// trips at best (four as pgx runs a transaction), holding the row locked
// while the answers travel to the app server and back: the lock here
// lasts one statement on the server.
//
// Every statement runs as a transaction of its own. A database whose
// default isolation is stricter reports concurrent writes of a row as
// serialization failures; the store runs such a statement again, up to
// three times.
//
// # Many writers of one session
//
// Compare-and-swap is fast while it succeeds, and can starve when it does
// not: a session that many requests keep changing (the tabs of a busy
// single-page app, or a thief with a copy of the cookie who keeps it
// changing so that the user's logout elsewhere or privilege drop never
// lands) can make one request's writes conflict again and again. Once a
// commit has met a conflict or two, the core takes the path that cannot
// starve, [Store.UpdateLocked] ([core.LockingStore]): one transaction,
// in two round trips, that waits for the record's turn and locks the row,
// hands the record to the core to apply the request's changes to, then
// writes and commits. Turns come in the order they were asked for (a lock
// of the transaction's keyed by the record, which PostgreSQL's lock
// manager grants first come, first served), so a writer waits only for
// those ahead of it, each for one hold: the two round trips. Under 32
// writers of one session on the default pool of four connections, a write
// took 10ms at the median and 17ms at the 99th percentile on a loopback
// (TestUpdateLockedContention).
//
// A hold is bounded. PostgreSQL ends the transaction of a holder that
// sends nothing for half the answer budget (500ms by default) after its
// last answer (idle_in_transaction_session_timeout, set for that
// transaction alone): an app server that hangs, or whose network goes
// silent, while it holds a session holds it that long at most, and what
// it sends later is refused (it takes a new turn when it runs again). An
// app server that dies lets go at once: its connection closes and
// PostgreSQL rolls the transaction back. Update, Renew and Delete of a
// session held wait for the hold to end (they take no turn: they are one
// statement, and the core falls back to UpdateLocked when they conflict);
// a Delete then ends the record as the holder left it.
//
// # Concurrent requests of one user
//
// A browser sends several requests with one session at once: tabs,
// fetches, prefetches, a slow upload while the user logs in elsewhere.
// Each commit applies what its request did (the keys it set or deleted,
// the messages it flashed or popped, a renewal, a logout) to the record as
// it is at commit time, so:
//
//   - a key one request did not touch keeps what another request wrote, and
//     a privilege that one request dropped is not brought back by another
//     that loaded the session before;
//   - a flash message added meanwhile stays for the next page, and one that
//     a request popped and showed is not shown again;
//   - a session ended by a logout, a renewal or [core.Manager.EndSession]
//     stays ended: a request that loaded it earlier, or that arrives with
//     the old cookie, saves nothing and sends no Set-Cookie, so the cookie
//     the logout or login just set stays in the browser;
//   - a renewal ends the old row and creates the new one in one statement:
//     both happen, or neither.
//
// See core.Store for the contract, which package storetest checks.
//
// # Failures
//
// Every call has deadlines, on top of the request context's:
//
//   - the call budget, Options.Timeout (default 10s): the whole call,
//     waiting for a pooled connection, connecting and waiting for a
//     session's turn included. It is generous on purpose, for a healthy
//     database under a burst of requests, when calls queue for the pool's
//     few connections;
//   - the answer budget, Options.QueryTimeout (default 1s): how long a
//     call waits while PostgreSQL answers nothing. The store keeps the
//     time of PostgreSQL's last answer to any of its calls, and a call
//     fails once PostgreSQL has answered nothing for the answer budget
//     since the call began or since that answer, whichever is later, at
//     whatever step the call is: its statement, pgxpool's ping of a
//     connection idle for more than a second, a new connection, a wait
//     for the pool. A statement cut short closes its connection; a write
//     may still have been done on the server, and the session's next
//     request finds the record as it is. A healthy database that answers
//     late because it is busy keeps answering some call: its calls have
//     the call budget. An answer counts once the app server has read it:
//     an application whose own goroutines keep every CPU busy, as a burst
//     of logins that each hash a password at once would, should bound
//     that work, as the example blog does;
//   - the connect budget, pgx's ConnectTimeout: one connection attempt,
//     which goes on in the background once the call that started it has
//     failed. PoolConfig and NewFromURL set it to DefaultConnectTimeout
//     (5s). New refuses a pool without it, whose attempts would otherwise
//     last two minutes and, with the database unreachable, hold places in
//     the pool after their calls gave up, delaying recovery as long.
//
// A circuit breaker opens when three calls in a row fail to connect or
// get no answer within the answer budget, with none answered in between:
// refused, unreachable, no answer within the connect budget, or a server
// that answers nothing at all. While it is open, calls fail at once;
// after 500ms one call goes through as a probe, and the first answer
// closes it. It never opens because answers are slow: a healthy database
// on a busy machine is not cut off.
//
// When a connection is lost (PostgreSQL stopped, restarted or failed
// over, or a call ran out of its answer budget), the store takes it out
// of the pool at once (pgxpool.Conn.Hijack): pgxpool would keep its place
// until pgx had finished closing it, which against a stalled server takes
// up to 15 seconds, and a few such places fill the pool. On the first
// connection lost after an answer, unless by a budget, it also resets the
// pool (pgxpool.Pool.Reset), so that the calls that follow connect anew
// instead of each failing on another dead connection; and it runs the
// statement again, once, on a new connection, if it is a read or was
// never sent.
//
// So with PostgreSQL stopped, calls fail within milliseconds (refused
// connections, then the open breaker), and when it is back the next call
// connects: service resumes by itself, within a cooldown. With PostgreSQL
// hung (it accepts connections and answers nothing, or the network drops
// every packet), every call fails within the answer budget, a second,
// whether it had an open connection, a connection to ping or none, then
// at once while the breaker is open; a session page answers 503 within
// about a second, and the application's other pages are not held up.
// Once PostgreSQL answers again, the breaker's next probe closes it, and
// service resumes within a second and a half. TestOutage, TestStall,
// TestHung and TestHungIdle measure these, under load; so do
// adapters/internal/drivers' TestHungPostgres, over HTTP on every
// adapter, and bench/blog's TestFaultStoreHung, on the example blog.
//
// A budget that runs out ends the call at once, whatever it waits for:
// pgxpool returns from a ping or a connection attempt it waits for, and
// the store interrupts a statement by setting a deadline on its
// connection, as pgconn's default DeadlineContextWatcherHandler does,
// without waiting for the cancel request that pgx then sends, which a hung
// server leaves unanswered too. A pool passed to New whose
// BuildContextWatcherHandler waits before the deadline
// (CancelRequestContextWatcherHandler's DeadlineDelay) adds that wait to
// pgxpool's pings alone.
//
// The request context's deadline ends a call as a budget does. Its
// cancellation without a deadline (a client that went away) ends a call
// that waits for a pooled connection or a new one, and lets a statement
// under way finish, within the budgets: PostgreSQL has most likely
// answered it already, and cutting it short would close its connection,
// which the next request would have to open anew.
//
// An error names PostgreSQL's host, port and database, never the user's
// password, and says what went wrong and, where the fix is known, how to
// fix it: a server that refuses connections or answers nothing, a
// database that does not exist, a password or role refused, a table not
// migrated, a role without the privileges on it. [Store.Ping] and
// [Migrate] report these at start-up.
//
// An error other than "not found" (PostgreSQL down, a timeout, a missing
// table, a full disk) is returned as such, never turned into
// [core.ErrNotFound]: the Manager wraps it in [core.ErrStore] and the
// request fails with 503 Service Unavailable (see [core.StatusCode])
// instead of carrying on with an empty session that would then overwrite
// the real one.
//
// # Expiry
//
// A row's expiry time is its Record.TTL after its last write, which
// follows core.Options.IdleTimeout and AbsoluteTimeout. The store decides
// what has expired by Options.Clock (the app server's clock), never by
// the database's, so the app servers' clocks must agree (NTP); expired
// rows are never returned, whether deleted yet or not.
//
// [Store.Cleanup] deletes expired rows in small batches (Options.CleanupBatch,
// default 1000), one short statement each, oldest first, until a batch
// comes back short. It never locks the table: each batch locks only its
// rows, and skips rows a request holds (FOR UPDATE SKIP LOCKED), so the
// app servers may all clean up at once. The store runs it every
// Options.CleanupInterval (default 5 minutes) from a goroutine that New
// starts and [Store.Close] stops, logging failures through
// Options.Logger; a negative interval leaves it to the application.
//
// # Sessions of a user
//
// A session's owner ([core.Session.SetOwner]) is a column of its row,
// indexed with the time of the last write. List returns the owner's live
// rows in one SELECT; End deletes one at once (not marked as ended as
// Delete does, so its next request starts a new session). A user has at
// most Options.MaxPerOwner sessions (default 50): a login past that
// deletes the user's least recently written ones, in the login's own
// statement. Two logins of one user at the same moment do not wait for
// each other, and may each keep one session more, until the user's next
// login. An ended or expired row is never listed, and takes no space once
// the cleanup has deleted it.
//
// An owner is any valid UTF-8 without NUL bytes, up to [MaxOwner] (2,560)
// bytes: quotes, braces, control characters and any script alike, stored
// and compared byte for byte. The store refuses any other owner with
// [core.ErrInvalidValue], without a round trip: PostgreSQL's text holds
// neither NUL bytes nor invalid UTF-8, and its index on owners no entry
// over 2,704 bytes.
package pgstore
