package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/observed"
)

// Defaults for the zero fields of [Options], and for the pool that
// [NewFromURL] builds. The package documentation's Failures section tells
// what each budget is for.
const (
	// DefaultTable is the default Options.Table.
	DefaultTable = "sessions"

	// DefaultMaxPerOwner is the default Options.MaxPerOwner.
	DefaultMaxPerOwner = 50

	// DefaultTimeout is the default Options.Timeout, the call budget.
	DefaultTimeout = 10 * time.Second

	// DefaultQueryTimeout is the default Options.QueryTimeout, the answer
	// budget: a session page answers 503 within about a second of
	// PostgreSQL hanging.
	DefaultQueryTimeout = time.Second

	// DefaultConnectTimeout is the connect budget of NewFromURL's pool
	// (pgx's ConnectTimeout): how long one attempt to open a connection
	// may take.
	DefaultConnectTimeout = 5 * time.Second

	// DefaultCleanupInterval is the default Options.CleanupInterval.
	DefaultCleanupInterval = 5 * time.Minute

	// DefaultCleanupBatch is the default Options.CleanupBatch.
	DefaultCleanupBatch = 1000
)

// maxIdentifier is PostgreSQL's limit on a name, in bytes (NAMEDATALEN-1).
const maxIdentifier = 63

// Options configures a Store, and names the table for [Migrate] and
// [Schema]. A nil *Options and the zero value both mean the defaults.
type Options struct {
	// Table is the name of the table that holds the sessions, as created
	// by Migrate or Schema. Default DefaultTable ("sessions"). It is quoted
	// (pgx.Identifier), so it is taken as written, case included; it is at
	// most 55 bytes long, since the indexes are named after it.
	Table string

	// Schema is the PostgreSQL schema of Table. Default "": the first
	// schema of the connection's search_path that has the table.
	Schema string

	// MaxPerOwner bounds the sessions listed for one user (core.Index): a
	// login past it deletes that user's least recently written sessions.
	// Default DefaultMaxPerOwner (50); negative is an error.
	MaxPerOwner int

	// Timeout is the call budget: the longest one call to the store (a
	// Load, Create, Update, Renew, UpdateLocked, Delete, List, End, Ping,
	// or one batch of Cleanup) may take in all, waiting for a pooled
	// connection, connecting, waiting for the record's turn and running
	// the statements included. The request context's own deadline applies
	// too, whichever comes first (its cancellation without a deadline lets
	// a statement under way finish: see the package documentation's
	// Failures section). Default DefaultTimeout (10s); negative is an
	// error.
	//
	// It is generous on purpose: it is what a healthy PostgreSQL gets
	// when the application is saturated, as during a burst of logins that
	// each hash a password, and a call waits for a CPU, or for a pooled
	// connection that other calls hold. A PostgreSQL that is down or hung
	// is found sooner: see QueryTimeout and the package documentation.
	Timeout time.Duration

	// QueryTimeout is the answer budget: how long a call waits while
	// PostgreSQL answers nothing. A call fails once PostgreSQL has
	// answered none of the store's calls for QueryTimeout, counted from
	// the call's start or from the last answer, whichever is later,
	// wherever the call is: waiting for its statement's answer, for
	// pgxpool's ping of an idle connection, for a new connection, or for
	// a pooled connection that other calls hold. So a hung PostgreSQL, or
	// a network that drops every packet, fails every call within it,
	// while a healthy one that answers late because it is busy keeps
	// answering some call, and the call has the call budget. A statement
	// cut short closes its connection. Half of it bounds a hold of
	// UpdateLocked. Default DefaultQueryTimeout (1s); negative is an
	// error. It is never longer than Timeout, and must be longer than a
	// new connection takes, TLS and authentication included (milliseconds
	// on a local network), or the calls that need one fail.
	QueryTimeout time.Duration

	// CleanupInterval is how often the store deletes expired rows itself,
	// from a goroutine that New starts and Close stops (see
	// [Store.Cleanup]). Default DefaultCleanupInterval (5 minutes); a
	// negative value disables it, for an application that calls Cleanup
	// on its own schedule.
	CleanupInterval time.Duration

	// CleanupBatch is how many expired rows one statement of Cleanup
	// deletes at most. Default DefaultCleanupBatch (1000); negative is an
	// error.
	CleanupBatch int

	// Clock returns the current time. Default time.Now. The store decides
	// what has expired by this clock, passed to PostgreSQL with each
	// statement, never by the database's now().
	Clock func() time.Time

	// Logger receives the errors of the cleanup that the store runs
	// itself, which would otherwise go unseen. Default nil: slog.Default()
	// at the time of logging.
	Logger *slog.Logger

	// Observer is told of each of the store's calls to PostgreSQL (a
	// Load, a Create, ..., one batch of Cleanup), with how it failed, if
	// it did, and of the state of the store's circuit breaker
	// (core.Observer's StoreCall and Breaker), for metrics and traces:
	// give it the Manager's. A call the store answers without a round trip (a
	// token that is not an ID) is none. Default nil: nothing is recorded,
	// at the cost of a nil check.
	Observer *core.Observer

	// TracerProvider, if set, traces the pool that PoolConfig configures,
	// and so NewFromURL's: each of pgx's queries is a span (from otelpgx's
	// tracer, set as the pool's ConnConfig.Tracer), the child of the store
	// call's span when Observer makes one. The spans hold the SQL, which
	// names the table and no session, and PostgreSQL's address, database
	// and user; never the queries' parameters, which hold the keys of the
	// records (the sessions' handles) and their payloads. Default nil: no
	// spans. New leaves a pool it is given as it is: set its
	// ConnConfig.Tracer, keeping the parameters out, to trace it.
	TracerProvider trace.TracerProvider
}

// resolve applies the defaults to opts and validates them.
func resolve(opts *Options) (Options, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Table == "" {
		o.Table = DefaultTable
	}
	switch {
	case len(o.Table) > maxIdentifier-len(indexSuffix):
		return o, configError("Table %q is longer than %d bytes", o.Table, maxIdentifier-len(indexSuffix))
	case len(o.Schema) > maxIdentifier:
		return o, configError("Schema %q is longer than %d bytes", o.Schema, maxIdentifier)
	case strings.ContainsRune(o.Table+o.Schema, 0):
		return o, configError("Table and Schema must not contain a NUL byte")
	case o.MaxPerOwner < 0 || o.CleanupBatch < 0:
		return o, configError("MaxPerOwner and CleanupBatch must not be negative")
	case o.Timeout < 0 || o.QueryTimeout < 0:
		return o, configError("Timeout and QueryTimeout must not be negative")
	}
	if o.MaxPerOwner == 0 {
		o.MaxPerOwner = DefaultMaxPerOwner
	}
	if o.CleanupBatch == 0 {
		o.CleanupBatch = DefaultCleanupBatch
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.QueryTimeout == 0 {
		o.QueryTimeout = DefaultQueryTimeout
	}
	o.QueryTimeout = min(o.QueryTimeout, o.Timeout)
	if o.CleanupInterval == 0 {
		o.CleanupInterval = DefaultCleanupInterval
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o, nil
}

// table returns the quoted, schema-qualified name of o's table.
func (o *Options) table() string {
	if o.Schema == "" {
		return pgx.Identifier{o.Table}.Sanitize()
	}
	return pgx.Identifier{o.Schema, o.Table}.Sanitize()
}

// index returns the quoted, schema-qualified name of o's table's index
// whose name ends with suffix.
func (o *Options) index(suffix string) string {
	if o.Schema == "" {
		return pgx.Identifier{o.Table + suffix}.Sanitize()
	}
	return pgx.Identifier{o.Schema, o.Table + suffix}.Sanitize()
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: pgstore: "+format, append([]any{core.ErrConfig}, args...)...)
}

// New returns a Store that keeps sessions in the table that opts names,
// through pool, which the application builds and closes. opts may be nil.
// The table must exist: see [Migrate] and [Schema].
//
// pool's ConnectTimeout (pgx.ConnConfig.ConnectTimeout, or connect_timeout
// in the URL) must be set: pgxpool otherwise gives a connection attempt two
// minutes, during which, with PostgreSQL unreachable, it holds a place in
// the pool after the call that started it has given up, and the pool can
// fill with attempts that delay recovery by as long. New returns an error
// matching core.ErrConfig when pool is nil, when its ConnectTimeout is
// zero, or when opts are invalid.
//
// New makes no call to PostgreSQL: the application starts while the
// database is down, and its requests that use the session fail with 503
// until it is back. Call [Store.Ping] to check the connection and the
// table at start-up. Unless opts.CleanupInterval is negative, New starts a
// goroutine that deletes expired rows; [Store.Close] stops it. Close does
// not close pool.
//
// The store takes a connection it finds closed out of pool
// (pgxpool.Conn.Hijack) rather than release it, so pool's BeforeClose hook
// is not called for it: see the package documentation's Failures section.
func New(pool *pgxpool.Pool, opts *Options) (*Store, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if pool == nil {
		return nil, configError("pool is nil")
	}
	if pool.Config().ConnConfig.ConnectTimeout <= 0 {
		return nil, configError("the pool's ConnectTimeout is not set, so an attempt to connect to an unreachable PostgreSQL would hold a place in the pool for two minutes; add connect_timeout=5 to the URL, or set ConnConfig.ConnectTimeout")
	}
	s := &Store{
		pool:         pool,
		sql:          newStatements(o.table()),
		named:        pool.Config().ConnConfig.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement,
		hold:         strconv.FormatInt(max(holdTimeout(o.QueryTimeout).Milliseconds(), 1), 10),
		now:          o.Clock,
		timeout:      o.Timeout,
		queryTimeout: o.QueryTimeout,
		maxPerOwner:  o.MaxPerOwner,
		batch:        o.CleanupBatch,
		log:          o.Logger,
		breaker:      newBreaker(),
		addr:         address(&pool.Config().ConnConfig.Config),
		epoch:        time.Now(),
		obs:          observed.New(o.Observer),
	}
	s.healthy.Store(true)
	s.obs.ObserveBreaker(name, s.breaker)
	if o.CleanupInterval > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopCleanup, s.cleanupDone = cancel, make(chan struct{})
		go s.cleanupLoop(ctx, o.CleanupInterval)
	}
	return s, nil
}

// Close stops the store's cleanup goroutine, waiting for a cleanup under
// way to stop, and closes the pool that NewFromURL created, waiting for
// the calls that use it to end; calls after that fail. It does not close a
// pool passed to New, which belongs to the application. It returns nil,
// and does nothing the second time.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.stopCleanup != nil {
			s.stopCleanup()
			<-s.cleanupDone
		}
		if s.owned {
			s.pool.Close()
		}
	})
	return nil
}

// closer is the part of Store that Close uses.
type closer struct {
	closeOnce   sync.Once
	stopCleanup context.CancelFunc // nil without a cleanup goroutine
	cleanupDone chan struct{}      // closed when the goroutine returns
}
