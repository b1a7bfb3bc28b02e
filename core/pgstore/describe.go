package pgstore

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// A storeError is the error of a call to PostgreSQL that failed: it names
// the server (host, port and database, never the password), says what
// went wrong in words that point at the fix, and wraps the cause.
type storeError struct {
	addr string // address of PostgreSQL, as address returns it
	msg  string // what went wrong, and the fix; "" to show err's text
	err  error
}

func (e *storeError) Error() string {
	msg := e.msg
	if msg == "" {
		msg = e.err.Error()
	}
	return "pgstore: PostgreSQL at " + e.addr + ": " + msg
}

func (e *storeError) Unwrap() error { return e.err }

// describe returns err, a failed call's error, as a *storeError, with a
// message for the failures whose fix is known: a database, a role or a
// table that is not there, a wrong password, a server that is down or
// hung. It returns nil for nil.
func (s *Store) describe(err error) error {
	if err == nil {
		return nil
	}
	return &storeError{addr: s.addr, msg: explain(err), err: err}
}

// explain returns what err means and how to fix it, or "" when that is
// no more than err's own text says.
func explain(err error) string {
	var (
		pgErr    *pgconn.PgError
		noAnswer *noAnswerError
		dnsErr   *net.DNSError
		connErr  *pgconn.ConnectError
	)
	switch {
	case errors.As(err, &noAnswer):
		return noAnswer.Error()
	case errors.As(err, &pgErr):
		return explainPg(pgErr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: is PostgreSQL running, and listening at this host and port (those of the URL)?"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("no such host %q: check the URL's host", dnsErr.Name)
	case errors.As(err, &connErr) && pgconn.Timeout(err):
		return "no connection within the connect budget (connect_timeout in the URL): PostgreSQL is hung or overloaded, or a firewall drops the packets: " + err.Error()
	}
	return ""
}

// explainPg returns what PostgreSQL's error e means for the store, and the
// fix, or "" for an error whose own text says enough.
func explainPg(e *pgconn.PgError) string {
	said := e.Message + " (SQLSTATE " + e.Code + ")"
	switch e.Code {
	case "3D000": // invalid_catalog_name
		return said + ": create the database (createdb, or CREATE DATABASE), or name one that exists in the URL"
	case "28P01": // invalid_password
		return said + ": check the user and password in the URL (or in PGPASSWORD, or the password file)"
	case "28000": // invalid_authorization_specification: no such role, or pg_hba.conf
		return said + ": check the user in the URL, and that PostgreSQL's pg_hba.conf lets it connect to this database from this host"
	case "42P01", "42703": // undefined_table, undefined_column
		return said + ": create the table with pgstore.Migrate, or apply pgstore.Schema"
	case "42501": // insufficient_privilege
		return said + ": grant the role SELECT, INSERT, UPDATE and DELETE on the table"
	case "53300": // too_many_connections
		return said + ": lower the pool's pool_max_conns, or raise PostgreSQL's max_connections"
	case "57P03": // cannot_connect_now
		return said + ": PostgreSQL is starting up, shutting down or recovering; calls succeed once it is ready"
	}
	return ""
}

// address returns where cfg connects, for messages: "host:port/database",
// or "socket (database)" for a unix socket, never the user or password.
func address(cfg *pgconn.Config) string {
	port := strconv.Itoa(int(cfg.Port))
	if strings.HasPrefix(cfg.Host, "/") {
		return cfg.Host + "/.s.PGSQL." + port + " (database " + cfg.Database + ")"
	}
	return net.JoinHostPort(cfg.Host, port) + "/" + cfg.Database
}
