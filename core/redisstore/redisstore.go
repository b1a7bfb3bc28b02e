package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
)

// Defaults for the zero fields of [Options].
const (
	// DefaultPrefix is the default Options.Prefix.
	DefaultPrefix = "session:"

	// DefaultTimeout is the default Options.Timeout.
	DefaultTimeout = 500 * time.Millisecond
)

// newAttempts bounds the tries of a new record whose random ID is taken.
// With 256-bit IDs a single collision means the random source is broken.
const newAttempts = 3

// Options configures a Store. A nil *Options and the zero value both mean
// the defaults.
type Options struct {
	// Prefix starts every key the Store writes; the rest of the key is the
	// hex SHA-256 of the session ID. Default DefaultPrefix ("session:").
	// Give each application that shares a Redis database its own prefix.
	Prefix string

	// Timeout is the deadline of every call to Redis, retries included: a
	// Load, Save, Renew or Delete that has no answer by then fails, and
	// the request fails with 503 rather than wait on a stalled or
	// unreachable Redis. The request context's own deadline applies too,
	// whichever comes first. Default DefaultTimeout (500ms); negative is
	// an error. A refused connection fails sooner with NewFromURL's client
	// (one dial, one retry) than with go-redis's default options, which
	// retry dials and commands until the Timeout.
	Timeout time.Duration
}

// Store is a core.Store and core.Renewer that keeps sessions in Redis.
// Create it with New or NewFromURL; it is safe for concurrent use.
type Store struct {
	client  redis.UniversalClient
	owned   bool // created by NewFromURL: Close closes it
	prefix  string
	timeout time.Duration
}

var (
	_ core.Store   = (*Store)(nil)
	_ core.Renewer = (*Store)(nil)
)

// New returns a Store that keeps sessions through client: a *redis.Client
// (single server or Sentinel, from redis.NewFailoverClient), a
// *redis.ClusterClient or a *redis.Ring. opts may be nil.
//
// go-redis honours context deadlines on reads and writes only when its
// ContextTimeoutEnabled option is set. New returns an error matching
// core.ErrConfig when client is nil, when opts are invalid, or when the
// client's options can be inspected and ContextTimeoutEnabled is false.
//
// New makes no call to Redis: the application starts while Redis is down,
// and its requests that use the session fail with 503 until it is back.
// Close does not close client; the application does.
func New(client redis.UniversalClient, opts *Options) (*Store, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if err := checkClient(client); err != nil {
		return nil, err
	}
	return &Store{client: client, prefix: o.Prefix, timeout: o.Timeout}, nil
}

// checkClient returns an error for a nil client, or for one whose options
// can be inspected and have ContextTimeoutEnabled false.
func checkClient(client redis.UniversalClient) error {
	var enabled bool
	switch c := client.(type) {
	case nil:
		return configError("client is nil")
	case *redis.Client:
		if c == nil {
			return configError("client is nil")
		}
		enabled = c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		if c == nil {
			return configError("client is nil")
		}
		enabled = c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		if c == nil {
			return configError("client is nil")
		}
		enabled = c.Options().ContextTimeoutEnabled
	default:
		return nil // a wrapper: trust it
	}
	if !enabled {
		return configError("the client's ContextTimeoutEnabled option is false, so go-redis would ignore the Store's deadline on reads and writes and a slow or unreachable Redis could hang requests; set ContextTimeoutEnabled: true in the client's options")
	}
	return nil
}

// NewFromURL returns a Store with a client of its own for the single server
// at url, as parsed by redis.ParseURL ("redis://user:password@host:6379/0",
// "rediss://..." for TLS, "unix:///path/redis.sock"). The client has
// ContextTimeoutEnabled set and, unless url's query sets them, dial, read,
// write and pool timeouts of opts.Timeout, a single dial attempt and one
// retry, so that a refused connection fails a call at once and a stalled
// server at the Timeout. It returns an error matching core.ErrConfig for a
// URL that redis.ParseURL rejects. Like New, it makes no call to Redis.
// For Sentinel or Cluster, build the client and call New. Store.Close
// closes the client.
func NewFromURL(url string, opts *Options) (*Store, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, configError("%w", err)
	}
	ro.ContextTimeoutEnabled = true
	for _, d := range []*time.Duration{&ro.DialTimeout, &ro.ReadTimeout, &ro.WriteTimeout, &ro.PoolTimeout} {
		if *d == 0 {
			*d = o.Timeout
		}
	}
	if ro.MaxRetries == 0 {
		ro.MaxRetries = 1
	}
	if ro.DialerRetries == 0 {
		ro.DialerRetries = 1
	}
	client := redis.NewClient(ro)
	s, err := New(client, &o)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

func resolve(opts *Options) (Options, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	switch {
	case o.Timeout == 0:
		o.Timeout = DefaultTimeout
	case o.Timeout < 0:
		return o, configError("Timeout %v is negative", o.Timeout)
	}
	return o, nil
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: redisstore: "+format, append([]any{core.ErrConfig}, args...)...)
}

// Close closes the client that NewFromURL created. It does nothing for a
// client passed to New, which belongs to the application.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.client.Close()
}

// Load returns the payload of token with one GET, or core.ErrNotFound. A
// token that is not a valid ID (see core.ValidID) is not found without a
// round trip. The caller must not modify the payload.
func (s *Store) Load(ctx context.Context, token string) ([]byte, bool, error) {
	if !core.ValidID(token) {
		return nil, false, core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.client.Get(ctx, s.key(token)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, core.ErrNotFound
	case err != nil:
		return nil, false, err
	}
	return b, false, nil
}

// Save writes payload for ttl with one SET: NX under a new ID when token is
// empty, XX under token otherwise, so that a record deleted meanwhile (a
// logout, a renewal, an expiry) is not written back: Save then returns
// core.ErrNotFound.
func (s *Store) Save(ctx context.Context, token string, payload []byte, ttl time.Duration) (string, error) {
	if token != "" && !core.ValidID(token) {
		return "", core.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if token == "" {
		return s.create(ctx, payload, ttl)
	}
	cmd := s.set(ctx, token, payload, ttl, "xx")
	if err := s.client.Process(ctx, cmd); err != nil {
		return "", err
	}
	if !cmd.Val() {
		return "", core.ErrNotFound
	}
	return token, nil
}

// create writes payload under a new ID.
func (s *Store) create(ctx context.Context, payload []byte, ttl time.Duration) (string, error) {
	for range newAttempts {
		id := core.NewID()
		cmd := s.set(ctx, id, payload, ttl, "nx")
		if err := s.client.Process(ctx, cmd); err != nil {
			return "", err
		}
		if cmd.Val() {
			return id, nil
		}
	}
	return "", errTaken
}

var errTaken = errors.New("redisstore: every new session ID tried was taken; is the random source broken?")

// Renew writes payload under a new ID and deletes old's record in one round
// trip: a pipeline of SET NX PX and DEL. The two commands are not a
// transaction (in a Cluster the two keys live in different slots, and
// go-redis sends each command to its node, in parallel): if the SET fails
// and the DEL succeeds, the session is lost and the request fails, which
// errs on the side of logging the user out; if only the DEL fails, Renew
// fails and the new record expires unused. A taken ID (never seen in
// practice) costs another round trip.
func (s *Store) Renew(ctx context.Context, old string, payload []byte, ttl time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	id := core.NewID()
	set := s.set(ctx, id, payload, ttl, "nx")
	del := redis.NewIntCmd(ctx, "del", s.key(old))
	pipe := s.client.Pipeline()
	_ = pipe.Process(ctx, set)
	_ = pipe.Process(ctx, del)
	_, _ = pipe.Exec(ctx) // each command carries its own error
	switch {
	case set.Err() != nil:
		return "", set.Err()
	case del.Err() != nil:
		return "", del.Err() // the new record expires unused: nobody has its ID
	case !set.Val():
		return s.create(ctx, payload, ttl)
	}
	return id, nil
}

// Delete removes token's record with one DEL. Deleting an unknown token is
// not an error.
func (s *Store) Delete(ctx context.Context, token string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.client.Del(ctx, s.key(token)).Err()
}

// set returns the command SET key(token) payload PX ttl mode.
func (s *Store) set(ctx context.Context, token string, payload []byte, ttl time.Duration, mode string) *redis.BoolCmd {
	ms := max(int64((ttl+time.Millisecond-1)/time.Millisecond), 1)
	return redis.NewBoolCmd(ctx, "set", s.key(token), payload, "px", ms, mode)
}

// key returns the Redis key of token: the prefix and the hex SHA-256 of the
// token, so that a key listing or a dump holds no usable token.
func (s *Store) key(token string) string {
	var buf [64]byte
	var sum [sha256.Size]byte
	if len(token) <= len(buf) {
		sum = sha256.Sum256(buf[:copy(buf[:], token)])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	hex.Encode(buf[:], sum[:])
	var b strings.Builder
	b.Grow(len(s.prefix) + len(buf))
	b.WriteString(s.prefix)
	b.Write(buf[:])
	return b.String()
}
