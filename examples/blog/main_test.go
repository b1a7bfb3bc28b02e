package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// quiet drops go-redis's log lines: the Redis outage of TestContract makes
// it report the connections it fails to make.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quiet{})
	os.Exit(m.Run())
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
		{"any port", func(c *config) { c.addr = ":0" }, nil, ""},
		{"long secret", func(c *config) { c.secret = strings.Repeat("s", 32) }, nil, ""},
		{"short secret, memory store", func(c *config) { c.secret, c.store = "short", "memory" }, nil, ""},
		{"bad addr", func(c *config) { c.addr = "8080" }, nil, `-addr "8080"`},
		{"bad framework", func(c *config) { c.framework = "rails" }, nil, `-framework "rails": want nethttp, gin, echo or fiber`},
		{"bad store", func(c *config) { c.store = "disk" }, nil, `-store "disk": want cookie, memory or redis`},
		{"no store", func(c *config) { c.store = "none" }, nil, `-store "none": want cookie, memory or redis`},
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
