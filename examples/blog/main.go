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
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/redisstore"
)

// config is what the flags choose.
type config struct {
	addr      string       // host:port to listen on
	framework string       // nethttp, gin, echo or fiber
	store     string       // cookie, memory or redis
	redisURL  string       // for the redis store
	secret    string       // signs the cookie store's cookies: see secrets
	secure    bool         // mark the session cookie Secure
	users     users        // the accounts that can log in; nil means demoUsers()
	log       *slog.Logger // where the blog and its server log errors
}

func main() {
	cfg := config{log: slog.Default()}
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	flag.StringVar(&cfg.framework, "framework", "nethttp", "web framework: nethttp, gin, echo or fiber")
	flag.StringVar(&cfg.store, "store", "cookie", "session store: cookie, memory or redis")
	flag.StringVar(&cfg.redisURL, "redis", "redis://127.0.0.1:6379/0", "Redis `URL` of -store=redis")
	flag.StringVar(&cfg.secret, "secret", "", "`secrets` that sign the cookies of -store=cookie, 32 bytes or more each: one, or a comma-separated list, newest first, to rotate them (the first signs new cookies, all verify) (default $BLOG_SECRET, or a random one)")
	flag.BoolVar(&cfg.secure, "secure", false, "mark session cookies Secure: set it when the blog is served over HTTPS")
	flag.Parse()
	if cfg.secret == "" {
		cfg.secret = os.Getenv("BLOG_SECRET")
	}
	if err := cfg.check(flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "blog: %v\nRun blog -h to see the flags.\n", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "blog: %v\n", err)
		if errors.Is(err, core.ErrConfig) { // a setting the store rejects, such as a bad -redis URL
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// check reports a flag with a wrong value, or an argument: the blog takes
// none.
func (cfg config) check(args []string) error {
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return fmt.Errorf("-addr %q: want host:port, such as 127.0.0.1:8080", cfg.addr)
	}
	switch cfg.framework {
	case "nethttp", "gin", "echo", "fiber":
	default:
		return fmt.Errorf("-framework %q: want nethttp, gin, echo or fiber", cfg.framework)
	}
	switch cfg.store {
	case "cookie", "memory", "redis":
	default:
		return fmt.Errorf("-store %q: want cookie, memory or redis", cfg.store)
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
	store, err := newStore(cfg)
	if err != nil {
		return err
	}
	if c, ok := store.(io.Closer); ok { // the Redis store has a connection pool
		defer c.Close()
	}
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
		fmt.Println("Session cookies are not marked Secure, because the blog serves plain HTTP on localhost: pass -secure when it is served over HTTPS.")
	}
	fmt.Printf("Blog served by %s with the %s store at http://%s\n", cfg.framework, cfg.store, ln.Addr())
	fmt.Println("Demo accounts: alice (password wonderland) and bob (password builder)")

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

// newStore returns the session store cfg names.
func newStore(cfg config) (core.Store, error) {
	switch cfg.store {
	case "cookie":
		return cookiestore.New(&cookiestore.Options{Secrets: cfg.secrets()})
	case "memory":
		st, err := memstore.New(nil)
		if err != nil {
			return nil, err
		}
		return st, nil
	case "redis":
		// Redis is not called until the first request: the blog starts
		// while Redis is down, and answers 503 until it is up.
		st, err := redisstore.NewFromURL(cfg.redisURL, nil)
		if err != nil {
			return nil, fmt.Errorf("-redis %q: %w", cfg.redisURL, err)
		}
		return st, nil
	}
	return nil, fmt.Errorf("unknown store %q", cfg.store)
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
	// Session cookies are Secure by default, and clients send a Secure
	// cookie back over HTTPS only (browsers make an exception for
	// localhost). The blog serves plain HTTP, so it asks for them with
	// -secure only.
	// The Manager logs what fails a request (a store outage, say) to the
	// blog's logger, once; the pages only answer.
	m, err := core.NewManager(store, &core.Options{Insecure: !cfg.secure, Logger: cfg.log})
	if err != nil {
		return nil, err
	}
	b, err := newBlog(cfg.framework, cfg.store, cfg.log)
	if err != nil {
		return nil, err
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
	case "fiber":
		return newFiberServer(b, m), nil
	}
	return nil, fmt.Errorf("unknown framework %q", cfg.framework)
}

// newHTTPServer returns a server for a net/http handler (net/http, Gin and
// Echo all make one), refusing forms posted from other sites. The server
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
