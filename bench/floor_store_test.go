package bench_test

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// The store floors are the least a server-side session must do on Redis
// and on PostgreSQL, written inline in a net/http handler on the same
// client, connection and server as transient's row beside them (issue
// 23): the lean floor's typed session (leanSession, encoding/json) under
// a random ID that the cookie carries, read with one round trip and
// written with one more:
//
//   - read-only: r.Cookie, a bare GET (Redis) or SELECT (PostgreSQL) of
//     the record, encoding/json into the struct;
//   - read-write: the same read, then one script call (Redis) or one
//     statement (PostgreSQL) that writes the new record only if the record
//     still holds what the read found, compared by digest as transient's
//     stores compare it: the least that keeps a concurrent request's
//     write from being overwritten.
//
// They keep no index of a user's sessions, no marker of an ended session
// and no timeouts of their own beyond the record's expiry, and handle no
// conflict beyond reporting it.

// floorStore is where a store floor keeps its records.
type floorStore interface {
	create(ctx context.Context, id string, v []byte) error
	load(ctx context.Context, id string) ([]byte, error) // nil: not found
	update(ctx context.Context, id string, old, v []byte) error
}

// storeFloorMux is a store floor's row.
func storeFloorMux(st floorStore) http.Handler {
	const name = "session"
	mux := untouchedMux()
	read := func(w http.ResponseWriter, r *http.Request, s *leanSession) (id string, old []byte) {
		cookie, err := r.Cookie(name)
		if err != nil {
			fail(w, "no cookie")
			return "", nil
		}
		old, err = st.load(r.Context(), cookie.Value)
		switch {
		case err != nil:
			fail(w, err.Error())
			return "", nil
		case old == nil:
			fail(w, "no session")
			return "", nil
		}
		if err := json.Unmarshal(old, s); err != nil {
			fail(w, "bad session")
			return "", nil
		}
		if msg := checkSession(s.UserID, s.Username); msg != "" {
			fail(w, msg)
			return "", nil
		}
		return cookie.Value, old
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		v, err := json.Marshal(&leanSession{UserID: userID, Username: userName})
		if err != nil {
			fail(w, err.Error())
			return
		}
		id := core.NewID()
		if err := st.create(r.Context(), id, v); err != nil {
			fail(w, err.Error())
			return
		}
		http.SetCookie(w, &http.Cookie{Name: name, Value: id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		ok(w)
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		var s leanSession
		if id, _ := read(w, r, &s); id != "" {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		var s leanSession
		id, old := read(w, r, &s)
		if id == "" {
			return
		}
		if msg := checkFlashes(len(s.Flash)); msg != "" {
			fail(w, msg)
			return
		}
		s.Flash = []string{flashMsg}
		v, err := json.Marshal(&s)
		if err != nil {
			fail(w, err.Error())
			return
		}
		if err := st.update(r.Context(), id, old, v); err != nil {
			fail(w, err.Error())
			return
		}
		ok(w)
	})
	return mux
}

// errFloorConflict is a store floor's write that found the record changed.
var errFloorConflict = errors.New("the record changed meanwhile")

// redisFloor keeps a store floor's records in Redis, under "floor:" and
// the ID.
type redisFloor struct{ client redis.UniversalClient }

// redisFloorUpdate: KEYS[1] the key; ARGV: the SHA-1 of the value read,
// the new value, its TTL in ms. It writes only over what was read.
var redisFloorUpdate = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
if redis.sha1hex(cur) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

func (f redisFloor) create(ctx context.Context, id string, v []byte) error {
	return f.client.Set(ctx, "floor:"+id, v, leanTTL).Err()
}

func (f redisFloor) load(ctx context.Context, id string) ([]byte, error) {
	v, err := f.client.Get(ctx, "floor:"+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return v, err
}

func (f redisFloor) update(ctx context.Context, id string, old, v []byte) error {
	sum := sha1.Sum(old)
	n, err := redisFloorUpdate.Run(ctx, f.client, []string{"floor:" + id}, hex.EncodeToString(sum[:]), v, leanTTL.Milliseconds()).Int()
	switch {
	case err != nil:
		return err
	case n != 1:
		return errFloorConflict
	}
	return nil
}

// pgFloor keeps a store floor's records in PostgreSQL, in a table of its
// own made like pgstore's (its columns, keys, checks and indexes: the
// expiry index that any cleanup needs, and the owners'), keyed by the
// SHA-256 of the ID, so that its writes update the same indexes with the
// same bytes.
type pgFloor struct{ pool *pgxpool.Pool }

// newPGFloor makes the table of a store floor with pool, after pgstore's
// table "sessions".
func newPGFloor(ctx context.Context, pool *pgxpool.Pool) (pgFloor, error) {
	_, err := pool.Exec(ctx, `CREATE TABLE floor_sessions (LIKE sessions INCLUDING ALL)`)
	return pgFloor{pool}, err
}

func floorKey(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:]
}

func (f pgFloor) create(ctx context.Context, id string, v []byte) error {
	now := time.Now()
	_, err := f.pool.Exec(ctx, `INSERT INTO floor_sessions (key, payload, expires, written) VALUES ($1, $2, $3, $4)`, floorKey(id), v, now.Add(leanTTL), now)
	return err
}

func (f pgFloor) load(ctx context.Context, id string) ([]byte, error) {
	var v []byte
	err := f.pool.QueryRow(ctx, `SELECT payload FROM floor_sessions WHERE key = $1 AND expires > $2`, floorKey(id), time.Now()).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (f pgFloor) update(ctx context.Context, id string, old, v []byte) error {
	sum := sha256.Sum256(old)
	now := time.Now()
	tag, err := f.pool.Exec(ctx, `UPDATE floor_sessions SET payload = $2, expires = $3, written = $4 WHERE key = $1 AND expires > $4 AND sha256(payload) = $5`,
		floorKey(id), v, now.Add(leanTTL), now, sum[:])
	switch {
	case err != nil:
		return err
	case tag.RowsAffected() != 1:
		return errFloorConflict
	}
	return nil
}
