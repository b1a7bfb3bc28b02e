package redisstore

import (
	"fmt"
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

	// DefaultMaxPerOwner is the default Options.MaxPerOwner.
	DefaultMaxPerOwner = 50
)

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

	// MaxPerOwner bounds the sessions listed for one user (core.Index): a
	// login past it ends that user's sessions that expire soonest, the
	// least recently active. Default DefaultMaxPerOwner (50).
	MaxPerOwner int
}

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
	return &Store{client: client, prefix: o.Prefix, timeout: o.Timeout, maxPerOwner: o.MaxPerOwner}, nil
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
	case o.MaxPerOwner == 0:
		o.MaxPerOwner = DefaultMaxPerOwner
	case o.MaxPerOwner < 0:
		return o, configError("MaxPerOwner %d is negative", o.MaxPerOwner)
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
