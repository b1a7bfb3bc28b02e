// Command blog is a small blog that shows transient's sessions, flash
// messages and CSRF tokens at work, on net/http, Gin, Echo or Fiber.
//
//	go run ./examples/blog
//
// serves it at http://127.0.0.1:8080, with the demo accounts alice
// (password wonderland) and bob (password builder). README.md explains the
// flags, and how to start an application of your own from this one.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// defaultPostgresURL is the database of -store postgres when neither
// -postgres nor DATABASE_URL names one.
const defaultPostgresURL = "postgres://localhost:5432/blog?sslmode=disable"

// config is what the flags choose.
type config struct {
	addr        string       // host:port to listen on
	framework   string       // nethttp, gin, echo, echo5 or fiber
	store       string       // cookie, memory, redis or postgres
	redisURL    string       // for the redis store
	postgresURL string       // for the postgres store
	secret      string       // signs the cookie store's cookies: see secrets
	secure      bool         // serve the session cookie as __Host-session, Secure
	users       *users       // the accounts that can log in; nil means demoUsers()
	log         *slog.Logger // where the blog and its server log errors
	metrics     string       // host:port (loopback) to serve the session metrics on; "" for none

	// observer records what the sessions and their store do: -metrics's,
	// or nil.
	observer *core.Observer

	clock func() time.Time // the sessions' clock (core.Options.Clock); nil means time.Now: tests move it
}

func main() {
	cfg := config{log: slog.Default()}
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	flag.StringVar(&cfg.framework, "framework", "nethttp", "web framework: nethttp, gin, echo (Echo v4), echo5 (Echo v5) or fiber")
	flag.StringVar(&cfg.store, "store", "cookie", "session store: cookie, memory, redis or postgres")
	flag.StringVar(&cfg.redisURL, "redis", "redis://127.0.0.1:6379/0", "Redis `URL` of -store=redis")
	flag.StringVar(&cfg.postgresURL, "postgres", "", "PostgreSQL `URL` of -store=postgres (default $DATABASE_URL, or "+defaultPostgresURL+")")
	flag.StringVar(&cfg.secret, "secret", "", "`secrets` that sign the cookies of -store=cookie, 32 bytes or more each: one, or a comma-separated list, newest first, to rotate them (the first signs new cookies, all verify) (default $BLOG_SECRET, or a random one)")
	flag.BoolVar(&cfg.secure, "secure", false, "mark the session cookie Secure and name it __Host-session: set it when the blog is served over HTTPS")
	flag.StringVar(&cfg.metrics, "metrics", "", "serve the session metrics for Prometheus at http://`host:port`/metrics, a loopback address such as 127.0.0.1:9464 (default: none)")
	flag.Parse()
	if cfg.secret == "" {
		cfg.secret = os.Getenv("BLOG_SECRET")
	}
	if cfg.postgresURL == "" {
		cfg.postgresURL = cmp.Or(os.Getenv("DATABASE_URL"), defaultPostgresURL)
	}
	if err := cfg.check(flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "blog: %v\nRun blog -h to see the flags.\n", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "blog: %v\n", err)
		os.Exit(exitCode(err))
	}
}

// exitCode returns the exit status for an error that stopped the blog: 2,
// as for a wrong flag, for a setting that the store or the Manager
// rejects (such as a -redis URL that does not parse), 1 for anything else
// (a store that does not answer, a port already taken).
func exitCode(err error) int {
	if errors.Is(err, core.ErrConfig) {
		return 2
	}
	return 1
}

// check reports a flag with a wrong value, or an argument: the blog takes
// none.
func (cfg config) check(args []string) error {
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return fmt.Errorf("-addr %q: want host:port, such as 127.0.0.1:8080", cfg.addr)
	}
	switch cfg.framework {
	case "nethttp", "gin", "echo", "echo5", "fiber":
	default:
		return fmt.Errorf("-framework %q: want nethttp, gin, echo, echo5 or fiber", cfg.framework)
	}
	switch cfg.store {
	case "cookie", "memory", "redis", "postgres":
	default:
		return fmt.Errorf("-store %q: want cookie, memory, redis or postgres", cfg.store)
	}
	if cfg.store == "postgres" {
		// pgx's message names the URL with its password hidden.
		if _, err := pgxpool.ParseConfig(cfg.postgresURL); err != nil {
			return fmt.Errorf("-postgres (or DATABASE_URL): %w", err)
		}
	}
	if cfg.store == "cookie" && cfg.secret != "" {
		secrets := cfg.secrets()
		for i, secret := range secrets {
			if len(secret) >= cookiestore.MinSecretLength {
				continue
			}
			which := "-secret (or BLOG_SECRET)"
			if len(secrets) > 1 {
				which = fmt.Sprintf("secret %d of -secret (or BLOG_SECRET), a comma-separated list,", i+1)
			}
			return fmt.Errorf("%s is %d bytes: want %d or more, such as the output of openssl rand -hex 32",
				which, len(secret), cookiestore.MinSecretLength)
		}
	}
	if cfg.metrics != "" {
		if err := checkMetrics(cfg.metrics); err != nil {
			return err
		}
	}
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	return nil
}

// secrets returns the secrets of the cookie store, newest first. -secret
// (or BLOG_SECRET) is one secret or several separated by commas, with the
// spaces around each ignored. To rotate, put a new secret first and keep
// the old one after it: the first signs every new cookie, the others still
// verify the cookies they signed, which are re-issued under the first on
// their next request. Drop the old one a day later, once the sessions it
// signed have expired (core.DefaultAbsoluteTimeout).
func (cfg config) secrets() []string {
	secrets := strings.Split(cfg.secret, ",")
	for i, s := range secrets {
		secrets[i] = strings.TrimSpace(s)
	}
	return secrets
}

// run serves the blog until the process is interrupted.
func run(cfg config) error {
	randomSecret := cfg.store == "cookie" && cfg.secret == ""
	if randomSecret {
		cfg.secret = newSecret()
	}
	var metricsSrv *http.Server
	var metricsLn net.Listener
	if cfg.metrics != "" {
		m, err := newMetrics()
		if err != nil {
			return err
		}
		cfg.observer = m.observer
		if metricsLn, err = net.Listen("tcp", cfg.metrics); err != nil {
			return fmt.Errorf("-metrics: %w", err)
		}
		defer metricsLn.Close()
		metricsSrv = m.server()
	}
	store, closeStore, err := newStore(cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	srv, err := newServer(cfg, store)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if randomSecret {
		// Keep a secret in BLOG_SECRET, or in your secrets manager, so
		// that sessions survive a restart: make one with openssl rand -hex 32.
		fmt.Println("Warning: no -secret or BLOG_SECRET: using a random secret, so sessions end when the process stops.")
	}
	if !cfg.secure {
		fmt.Println("Session cookies are not marked Secure, because the blog serves plain HTTP: pass -secure when it is served over HTTPS.")
	}
	fmt.Printf("Blog served by %s with the %s store at http://%s\n", cfg.framework, cfg.store, ln.Addr())
	fmt.Println("Demo accounts: alice (password wonderland) and bob (password builder)")
	if cfg.store == "cookie" {
		fmt.Println("The JSON API at /api/ needs a server-side store: run with -store memory, redis or postgres.")
	} else {
		fmt.Printf("JSON API for clients without cookies: POST http://%s/api/login, with the token in the Authorization header\n", ln.Addr())
	}
	if metricsSrv != nil {
		fmt.Printf("Session metrics for Prometheus at http://%s/metrics\n", metricsLn.Addr())
		go func() { _ = metricsSrv.Serve(metricsLn) }()
		defer metricsSrv.Close()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Println("Shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// newSecret returns a random secret for the cookie store.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// A server serves the blog on a listener until it is shut down.
// *http.Server is one.
type server interface {
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// newServer returns the blog, with sessions kept in store, served by the
// framework cfg names.
func newServer(cfg config, store core.Store) (server, error) {
	// The Manager logs what fails a request (a store outage, say) to the
	// blog's logger, once; the pages only answer.
	opts := &core.Options{Logger: cfg.log, Observer: cfg.observer, Clock: cfg.clock}
	if cfg.store != "cookie" {
		// Device-bound sessions (DBSC): at login, a browser that can (Chrome
		// on Windows, for one) binds the session to a key in the device's
		// hardware, and a copy of its cookies stops working anywhere else
		// within minutes. The cookie store cannot make its challenges single
		// use: NewManager refuses binding with it.
		opts.DeviceBinding = &core.DeviceBinding{}
	}
	if cfg.secure {
		// Over HTTPS the cookie is Secure, as the Manager makes it by
		// default, and named with the __Host- prefix, which browsers
		// accept only on a Secure cookie of the host itself, for the
		// whole site (Path=/, no Domain): a page of a sibling subdomain
		// (evil.example.com next to blog.example.com) cannot set a
		// cookie of that name, so it cannot slip the visitor a session of
		// its choosing (cookie tossing). NewManager checks those rules.
		opts.CookieName = "__Host-session"
	} else {
		// Over plain HTTP, Chromium and Firefox accept a Secure cookie
		// from localhost, but not from a LAN address or a container's
		// name, where the blog may be served too: without -secure the
		// cookie is not Secure, and so cannot have the __Host- prefix.
		opts.Insecure = true
	}
	m, err := core.NewManager(store, opts)
	if err != nil {
		return nil, err
	}
	b, err := newBlog(m, cfg.framework, cfg.store, cfg.log)
	if err != nil {
		return nil, err
	}
	// The JSON API's sessions (api.go): a second Manager over the same
	// store, whose token travels in the Authorization header rather than
	// in a cookie. It keeps no cookie options: it sends no cookie.
	// NewManager refuses it with the cookie store, whose tokens would carry
	// the whole session and could not be ended before they expire; the API
	// then answers 501 with the reason, rather than keep its sessions
	// somewhere else than the pages'.
	b.api, b.apiOff = core.NewManager(store, &core.Options{
		TokenHeader: "Authorization",
		Logger:      cfg.log,
		Observer:    cfg.observer,
		Clock:       cfg.clock,
	})
	if b.apiOff != nil && cfg.store != "cookie" {
		return nil, b.apiOff
	}
	if cfg.users != nil {
		b.users = cfg.users
	}
	switch cfg.framework {
	case "nethttp":
		return newHTTPServer(b, netHTTPHandler(b, m)), nil
	case "gin":
		return newHTTPServer(b, ginHandler(b, m)), nil
	case "echo":
		return newHTTPServer(b, echoHandler(b, m)), nil
	case "echo5":
		return newHTTPServer(b, echo5Handler(b, m)), nil
	case "fiber":
		return newFiberServer(b, m), nil
	}
	return nil, fmt.Errorf("unknown framework %q", cfg.framework)
}

// newHTTPServer returns a server for a net/http handler (net/http, Gin and
// both Echos all make one), refusing forms posted from other sites. The server
// logs what goes wrong (a handler that panics, a response written twice)
// to the blog's logger: Gin and Echo, made with gin.New and echo.New, leave
// a panic to net/http, which answers it by closing the connection.
func newHTTPServer(b *blog, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           b.crossOriginProtection(h),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelError),
	}
}
