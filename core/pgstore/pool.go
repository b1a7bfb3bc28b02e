package pgstore

import (
	"context"
	"strings"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// PoolConfig returns pgxpool's configuration for the database at url, a
// postgres:// URL or a keyword/value string as pgxpool.ParseConfig reads
// them ("postgres://app:secret@db.example.com:5432/app"), with the budgets
// a pool for the store needs: an application that builds the pool itself,
// to share it with its own queries, starts from it. It returns an error
// matching core.ErrConfig for a URL that pgxpool.ParseConfig rejects, for
// invalid opts, which may be nil, and for an empty url.
//
// An empty url (or one of spaces) is refused, whatever the environment
// holds: it is what an unset variable reads as (os.Getenv("DATABASE_URL")),
// and libpq's rules would turn it into a connection to whatever database
// answers on the local default port, as the operating system's user, with
// the PGHOST, PGUSER and other PG* environment variables filling in. pgx
// still reads those variables for what a URL leaves out (PGPASSWORD, say);
// pass "postgres://" to take everything from them on purpose.
//
// Unless url sets them (connect_timeout=2, pool_max_conns=20, ...), the
// configuration has pgxpool's defaults but for:
//
//   - the connect budget: ConnectTimeout DefaultConnectTimeout (5s), for
//     each address pgx tries;
//   - PingTimeout opts.QueryTimeout: pgxpool pings a connection that was
//     idle for more than a second before it hands it out, and a ping is a
//     statement like any other;
//   - with opts.TracerProvider, a tracer of each query (ConnConfig.Tracer:
//     see Options.TracerProvider).
//
// Neither is longer than opts.Timeout.
func PoolConfig(url string, opts *Options) (*pgxpool.Config, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	return poolConfig(url, o)
}

func poolConfig(url string, o Options) (*pgxpool.Config, error) {
	if strings.TrimSpace(url) == "" {
		return nil, configError("the database URL is empty: give the URL of the store's database, such as postgres://app:secret@db.example.com:5432/app (the README's programs read it from DATABASE_URL)")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, configError("%w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = min(DefaultConnectTimeout, o.Timeout)
	}
	if cfg.PingTimeout == 0 {
		cfg.PingTimeout = o.QueryTimeout
	}
	if o.TracerProvider != nil {
		cfg.ConnConfig.Tracer = tracer(o.TracerProvider)
	}
	return cfg, nil
}

// tracer returns pgx's tracer of the pool that PoolConfig configures with
// a TracerProvider: otelpgx's, which makes a span of each query, with its
// SQL and without its parameters, and records nothing else: its metrics
// would go to a MeterProvider the application did not give (OpenTelemetry's
// global one), so they go nowhere.
func tracer(tp trace.TracerProvider) *otelpgx.Tracer {
	return otelpgx.NewTracer(
		otelpgx.WithTracerProvider(tp),
		otelpgx.WithMeterProvider(noop.NewMeterProvider()),
	)
}

// NewFromURL returns a Store with a pool of its own, configured by
// [PoolConfig], for the database at url. It returns an error matching
// core.ErrConfig for a URL that pgxpool.ParseConfig rejects, for an empty
// url (see PoolConfig), or for invalid opts. Like New, it makes no call to
// PostgreSQL; call [Store.Ping] to check the connection. [Store.Close]
// closes the pool.
func NewFromURL(url string, opts *Options) (*Store, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	cfg, err := poolConfig(url, o)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, configError("%w", err)
	}
	s, err := New(pool, &o)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}
