-- The table of github.com/transient-go/transient/core/pgstore, schema
-- version 1, under the default name. pgstore.Schema returns this text for
-- another name; pgstore.Migrate runs it. Running it again changes nothing.
--
-- key      the SHA-256 of the session ID that the cookie carries, never the
--          ID itself, so that a dump of the table holds no usable session;
--          its hex is the session's handle (core.HandleOf).
-- payload  the session, as the core encodes it; NULL once a renewal or a
--          logout ended the session, until the row expires (core.ErrGone).
-- expires  when the row stops counting; the store's cleanup deletes expired
--          rows in small batches, through the first index.
-- owner    the user the session belongs to; NULL for an anonymous or ended
--          session. The second index lists a user's sessions, the most
--          recently written first.
-- written  when the session was last written.
CREATE TABLE IF NOT EXISTS "sessions" (
	key     bytea       PRIMARY KEY CHECK (octet_length(key) = 32),
	payload bytea,
	expires timestamptz NOT NULL,
	owner   text,
	written timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "sessions_expires" ON "sessions" (expires);
CREATE INDEX IF NOT EXISTS "sessions_owner" ON "sessions" (owner, written) WHERE owner IS NOT NULL;
