package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/redisstore"
)

// store is the store the command works on.
type store struct {
	index    core.Index
	describe string // "Redis at 127.0.0.1:6379", for messages; never a password
	closers  []func() error
}

func (s *store) Close() {
	for _, c := range s.closers {
		_ = c()
	}
}

// counter is a store that counts its live sessions: redisstore and
// pgstore.
type counter interface {
	Count(ctx context.Context) (int, error)
}

// cleaner is a store that deletes its expired records when asked:
// pgstore.
type cleaner interface {
	Cleanup(ctx context.Context) (int, error)
}

// open returns the store cfg names, without calling it: the first
// command's call says whether it answers.
func open(cfg config) (*store, error) {
	raw := strings.TrimSpace(cfg.store)
	if raw == "" {
		return nil, fmt.Errorf("no store: give its URL with -store or in TRANSIENT_STORE (redis://..., postgres://...)")
	}
	scheme, _, _ := strings.Cut(raw, "://")
	switch strings.ToLower(scheme) {
	case "redis", "rediss", "unix":
		return openRedis(raw, cfg)
	case "postgres", "postgresql":
		if cfg.cluster {
			return nil, fmt.Errorf("-cluster is for a Redis Cluster, and %s is a PostgreSQL URL", redact(raw))
		}
		return openPostgres(raw, cfg)
	case "cookie", "memory", "cookiestore", "memstore":
		return nil, fmt.Errorf("%s", notReachable)
	}
	return nil, fmt.Errorf("%s is not the URL of a Redis or PostgreSQL store (redis://, rediss://, unix://, postgres://). %s", redact(raw), notReachable)
}

// notReachable says why a cookie or memory store's sessions are out of
// the command's reach.
const notReachable = "transient works on the sessions an application keeps in Redis or PostgreSQL: " +
	"a cookie store (cookiestore) keeps each session in its visitor's browser, and a memory store (memstore) in the application's own process, " +
	"where no other program can list or end them; the application itself can, with Manager.Sessions and Manager.EndSession"

func openRedis(raw string, cfg config) (*store, error) {
	opts := &redisstore.Options{Prefix: cfg.prefix, Timeout: cfg.timeout}
	if !cfg.cluster {
		st, err := redisstore.NewFromURL(raw, opts)
		if err != nil {
			return nil, fmt.Errorf("-store %s: %w", redact(raw), err)
		}
		return &store{index: st, describe: "Redis at " + redact(raw), closers: []func() error{st.Close}}, nil
	}
	co, err := redis.ParseClusterURL(raw)
	if err != nil {
		return nil, fmt.Errorf("-store %s: %w", redact(raw), err)
	}
	// The budgets NewFromURL gives a client of its own, for a command
	// that must not hang on a node that does not answer.
	co.ContextTimeoutEnabled = true
	co.DialTimeout = min(redisstore.DefaultDialTimeout, cfg.timeout)
	co.ReadTimeout = min(redisstore.DefaultAnswerTimeout, cfg.timeout)
	co.WriteTimeout = co.ReadTimeout
	client := redis.NewClusterClient(co)
	st, err := redisstore.New(client, opts)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("-store %s: %w", redact(raw), err)
	}
	return &store{index: st, describe: "Redis Cluster at " + strings.Join(co.Addrs, ", "), closers: []func() error{st.Close, client.Close}}, nil
}

func openPostgres(raw string, cfg config) (*store, error) {
	st, err := pgstore.NewFromURL(raw, &pgstore.Options{
		Table:           cfg.table,
		Schema:          cfg.schema,
		Timeout:         cfg.timeout,
		QueryTimeout:    cfg.timeout, // a count of a large table answers late
		CleanupInterval: -1,          // cleanup runs once, when asked
	})
	if err != nil {
		return nil, fmt.Errorf("-store %s: %w", redact(raw), err)
	}
	return &store{index: st, describe: "PostgreSQL at " + redact(raw), closers: []func() error{st.Close}}, nil
}

// redact returns raw with its password, if any, replaced by "xxxxx".
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "(the URL given)"
	}
	return u.Redacted()
}
