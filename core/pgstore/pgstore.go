package pgstore

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
	"github.com/transient-go/transient/core/internal/observed"
)

// newAttempts bounds the tries of a new record whose random ID is taken.
// With 256-bit IDs a single collision means the random source is broken.
const newAttempts = 3

// Store is a core.Store and core.Index that keeps sessions in a PostgreSQL
// table. Create it with New or NewFromURL; it is safe for concurrent use.
type Store struct {
	pool         *pgxpool.Pool
	owned        bool // created by NewFromURL: Close closes it
	sql          statements
	named        bool // prepares its statements under names of its own: see prepare.go
	now          func() time.Time
	timeout      time.Duration // the call budget
	queryTimeout time.Duration // the answer budget
	maxPerOwner  int
	hold         string       // the bound on a hold of UpdateLocked, in milliseconds
	batch        int          // rows per cleanup statement
	log          *slog.Logger // nil: slog.Default()
	breaker      *breaker.Breaker
	healthy      atomic.Bool  // no connection lost since the last answer
	addr         string       // PostgreSQL's, for messages: see address
	epoch        time.Time    // the start of clock
	lastAnswer   atomic.Int64 // when PostgreSQL last answered, on clock
	dog          watchdog     // fails the calls in flight that run out of a budget
	closer
	obs observed.Store // what it tells Options.Observer
}

var (
	_ core.Index        = (*Store)(nil)
	_ core.LockingStore = (*Store)(nil)
)

// Load returns the payload of token with one SELECT, or core.ErrNotFound
// (core.ErrGone for a record that Renew or Delete ended less than
// core.GoneTTL ago). A token that is not a valid ID (see core.ValidID) is
// not found without a round trip. The payload is the caller's to keep.
func (s *Store) Load(ctx context.Context, token string) ([]byte, bool, error) {
	if !core.ValidID(token) {
		return nil, false, core.ErrNotFound
	}
	p := &params{}
	p.args[0], p.args[1] = p.key.ofToken(token), &p.now
	var found bool
	err := s.callIdempotent(ctx, "load", func(ctx context.Context, c *pgx.Conn) (err error) {
		p.now = timestamp(s.now())
		found, err = s.read(ctx, c, p, p.args[:2])
		return err
	})
	switch {
	case err != nil:
		return nil, false, err
	case !found:
		return nil, false, core.ErrNotFound
	case p.answer == nil:
		return nil, false, core.ErrGone
	}
	return p.answer, false, nil
}

// Create inserts r under a new ID with one statement, which also deletes
// the owner's least recently written records beyond Options.MaxPerOwner.
// An owner the table cannot hold (see MaxOwner) is refused with an error
// matching core.ErrInvalidValue, without a round trip.
func (s *Store) Create(ctx context.Context, r core.Record) (string, error) {
	if err := checkOwner(r.Owner); err != nil {
		return "", err
	}
	var id string
	p := &params{payload: r.Payload, owner: text(r.Owner)}
	p.args[1], p.args[3], p.args[5] = &p.payload, &p.owner, s.maxPerOwner-1
	err := s.call(ctx, "create", func(ctx context.Context, c *pgx.Conn) error {
		q, err := s.prepared(ctx, c, &s.sql.create)
		if err != nil {
			return err
		}
		for range newAttempts {
			id = core.NewID()
			now := s.now()
			p.now, p.expires = timestamp(now), timestamp(now.Add(r.TTL))
			p.args[0], p.args[2], p.args[4] = p.key.ofToken(id), &p.expires, &p.now
			_, err = c.Exec(ctx, q, p.args[:6]...)
			if !isUniqueViolation(err) {
				return err
			}
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// Update replaces the record of token with r if it still holds old, with
// one UPDATE that compares the row's payload with old (by SHA-256, so that
// old is not sent back) and writes r only if they match. When it wrote
// nothing, one more statement reads the record as it is now: Update
// returns a *core.ConflictError with it, or core.ErrNotFound when the
// record is gone. The record keeps its owner: a new owner comes with
// Renew.
func (s *Store) Update(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	var written bool
	p := &params{payload: r.Payload}
	p.args[0], p.args[1], p.args[2] = p.key.ofToken(token), p.sum.of(old), &p.payload
	err := s.call(ctx, "update", func(ctx context.Context, c *pgx.Conn) error {
		q, err := s.prepared(ctx, c, &s.sql.update)
		if err != nil {
			return err
		}
		now := s.now()
		p.now, p.expires = timestamp(now), timestamp(now.Add(r.TTL))
		p.args[3], p.args[4] = &p.expires, &p.now
		tag, err := c.Exec(ctx, q, p.args[:5]...)
		if written = tag.RowsAffected() == 1; written || err != nil {
			return err
		}
		// The record as it is now: a statement of its own, whose snapshot
		// holds every write that had committed when the update ended, the
		// one it failed on too.
		_, err = s.read(ctx, c, p, []any{p.args[0], &p.now})
		return err
	})
	if err := outcome(err, written, p.answer); err != nil {
		return "", err
	}
	return token, nil
}

// Renew ends the record of token, if it still holds old (whatever it
// holds, if old is nil), and inserts r under a new ID, in one statement:
// both happen, or neither. It fails as Update does, and deletes the new
// owner's least recently written records beyond Options.MaxPerOwner as
// Create does, and refuses an owner as Create does.
func (s *Store) Renew(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	if !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	if err := checkOwner(r.Owner); err != nil {
		return "", err
	}
	var id string
	var written bool
	p := &params{payload: r.Payload, owner: text(r.Owner)}
	p.args[0], p.args[1], p.args[3] = p.key.ofToken(token), p.sum.of(old), &p.payload
	p.args[7], p.args[8] = &p.owner, s.maxPerOwner-1
	err := s.call(ctx, "renew", func(ctx context.Context, c *pgx.Conn) error {
		q, err := s.prepared(ctx, c, &s.sql.renew)
		if err != nil {
			return err
		}
		for range newAttempts {
			id = core.NewID()
			now := s.now()
			p.now, p.expires, p.gone = timestamp(now), timestamp(now.Add(r.TTL)), timestamp(now.Add(core.GoneTTL))
			p.args[2], p.args[4], p.args[5], p.args[6] = p.newKey.ofToken(id), &p.expires, &p.now, &p.gone
			written, err = wrote(c.QueryRow(ctx, q, p.args[:9]...).Scan(&p.answer))
			if !isUniqueViolation(err) {
				return err
			}
		}
		return err
	})
	if err := outcome(err, written, p.answer); err != nil {
		return "", err
	}
	return id, nil
}

// read reads into p.answer, with load, the payload of the record that
// args (its key and the time p.now) name: found is false when there is no
// live row, and p.answer nil for a record that Renew or Delete ended.
func (s *Store) read(ctx context.Context, c *pgx.Conn, p *params, args []any) (found bool, err error) {
	q, err := s.prepared(ctx, c, &s.sql.load)
	if err != nil {
		return false, err
	}
	p.answer = nil
	err = c.QueryRow(ctx, q, args...).Scan(&p.answer)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// wrote returns whether renew's statement wrote, from the error of the
// Scan of its answer: no row when it wrote, and else the payload the row
// holds now.
func wrote(err error) (bool, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	return false, err
}

// outcome returns the error of a compare-and-swap write that answered
// written and current, or failed with err.
func outcome(err error, written bool, current []byte) error {
	switch {
	case err != nil:
		return err
	case written:
		return nil
	case current == nil:
		return core.ErrNotFound
	}
	return &core.ConflictError{Current: current}
}

// Delete ends the record of token with one UPDATE, leaving the marker that
// Load reports as core.ErrGone. It returns core.ErrNotFound if there was
// no live record.
func (s *Store) Delete(ctx context.Context, token string) error {
	if !core.ValidID(token) {
		return core.ErrNotFound
	}
	p := &params{}
	p.args[0], p.args[1], p.args[2] = p.key.ofToken(token), &p.now, &p.gone
	return s.execOne(ctx, "delete", &s.sql.delete, func() []any {
		now := s.now()
		p.now, p.gone = timestamp(now), timestamp(now.Add(core.GoneTTL))
		return p.args[:3]
	})
}

// execOne runs st, a statement that writes one row or none, through call
// as op, with the arguments args returns: args is called on each run, so
// that a run again reads the clock afresh. It returns core.ErrNotFound
// when the statement wrote no row.
func (s *Store) execOne(ctx context.Context, op string, st *statement, args func() []any) error {
	var tag pgconn.CommandTag
	err := s.call(ctx, op, func(ctx context.Context, c *pgx.Conn) error {
		q, err := s.prepared(ctx, c, st)
		if err != nil {
			return err
		}
		tag, err = c.Exec(ctx, q, args()...)
		return err
	})
	switch {
	case err != nil:
		return err
	case tag.RowsAffected() == 0:
		return core.ErrNotFound
	}
	return nil
}

// Ping checks that PostgreSQL answers and that the store's table is there,
// with the columns the store uses and the privileges to read it, so that
// a wrong address or a migration not run is found at start-up, before the
// first request fails. It fails with an error matching core.ErrStore.
func (s *Store) Ping(ctx context.Context) error {
	err := s.callIdempotent(ctx, "ping", func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, s.sql.ping)
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: %w", core.ErrStore, err)
	}
	return nil
}

// MaxOwner is the longest owner (core.Record.Owner), in bytes, the store
// keeps. PostgreSQL's index on owners holds entries of at most 2,704
// bytes, the owner and the time of the last write included; a longer
// owner that compresses well would fit, a random one would not, so the
// store refuses every owner longer than MaxOwner, whatever it holds.
const MaxOwner = 2560

// checkOwner returns an error matching core.ErrInvalidValue for an owner
// the table cannot hold: one that is not valid UTF-8 or holds a NUL byte,
// which PostgreSQL's text refuses, or is longer than MaxOwner bytes.
func checkOwner(owner string) error {
	if len(owner) <= MaxOwner && utf8.ValidString(owner) && strings.IndexByte(owner, 0) < 0 {
		return nil
	}
	return fmt.Errorf("%w: pgstore: an owner must be valid UTF-8 without NUL bytes, at most %d bytes long", core.ErrInvalidValue, MaxOwner)
}

// key returns the key of token's row: its SHA-256, so that the table holds
// no usable token.
func key(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// digest returns the SHA-256 of a payload the caller loaded, which the
// statements compare with the record's, or nil (NULL: any) for nil.
func digest(old []byte) []byte {
	if old == nil {
		return nil
	}
	sum := sha256.Sum256(old)
	return sum[:]
}
