package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// quiet drops go-redis's log lines: the Redis outage of TestContract makes
// it report the connections it fails to make.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// mainArgs is the environment variable that makes the test binary run the
// blog's main with the arguments it holds, as JSON: see TestStartup.
const mainArgs = "BLOG_TEST_MAIN_ARGS"

// TestMain keeps PostgreSQL, once a test has started it, until the tests
// are over (pgtest.Run): each test that needs it then only creates a
// database.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainArgs); ok {
		os.Args = []string{"blog"}
		if err := json.Unmarshal([]byte(args), &os.Args); err != nil {
			panic(err)
		}
		main()
		os.Exit(0)
	}
	goredis.SetLogger(quiet{})
	os.Exit(pgtest.Run(m))
}

func TestCheck(t *testing.T) {
	good := config{addr: "127.0.0.1:8080", framework: "nethttp", store: "cookie"}
	tests := []struct {
		name string
		edit func(*config)
		args []string
		want string // in the error; "" for none
	}{
		{"defaults", func(*config) {}, nil, ""},
		{"every framework and store", func(c *config) { c.framework, c.store = "fiber", "redis" }, nil, ""},
		{"postgres", func(c *config) { c.store, c.postgresURL = "postgres", defaultPostgresURL }, nil, ""},
		{"postgres, keyword/value", func(c *config) { c.store, c.postgresURL = "postgres", "host=db dbname=blog" }, nil, ""},
		{"postgres, bad URL", func(c *config) { c.store, c.postgresURL = "postgres", "postgres://blog:hunter2@db:port/blog" }, nil, "-postgres (or DATABASE_URL): cannot parse `postgres://blog:xxxxx@db:port/blog`"},
		{"bad URL of another store", func(c *config) { c.postgresURL = "postgres://db:port/blog" }, nil, ""},
		{"any port", func(c *config) { c.addr = ":0" }, nil, ""},
		{"long secret", func(c *config) { c.secret = strings.Repeat("s", 32) }, nil, ""},
		{"short secret, memory store", func(c *config) { c.secret, c.store = "short", "memory" }, nil, ""},
		{"bad addr", func(c *config) { c.addr = "8080" }, nil, `-addr "8080"`},
		{"bad framework", func(c *config) { c.framework = "rails" }, nil, `-framework "rails": want nethttp, gin, echo, echo5 or fiber`},
		{"bad store", func(c *config) { c.store = "disk" }, nil, `-store "disk": want cookie, memory, redis or postgres`},
		{"no store", func(c *config) { c.store = "none" }, nil, `-store "none": want cookie, memory, redis or postgres`},
		{"short secret", func(c *config) { c.secret = "short" }, nil, "-secret (or BLOG_SECRET) is 5 bytes: want 32 or more"},
		{"rotation: new secret, old secret", func(c *config) { c.secret = strings.Repeat("n", 32) + "," + strings.Repeat("o", 32) }, nil, ""},
		{"rotation, spaces around the comma", func(c *config) { c.secret = strings.Repeat("n", 32) + " , " + strings.Repeat("o", 32) }, nil, ""},
		{"rotation, short old secret", func(c *config) { c.secret = strings.Repeat("n", 32) + ",short" }, nil, "secret 2 of -secret (or BLOG_SECRET), a comma-separated list, is 5 bytes: want 32 or more"},
		{"rotation, short new secret", func(c *config) { c.secret = "short," + strings.Repeat("o", 32) }, nil, "secret 1 of -secret (or BLOG_SECRET), a comma-separated list, is 5 bytes"},
		{"rotation, trailing comma", func(c *config) { c.secret = strings.Repeat("n", 32) + "," }, nil, "secret 2 of -secret (or BLOG_SECRET), a comma-separated list, is 0 bytes"},
		{"rotation, memory store", func(c *config) { c.secret, c.store = "short,short", "memory" }, nil, ""},
		{"argument", func(*config) {}, []string{"serve"}, `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			err := cfg.check(tt.args)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("check(%+v) = %v; want nil", cfg, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("check(%+v) = %v; want an error containing %q", cfg, err, tt.want)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	tests := []struct {
		secret string
		want   []string
	}{
		{"one", []string{"one"}},
		{"new,old", []string{"new", "old"}},
		{" new , old ,older", []string{"new", "old", "older"}},
		{"new,", []string{"new", ""}},
	}
	for _, tt := range tests {
		if got := (config{secret: tt.secret}).secrets(); !slices.Equal(got, tt.want) {
			t.Errorf("config{secret: %q}.secrets() = %q; want %q", tt.secret, got, tt.want)
		}
	}
}

// TestStartup runs the blog as a process, with a Redis or a PostgreSQL
// where nothing listens, a PostgreSQL database that does not exist, or a
// URL that does not parse: it must stop before it serves, with a message
// that says what is wrong, and a non-zero exit status: 2 for a wrong
// setting, as for a wrong flag, 1 for a server that does not answer or
// refuses. A password in a URL never shows.
func TestStartup(t *testing.T) {
	redisDown := redistest.UnreachableURL(t)
	postgresDown := strings.Replace(pgtest.UnreachableURL(t), "postgres@", "postgres:hunter2@", 1)
	noSuch, err := url.Parse(pgtest.Start(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	noSuch.Path = "/nosuch"
	noSuchHost := noSuch.Host
	noSuchDatabase := noSuch.String()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"redis down", []string{"-store", "redis", "-redis", redisDown}, 1,
			"blog: -store redis: Redis at " + redisDown + " does not answer (is it running? -redis gives its URL): "},
		{"postgres down", []string{"-store", "postgres", "-postgres", postgresDown}, 1,
			"blog: -store postgres (-postgres gives the URL): pgstore: PostgreSQL at " + strings.TrimPrefix(strings.TrimSuffix(postgresDown, "?sslmode=disable"), "postgres://postgres:hunter2@") + ": migration: connection refused: is PostgreSQL running"},
		{"no such postgres database", []string{"-store", "postgres", "-postgres", noSuchDatabase}, 1,
			"blog: -store postgres (-postgres gives the URL): pgstore: PostgreSQL at " + noSuchHost + `/nosuch: migration: database "nosuch" does not exist (SQLSTATE 3D000): create the database`},
		{"bad redis URL", []string{"-store", "redis", "-redis", "http://127.0.0.1:6379"}, 2, "blog: -redis http://127.0.0.1:6379: "},
		{"bad postgres URL", []string{"-store", "postgres", "-postgres", "postgres://blog:hunter2@db:port/blog"}, 2,
			"blog: -postgres (or DATABASE_URL): cannot parse `postgres://blog:xxxxx@db:port/blog`"},
		{"bad flag", []string{"-store", "disk"}, 2, `blog: -store "disk": want cookie, memory, redis or postgres`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args, err := json.Marshal(append([]string{"blog", "-addr", "127.0.0.1:0"}, tt.args...))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), mainArgs+"="+string(args), "DATABASE_URL=", "BLOG_SECRET=")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("blog %s: exit status %d (%v), stderr:\n%s\nwant status %d and %q", strings.Join(tt.args, " "), code, err, stderr.String(), tt.code, tt.want)
			}
			if strings.Contains(stderr.String()+stdout.String(), "hunter2") {
				t.Errorf("blog %s shows the password:\n%s%s", strings.Join(tt.args, " "), stdout.String(), stderr.String())
			}
			if strings.Contains(stdout.String(), "Blog served by") {
				t.Errorf("blog %s served:\n%s", strings.Join(tt.args, " "), stdout.String())
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"setting", fmt.Errorf("-redis x: %w", core.ErrConfig), 2},
		{"store down", fmt.Errorf("-store redis: %w", core.ErrStore), 1},
		{"port taken", errors.New("listen tcp 127.0.0.1:8080: bind: address already in use"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%s: %v) = %d; want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestCookieName checks the session cookie over HTTP: with -secure it is
// Secure and named __Host-session; without, it is named session and is
// not Secure.
func TestCookieName(t *testing.T) {
	for _, secure := range []bool{false, true} {
		cfg := testConfig("nethttp", "memory")
		cfg.secure = secure
		st, closeStore, err := newStore(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(closeStore)
		resp, err := http.Get(serveBlog(t, cfg, st) + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Set-Cookie")
		want, wantSecure := "session=", false
		if secure {
			want, wantSecure = "__Host-session=", true
		}
		if !strings.HasPrefix(got, want) || strings.Contains(got, "; Secure") != wantSecure ||
			!strings.Contains(got, "; Path=/") || strings.Contains(got, "Domain=") {
			t.Errorf("secure %v: GET /login sets %q; want %s..., Secure %v, Path=/, no Domain", secure, got, want, wantSecure)
		}
	}
}
