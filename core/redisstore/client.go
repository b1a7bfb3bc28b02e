package redisstore

import (
	"fmt"
	"runtime"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/observed"
)

// Defaults for the zero fields of [Options], and for the client that
// [NewFromURL] builds. The package documentation's Failures section tells
// what each budget is for.
const (
	// DefaultPrefix is the default Options.Prefix.
	DefaultPrefix = "session:"

	// DefaultTimeout is the default Options.Timeout, the call budget.
	DefaultTimeout = 30 * time.Second

	// DefaultDialTimeout is the connect budget of NewFromURL's client
	// (go-redis's DialTimeout): how long one attempt to open a
	// connection to Redis may take.
	DefaultDialTimeout = 5 * time.Second

	// DefaultAnswerTimeout is the answer budget of NewFromURL's client
	// (go-redis's ReadTimeout and WriteTimeout): how long Redis has to
	// take a command and to answer it, counted from when the command is
	// sent.
	DefaultAnswerTimeout = time.Second

	// DefaultPoolSize is how many connections NewFromURL's client opens
	// at most (go-redis's PoolSize), unless go-redis's own default of 10
	// per CPU is larger.
	DefaultPoolSize = 128

	// DefaultMaxPerOwner is the default Options.MaxPerOwner.
	DefaultMaxPerOwner = 50
)

// Options configures a Store. A nil *Options and the zero value both mean
// the defaults.
type Options struct {
	// Prefix starts every key the Store writes; the rest of a session's
	// key is the first 20 bytes of the SHA-256 of the session ID, as they
	// are, not text. Default DefaultPrefix ("session:"). Give each
	// application that shares a Redis database its own prefix. Redis
	// keeps a key of up to 30 bytes in its smallest allocation for keys:
	// a prefix of up to 10 bytes keeps a session's key in it.
	Prefix string

	// Timeout is the call budget: the longest one call to Redis (a Load,
	// Save, Renew, Delete or Ping) may take in all, waiting for a pooled
	// connection, connecting, sending the command, reading the answer and
	// retrying included. The request context's own deadline applies too,
	// whichever comes first. The calls whose context cannot be canceled
	// (every commit's) and that begin within a sixteenth of Timeout of
	// each other share one deadline, so that each costs no timer of its
	// own: such a call may take a sixteenth more. Default DefaultTimeout
	// (30s); negative is an error.
	//
	// It is generous on purpose: it is what a healthy Redis gets when the
	// application's own CPUs are saturated, as during a burst of logins
	// that each hash a password, and a call waits for a CPU, or for a
	// connection that another call holds while it waits for one. A Redis
	// that is down or hung is found sooner: a refused connection fails a
	// call at once, and NewFromURL's client gives a command its answer
	// budget (DefaultAnswerTimeout), without a retry, and a connection
	// attempt its connect budget (DefaultDialTimeout); its breaker then
	// fails the calls that follow at once.
	Timeout time.Duration

	// MaxPerOwner bounds the sessions listed for one user (core.Index): a
	// login past it ends that user's sessions that expire soonest, the
	// least recently active. Default DefaultMaxPerOwner (50).
	MaxPerOwner int

	// Observer is told of each of the store's calls (a Load, a Create,
	// ...), with how it failed, if it did, and of the state of
	// NewFromURL's circuit breaker (core.Observer's StoreCall and
	// Breaker), for metrics and traces: give it the Manager's. A call the
	// store answers without a round trip (a token that is not an ID) is
	// none. Default nil: nothing is recorded, at the cost of a nil check.
	Observer *core.Observer

	// TracerProvider, if set, traces NewFromURL's client: each command
	// and pipeline is a span, from go-redis's redisotel, the child of the
	// store call's span when Observer makes one. The spans hold the
	// commands' names and Redis's address, never their arguments, which
	// hold the sessions' keys (their handles) and payloads. Default nil:
	// no spans. New leaves a client it is given as it is: instrument it
	// with redisotel.InstrumentTracing, with WithDBStatement(false).
	TracerProvider trace.TracerProvider
}

// New returns a Store that keeps sessions through client: a *redis.Client
// (single server or Sentinel, from redis.NewFailoverClient), a
// *redis.ClusterClient or a *redis.Ring. opts may be nil.
//
// go-redis honours context deadlines on reads and writes only when its
// ContextTimeoutEnabled option is set. New returns an error matching
// core.ErrConfig when client is nil, when opts are invalid, or when the
// client's options can be inspected and ContextTimeoutEnabled is false.
// The package documentation's Failures section lists the other options
// such a client should set (the budgets and pool that NewFromURL gives its
// own); New leaves the client as it is, and installs no circuit breaker on
// it.
//
// New makes no call to Redis: the application starts while Redis is down,
// and its requests that use the session fail with 503 until it is back.
// Call [Store.Ping] to check the connection at start-up. Close does not
// close client; the application does.
func New(client redis.UniversalClient, opts *Options) (*Store, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if err := checkClient(client); err != nil {
		return nil, err
	}
	return &Store{
		client: client, server: describe(client), prefix: o.Prefix, budget: newBudget(o.Timeout), maxPerOwner: o.MaxPerOwner, lease: Lease,
		obs: observed.New(o.Observer),
	}, nil
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
// "rediss://..." for TLS, "unix:///path/redis.sock"). It returns an error
// matching core.ErrConfig for a URL that redis.ParseURL rejects. Like New,
// it makes no call to Redis; call [Store.Ping] to check the connection.
// For Sentinel or Cluster, build the client and call New. Store.Close
// closes the client.
//
// The client has ContextTimeoutEnabled set, a circuit breaker that fails
// calls at once while Redis refuses connections or does not answer them,
// and, unless url's query sets them (dial_timeout=2s, pool_size=64, ...):
//
//   - the connect budget: DialTimeout DefaultDialTimeout (5s), one
//     attempt per dial (DialerRetries 1);
//   - the answer budget: ReadTimeout and WriteTimeout DefaultAnswerTimeout
//     (1s);
//   - no retry of a command that timed out (MaxRetries -1), and one of a
//     command whose connection was dropped, by the breaker;
//   - a pool of at least DefaultPoolSize connections (PoolSize), and PoolTimeout
//     opts.Timeout; pipelines use the same pool (PipelinePoolSize -1).
//
// A budget is never longer than opts.Timeout. The package documentation's
// Failures section explains each choice.
func NewFromURL(url string, opts *Options) (*Store, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, configError("%w", err)
	}
	configure(ro, o.Timeout)
	client := redis.NewClient(ro)
	hook := newBreaker(client.Options(), describe(client))
	client.AddHook(hook) // first: a call the breaker stops is no command
	if o.TracerProvider != nil {
		if err := instrument(client, o.TracerProvider); err != nil {
			_ = client.Close()
			return nil, configError("%w", err)
		}
	}
	s, err := New(client, &o)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	s.obs.ObserveBreaker(name, hook.b)
	s.owned, s.reach = true, hook.reach
	return s, nil
}

// configure gives the options of NewFromURL's client the budgets and pool
// it documents, where the URL's query left them unset.
func configure(ro *redis.Options, timeout time.Duration) {
	ro.ContextTimeoutEnabled = true
	for _, d := range []struct {
		field *time.Duration
		value time.Duration
	}{
		{&ro.DialTimeout, DefaultDialTimeout},
		{&ro.ReadTimeout, DefaultAnswerTimeout},
		{&ro.WriteTimeout, DefaultAnswerTimeout},
		{&ro.PoolTimeout, timeout},
	} {
		if *d.field == 0 {
			*d.field = min(d.value, timeout)
		}
	}
	if ro.PoolSize == 0 {
		ro.PoolSize = max(DefaultPoolSize, 10*runtime.GOMAXPROCS(0))
	}
	if ro.PipelinePoolSize == 0 {
		ro.PipelinePoolSize = -1
	}
	if ro.MaxRetries == 0 {
		ro.MaxRetries = -1 // the breaker's hook sends a dropped call again
	}
	if ro.DialerRetries == 0 {
		ro.DialerRetries = 1
	}
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
