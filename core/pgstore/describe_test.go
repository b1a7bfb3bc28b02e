package pgstore_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestErrorsSayWhatIsWrong points stores at databases that are down, that
// do not exist, that refuse the password or the role, and at a table that
// is missing: Ping and Migrate fail with an error that names PostgreSQL's
// host, port and database, says what PostgreSQL said or what happened,
// and how to fix it, and never shows the password.
func TestErrorsSayWhatIsWrong(t *testing.T) {
	db := pgtest.Start(t)
	u, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	with := func(user, pass, database string) string {
		v := *u
		v.User = url.UserPassword(user, pass)
		v.Path = "/" + database
		return v.String()
	}
	down, _ := url.Parse(pgtest.UnreachableURL(t))
	down.User = url.UserPassword("app", "hunter2")
	tests := []struct {
		name, url string
		migrate   bool     // Migrate the database first
		want      []string // in the error
	}{
		{"down", down.String(), false, []string{"PostgreSQL at " + down.Host + "/postgres", "connection refused: is PostgreSQL running"}},
		{"no such database", with("postgres", password, "nosuch"), false, []string{
			"PostgreSQL at " + u.Host + "/nosuch", `database "nosuch" does not exist (SQLSTATE 3D000)`, "create the database"}},
		{"wrong password", with("postgres", "hunter2", db.Database()), false, []string{
			"PostgreSQL at " + u.Host + "/" + db.Database(), `password authentication failed for user "postgres"`, "check the user and password"}},
		{"unknown role", with("nobody", "hunter2", db.Database()), false, []string{`for user "nobody"`, "check the user and password"}},
		{"no table", db.URL(), false, []string{"PostgreSQL at " + u.Host + "/" + db.Database(), `relation "sessions" does not exist`, "pgstore.Migrate"}},
		{"migrated", db.URL(), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := pgstore.NewFromURL(tt.url, &pgstore.Options{CleanupInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if tt.migrate {
				if err := pgstore.Migrate(ctx, pgstore.PoolOf(s), nil); err != nil {
					t.Fatal(err)
				}
			}
			err = s.Ping(ctx)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Ping = %v", err)
				}
				return
			}
			wantSays(t, "Ping", err, tt.want, password)
			if !errors.Is(err, core.ErrStore) {
				t.Errorf("Ping = %v; want an error matching core.ErrStore", err)
			}
			if tt.name == "no table" {
				return
			}
			_, _, err = s.Load(ctx, core.NewID())
			wantSays(t, "Load", err, tt.want, password)
			bounded, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			wantSays(t, "Migrate", pgstore.Migrate(bounded, pgstore.PoolOf(s), nil), tt.want, password)
		})
	}
}

// wantSays fails t unless err holds each of want, and neither the
// password nor "hunter2".
func wantSays(t *testing.T, what string, err error, want []string, password string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = nil; want an error", what)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s = %v; want it to say %q", what, err, w)
		}
	}
	if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("%s = %v: shows the password", what, err)
	}
}
