package bench_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// A meter reads what a store's server has used so far, for the rows that
// keep sessions on a server: its CPU time and, for PostgreSQL, the bytes
// of write-ahead log it has written (-1 for Redis, which writes none
// here). measure reports the growth per request, as server-us/op and
// wal-B/op: what a capacity plan needs from the server, beside the round
// trips and bytes on the wire.
type meter interface {
	used(b *testing.B) (cpu time.Duration, wal int64)
}

// redisMeter reads a redis-server's CPU time (used_cpu_sys and
// used_cpu_user of INFO cpu: the whole process) through a client of its
// own.
type redisMeter struct{ client *redis.Client }

func (m redisMeter) used(b *testing.B) (time.Duration, int64) {
	info, err := m.client.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var cpu float64
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			s, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("INFO cpu: %s: %v", line, err)
			}
			cpu += s
		}
	}
	return time.Duration(cpu * float64(time.Second)), -1
}

// pgMeter reads the CPU time of the PostgreSQL backend that serves a
// measured pool's one connection (from /proc/PID/schedstat: the server
// runs on this machine) and the server's WAL position, through a pool of
// its own. The backend is where a session's queries run; the server's
// background processes (the WAL writer, autovacuum) are not counted.
type pgMeter struct {
	admin   *pgxpool.Pool
	backend int // process ID
}

// newPGMeter returns a meter of the backend of pool, which has one
// connection, on a server that admin reaches; nil when the server is not
// on this machine (PG_URL may name another).
func newPGMeter(b *testing.B, admin, pool *pgxpool.Pool) meter {
	var pid int
	if err := pool.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		b.Fatal(err)
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err != nil || strings.TrimSpace(string(comm)) != "postgres" {
		return nil
	}
	return pgMeter{admin, pid}
}

func (m pgMeter) used(b *testing.B) (time.Duration, int64) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", m.backend))
	if err != nil {
		b.Fatal(err)
	}
	ran, _, _ := strings.Cut(string(stat), " ") // nanoseconds on a CPU
	ns, err := strconv.ParseInt(ran, 10, 64)
	if err != nil {
		b.Fatalf("/proc/%d/schedstat %q: %v", m.backend, stat, err)
	}
	var wal int64
	if err := m.admin.QueryRow(context.Background(), "SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint").Scan(&wal); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ns), wal
}
