package pgstore

import (
	"context"
	"encoding/hex"

	"github.com/jackc/pgx/v5"

	"github.com/transient-go/transient/core"
)

// List returns owner's live records with one SELECT, through the index on
// owner; see core.Index. An anonymous owner (""), and one the store would
// refuse to write (see MaxOwner), have none, found without a round trip.
func (s *Store) List(ctx context.Context, owner string) ([]core.Listed, error) {
	if owner == "" || checkOwner(owner) != nil {
		return nil, nil
	}
	var listed []core.Listed
	err := s.callIdempotent(ctx, "list", func(ctx context.Context, c *pgx.Conn) error {
		q, err := s.prepared(ctx, c, &s.sql.list)
		if err != nil {
			return err
		}
		rows, err := c.Query(ctx, q, owner, s.now())
		if err != nil {
			return err
		}
		listed = listed[:0] // a run again after a serialization failure
		var k, payload []byte
		_, err = pgx.ForEachRow(rows, []any{&k, &payload}, func() error {
			listed = append(listed, core.Listed{Handle: hex.EncodeToString(k), Payload: payload})
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return listed, nil
}

// End deletes owner's live record listed as handle, with one DELETE: at
// once and for good, not marked as ended as Delete does. It returns
// core.ErrNotFound when owner has no live record of that handle; a handle
// that is not one (64 lower-case hex digits), and an owner the store would
// refuse to write, are not found without a round trip.
func (s *Store) End(ctx context.Context, owner, handle string) error {
	k, ok := parseHandle(handle)
	if !ok || owner == "" || checkOwner(owner) != nil {
		return core.ErrNotFound
	}
	return s.execOne(ctx, "end", &s.sql.end, func() []any { return []any{k, owner, s.now()} })
}

// parseHandle returns the key that handle, as core.HandleOf spells it,
// names.
func parseHandle(handle string) ([]byte, bool) {
	k, err := hex.DecodeString(handle)
	if err != nil || len(k) != 32 || hex.EncodeToString(k) != handle {
		return nil, false
	}
	return k, true
}
