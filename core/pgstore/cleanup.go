package pgstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cleanup deletes the rows that have expired by Options.Clock, sessions
// and the markers of ended ones, and returns how many it deleted. It
// deletes them in batches of Options.CleanupBatch rows, one short
// statement each, oldest first, until a batch comes back short: no lock is
// held on the table, and a row that a request has locked is left for the
// next cleanup, so several app servers may clean up at once. Each batch
// has the call budget (Options.Timeout); ctx bounds the whole. On an error
// it returns the rows deleted so far and the error.
//
// The store runs Cleanup itself every Options.CleanupInterval; an
// application that disables that calls it on its own schedule. Expired
// rows are never returned, cleaned up or not: Cleanup only frees their
// space.
func (s *Store) Cleanup(ctx context.Context) (deleted int, err error) {
	for {
		var n int64
		err := s.callIdempotent(ctx, "cleanup", func(ctx context.Context, c *pgx.Conn) error {
			q, err := s.prepared(ctx, c, &s.sql.cleanup)
			if err != nil {
				return err
			}
			tag, err := c.Exec(ctx, q, s.now(), s.batch)
			n = tag.RowsAffected()
			return err
		})
		deleted += int(n)
		if err != nil || n < int64(s.batch) {
			return deleted, err
		}
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
	}
}

// cleanupLoop runs Cleanup every interval until ctx is canceled, and logs
// its errors, which nobody else would see.
func (s *Store) cleanupLoop(ctx context.Context, interval time.Duration) {
	defer close(s.cleanupDone)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if n, err := s.Cleanup(ctx); err != nil && ctx.Err() == nil {
			log := s.log
			if log == nil {
				log = slog.Default()
			}
			log.Warn("pgstore: deleting expired sessions failed; they are not returned, but take space until a cleanup succeeds",
				"deleted", n, "err", err)
		}
	}
}
