package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/transient-go/transient/core"
)

// UpdateLocked holds the record of token against every other writer,
// calls change with its payload, and writes the Record change returns,
// under token, or with renew under a new ID, which it returns, ending the
// record of token as Renew does (and deleting the new owner's least
// recently written records beyond Options.MaxPerOwner as Renew does); see
// core.LockingStore. It is the path a commit takes once its optimistic
// writes have met concurrent changes: slower than Update, and it cannot
// starve.
//
// It is one transaction, in two round trips: the first begins it, waits
// for the record's turn and locks the row (SELECT ... FOR UPDATE), the
// second writes and commits. Writers of one record get their turns in the
// order they asked for them, and a writer waits only for those ahead of
// it, however many keep coming: the turn is a lock of the transaction's
// (pg_advisory_xact_lock, keyed by the record), and PostgreSQL's lock
// manager grants such locks first come, first served. The row lock alone
// would not: once a writer has written, those waiting for the row race
// for its new version, in no particular order. Update, Renew and Delete of
// the row, which take no turn, wait for the hold to end, then act on the
// record as the holder left it: Update and Renew then report a conflict,
// and Delete ends the record the holder wrote.
//
// A hold is bounded. PostgreSQL ends the holder's session, and with it the
// transaction and the hold, when the holder sends nothing for half the
// answer budget (Options.QueryTimeout) after PostgreSQL answered it
// (idle_in_transaction_session_timeout, set for this transaction alone):
// a holder whose process hangs, or whose network goes silent, lets go
// after that, and what it sends later is refused. A holder whose process
// dies lets go at once: its connection closes, and PostgreSQL rolls the
// transaction back. A holder whose own call runs out of budget closes its
// connection, with the same effect. A writer whose hold PostgreSQL ended
// takes a new turn, calling change again (three turns at most).
//
// A wait for a turn ends with ctx, the call budget (Options.Timeout), or
// the answer budget, when PostgreSQL answers none of the store's calls for
// that long: the holders ahead, whose answers keep coming, and who each
// let go within half of it if they stop, never make it run out.
//
// When the record is gone (ended, expired, never created) it writes
// nothing and returns core.ErrNotFound, and when change returns an error
// it writes nothing and returns that error as is; either way its second
// round trip ends the transaction (ROLLBACK). Every error returns "" as
// the token.
func (s *Store) UpdateLocked(ctx context.Context, token string, renew bool, change func(current []byte) (core.Record, error)) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	var (
		id      string
		written bool
		current []byte
		refused error // change's error, or the new owner's
	)
	err := s.call(ctx, "update_locked", func(ctx context.Context, c *pgx.Conn) error {
		id, written, current, refused = "", false, nil, nil // a run again starts afresh
		q, err := s.preparedLocked(ctx, c, renew)
		if err != nil {
			return err
		}
		held, err := s.lock(ctx, c, q, token)
		if err != nil {
			return err
		}
		if held == nil { // gone
			return s.rollback(ctx, c)
		}
		r, err := change(held)
		if err == nil && renew {
			err = checkOwner(r.Owner)
		}
		if err != nil {
			refused = err
			return s.rollback(ctx, c)
		}
		id, written, current, err = s.write(ctx, c, q, token, renew, held, r)
		return err
	})
	if refused != nil {
		return "", refused
	}
	if err := outcome(err, written, current); err != nil {
		return "", err
	}
	if !renew {
		id = token
	}
	return id, nil
}

// holdTimeout returns the bound on a hold of UpdateLocked for the answer
// budget: half of it, so that the writers waiting behind a holder that
// stopped have the row, and their answer, well within their own budget.
func holdTimeout(answer time.Duration) time.Duration { return answer / 2 }

// lockedStatements are what to send for UpdateLocked's statements (see
// Store.prepared).
type lockedStatements struct {
	begin, turn, lock, write, commit string
}

// preparedLocked prepares UpdateLocked's statements on c, before its
// transaction begins, so that a hold lasts its two round trips: write is
// renew's or update's.
func (s *Store) preparedLocked(ctx context.Context, c *pgx.Conn, renew bool) (q lockedStatements, err error) {
	write := &s.sql.update
	if renew {
		write = &s.sql.renew
	}
	for _, p := range []struct {
		q  *string
		st *statement
	}{{&q.begin, &s.sql.begin}, {&q.turn, &s.sql.turn}, {&q.lock, &s.sql.lock}, {&q.write, write}, {&q.commit, &s.sql.commit}} {
		if *p.q, err = s.prepared(ctx, c, p.st); err != nil {
			return q, err
		}
	}
	return q, nil
}

// lock begins UpdateLocked's transaction on c, waits for the turn of the
// record of token and locks its row, in one round trip, and returns its
// payload: nil if the record is gone. The turn is a lock of the
// transaction's keyed by the first 64 bits of the row's key (another
// record may share it, and then waits for its turn for nothing more than
// a hold). The transaction is open when lock returns without an error.
func (s *Store) lock(ctx context.Context, c *pgx.Conn, q lockedStatements, token string) ([]byte, error) {
	k := key(token)
	b := &pgx.Batch{}
	b.Queue(q.begin)
	b.Queue(q.turn, int64(binary.BigEndian.Uint64(k)), s.hold)
	b.Queue(q.lock, k, s.now())
	br := c.SendBatch(ctx, b)
	var payload []byte
	_, err := br.Exec()
	if err == nil {
		_, err = br.Exec()
	}
	if err == nil {
		err = br.QueryRow().Scan(&payload)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		s.noteAnswer() // the wait for the row is over: it was PostgreSQL's
	}
	return payload, err
}

// write writes r in the open transaction on c, which holds the row of
// token whose payload is held, and commits, in one round trip. It runs
// Update's or Renew's statement, whose check of the payload passes since
// the row is held, unless the record expired meanwhile: it then writes
// nothing and reports the record gone (written false, current nil).
func (s *Store) write(ctx context.Context, c *pgx.Conn, q lockedStatements, token string, renew bool, held []byte, r core.Record) (id string, written bool, current []byte, err error) {
	b := &pgx.Batch{}
	now := s.now()
	if renew {
		id = core.NewID()
		b.Queue(q.write, key(token), digest(held), key(id), r.Payload, now.Add(r.TTL),
			now, now.Add(core.GoneTTL), r.Owner, s.maxPerOwner-1)
	} else {
		b.Queue(q.write, key(token), digest(held), r.Payload, now.Add(r.TTL), now)
	}
	b.Queue(q.commit)
	br := c.SendBatch(ctx, b)
	if renew {
		written, err = wrote(br.QueryRow().Scan(&current))
	} else {
		var tag pgconn.CommandTag
		tag, err = br.Exec()
		written = tag.RowsAffected() == 1
	}
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return id, written, current, err
}

// rollback ends the open transaction on c, writing nothing.
func (s *Store) rollback(ctx context.Context, c *pgx.Conn) error {
	_, err := c.Exec(ctx, s.sql.rollback)
	return err
}
