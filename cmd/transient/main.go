// Command transient finds and ends the sessions that a transient
// application keeps in Redis or PostgreSQL, for its operators: how many
// are live, a user's sessions (device, last seen, created), ending one of
// them or all of a user's ("log out everywhere", after a stolen laptop),
// and pgstore's cleanup of expired rows, once.
//
//	transient [flags] count
//	transient [flags] list USER
//	transient [flags] end USER HANDLE
//	transient [flags] end-all USER
//	transient [flags] cleanup
//
// The store is a URL, given with -store or in TRANSIENT_STORE (better for
// one with a password, which a command line shows to every user of the
// machine): redis://, rediss:// or unix:// for Redis (-cluster for a
// Redis Cluster), postgres:// or postgresql:// for PostgreSQL. A cookie
// store keeps each session in its visitor's browser and a memory store in
// the application's process: no command reaches those, and transient says
// so. Flags may come before or after the command's name:
//
//	-store URL        the store (default $TRANSIENT_STORE)
//	-cluster          the Redis URL names a node of a Redis Cluster; more
//	                  nodes as addr= in its query (go-redis's ParseClusterURL)
//	-cookie-name NAME the application's core.Options.CookieName (default
//	                  "session"): a session is listed under the name it was
//	                  issued under only
//	-token-header NAME the core.Options.TokenHeader of the application's
//	                  Manager for API clients (such as Authorization): its
//	                  sessions, rather than the cookie's
//	-prefix PREFIX    redisstore's Options.Prefix (default "session:")
//	-table, -schema   pgstore's Options.Table and Schema (default "sessions")
//	-json             print JSON, one document, rather than text
//	-timeout D        how long the command may take (default 30s)
//
// Sessions are shown by handle (core.HandleOf), never by ID: a handle
// names a session, and ends it with this command, but is worth nothing in
// a cookie. The command uses the library's public API only: a
// core.Manager over the store for lists and ends, and the stores' Count
// and pgstore's Cleanup.
//
// # Exit status
//
//	0  done
//	1  the store failed: down, unreachable, a password refused, ...
//	2  a usage error: a wrong flag or command, a missing argument, a store
//	   that is not Redis or PostgreSQL, cleanup with Redis
//	3  not found: end named no live session of the user
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/transient-go/transient/core"
)

// The exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNotFound = 3
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// config is what the flags choose.
type config struct {
	store      string
	cluster    bool
	cookieName string
	header     string // core.Options.TokenHeader; "": the cookie's sessions
	prefix     string
	table      string
	schema     string
	json       bool
	timeout    time.Duration
}

const usage = `usage:
  transient [flags] count            how many live sessions the store holds
  transient [flags] list USER        USER's sessions: handle, last seen, created, device
  transient [flags] end USER HANDLE  end one of USER's sessions
  transient [flags] end-all USER     end every session of USER
  transient [flags] cleanup          delete PostgreSQL's expired rows, once

The store's URL comes from -store or TRANSIENT_STORE. Exit status: 0 done,
1 the store failed, 2 a usage error, 3 no such session.

flags:
`

// run runs the command with args and the environment getenv, and returns
// its exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("transient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.store, "store", "", "the store's `URL`: redis://, rediss://, unix:// or postgres:// (default $TRANSIENT_STORE)")
	fs.BoolVar(&cfg.cluster, "cluster", false, "the Redis URL names a node of a Redis Cluster (more nodes as addr= in its query)")
	fs.StringVar(&cfg.cookieName, "cookie-name", core.DefaultCookieName, "the application's session cookie `name` (core.Options.CookieName)")
	fs.StringVar(&cfg.header, "token-header", "", "the `header` of the application's Manager for API clients (core.Options.TokenHeader, such as Authorization): its sessions rather than the cookie's")
	fs.StringVar(&cfg.prefix, "prefix", "", "redisstore's Options.Prefix (default \"session:\")")
	fs.StringVar(&cfg.table, "table", "", "pgstore's Options.Table (default \"sessions\")")
	fs.StringVar(&cfg.schema, "schema", "", "pgstore's Options.Schema (default: the search_path's)")
	fs.BoolVar(&cfg.json, "json", false, "print JSON")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "how long the command may take")
	// Flags before the command's name, then after it.
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return exitUsage
	}
	name := rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return exitUsage
	}
	args = fs.Args()
	cmd, ok := lookup(name)
	switch {
	case !ok:
		fmt.Fprintf(stderr, "transient: unknown command %q\n", name)
		fs.Usage()
		return exitUsage
	case len(args) != len(cmd.args):
		fmt.Fprintf(stderr, "transient: %s takes %d arguments (%v); got %d\n", name, len(cmd.args), cmd.args, len(args))
		return exitUsage
	}
	if cfg.store == "" {
		cfg.store = getenv("TRANSIENT_STORE")
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	st, err := open(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "transient: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	out := &output{w: stdout, json: cfg.json}
	err = cmd.run(ctx, st, cfg, args, out)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "transient: %v\n", err)
		return exitUsage
	case errors.Is(err, core.ErrNotFound):
		fmt.Fprintf(stderr, "transient: %v\n", err)
		return exitNotFound
	}
	fmt.Fprintf(stderr, "transient: %s: %v\n", st.describe, err)
	return exitFailed
}

// errUsage is matched by the errors of a command that does not apply.
var errUsage = errors.New("usage")
