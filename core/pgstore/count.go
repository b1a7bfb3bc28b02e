package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Count returns how many live sessions the table holds, with one SELECT
// count(*): every session that has not expired or ended, anonymous or a
// user's, of every application and cookie name that shares the table.
// It reads every live row, so it takes time in proportion to the table
// (about a second for a few million rows): it is for an operator's
// command (cmd/transient) or an occasional check, not for every request.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int64
	err := s.callIdempotent(ctx, "count", func(ctx context.Context, c *pgx.Conn) error {
		q, err := s.prepared(ctx, c, &s.sql.count)
		if err != nil {
			return err
		}
		return c.QueryRow(ctx, q, s.now()).Scan(&n)
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
