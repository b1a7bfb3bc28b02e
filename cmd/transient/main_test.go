package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestMain keeps PostgreSQL, once a test has started it, until the tests
// are over (pgtest.Run), and removes the blog the tests build.
func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	removeBlog()
	os.Exit(code)
}

// transient runs the command with args, TRANSIENT_STORE set to env, and
// returns its exit status and what it printed.
func transient(t *testing.T, env string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	getenv := func(k string) string {
		if k == "TRANSIENT_STORE" {
			return env
		}
		return ""
	}
	code = run(context.Background(), args, getenv, &out, &errs)
	return code, out.String(), errs.String()
}

// transientJSON runs the command with -json, checks that it succeeded, and
// decodes what it printed into v.
func transientJSON(t *testing.T, store string, v any, args ...string) {
	t.Helper()
	code, out, errs := transient(t, "", append([]string{"-store", store, "-json"}, args...)...)
	if code != exitOK {
		t.Fatalf("transient %s = %d, %s; want 0", strings.Join(args, " "), code, errs)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("transient -json %s printed %q: %v", strings.Join(args, " "), out, err)
	}
}

// TestUsage checks what the command says, and its exit status, when it
// is used wrong, without a store to reach.
func TestUsage(t *testing.T) {
	const pg = "postgres://app:hunter2@127.0.0.1:1/app"
	tests := []struct {
		name string
		env  string // TRANSIENT_STORE
		args []string
		code int
		want string // in stderr
	}{
		{"nothing", "", nil, exitUsage, "usage:"},
		{"unknown command", pg, []string{"purge"}, exitUsage, `unknown command "purge"`},
		{"bad flag", pg, []string{"-verbose", "count"}, exitUsage, "flag provided but not defined: -verbose"},
		{"missing argument", pg, []string{"list"}, exitUsage, "list takes 1 arguments ([USER]); got 0"},
		{"extra argument", pg, []string{"count", "now"}, exitUsage, "count takes 0 arguments"},
		{"no store", "", []string{"count"}, exitUsage, "no store: give its URL with -store or in TRANSIENT_STORE"},
		{"memory store", "", []string{"-store", "memory", "count"}, exitUsage, "a memory store (memstore) in the application's own process"},
		{"cookie store", "cookie", []string{"list", "alice"}, exitUsage, "a cookie store (cookiestore) keeps each session in its visitor's browser"},
		{"a path", "", []string{"-store", "/var/lib/sessions", "count"}, exitUsage, "is not the URL of a Redis or PostgreSQL store"},
		{"http", "", []string{"-store", "https://app.example.com", "count"}, exitUsage, "is not the URL of a Redis or PostgreSQL store"},
		{"cluster of PostgreSQL", pg, []string{"-cluster", "count"}, exitUsage, "-cluster is for a Redis Cluster"},
		{"bad cookie name", pg, []string{"-cookie-name", "a b", "list", "alice"}, exitUsage, `-cookie-name "a b"`},
		{"PostgreSQL down", pg, []string{"count"}, exitFailed, "PostgreSQL at postgres://app:xxxxx@127.0.0.1:1/app"},
		{"flags after the command", "", []string{"count", "-store", "memory"}, exitUsage, "memory store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := transient(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("transient %q = %d, stderr %q; want %d, with %q", tt.args, code, errs, tt.code, tt.want)
			}
			if strings.Contains(errs, "hunter2") {
				t.Errorf("transient %q printed the password: %q", tt.args, errs)
			}
		})
	}
}
