package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
)

// databaseName returns a new database name for the test named testName:
// "pgtest_", the start of the test's name in lower-case letters, digits and
// underscores (to tell whose a database left by a killed test binary was),
// and 65 random bits, so that names never collide, not even between test
// binaries that share the server at PG_URL. It is at most 54 bytes long,
// within PostgreSQL's 63.
func databaseName(testName string) string {
	var b strings.Builder
	b.WriteString("pgtest_")
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	b.WriteByte('_')
	b.WriteString(strings.ToLower(rand.Text()[:13])) // base32: 5 bits a character
	return b.String()
}

// createDatabase creates database name, empty (from template0, so that
// nothing added to template1 leaks in), through a connection to adminURL.
func createDatabase(adminURL, name string) error {
	return execAdmin(adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0")
}

// dropDatabase drops database name, closing the connections still open to
// it (WITH (FORCE): PostgreSQL 13 or later).
func dropDatabase(adminURL, name string) error {
	return execAdmin(adminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// execAdmin runs one statement on a new connection to adminURL.
func execAdmin(adminURL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns rawURL, a postgres:// or postgresql:// URL, naming
// database name instead of its own.
func withDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("%q is not a postgres:// URL", u.Redacted())
	}
	u.Path, u.RawPath = "/"+name, ""
	if q := u.Query(); q.Has("dbname") {
		q.Del("dbname")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}
