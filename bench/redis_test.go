package bench_test

import (
	"net"
	"sync/atomic"
	"testing"

	scsredisstore "github.com/alexedwards/scs/redisstore"
	fiberredis "github.com/gofiber/storage/redis/v3"
	redigo "github.com/gomodule/redigo/redis"

	"github.com/transient-go/transient/core/redisstore/redistest"
)

// scsRedis returns scs's Redis store on srv, with a redigo pool made as
// its README shows, and counts its round trips.
func scsRedis(b *testing.B, srv *redistest.Server) (*scsredisstore.RedisStore, counter) {
	rt := &redigoTrips{}
	count := redigo.DialNetDial(func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err != nil {
			return nil, err
		}
		return &countingNetConn{Conn: c, n: &rt.bytes}, nil
	})
	pool := &redigo.Pool{
		MaxIdle: 10,
		Dial: func() (redigo.Conn, error) {
			c, err := redigo.Dial("tcp", srv.Addr(), count)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &rt.n}, nil
		},
	}
	b.Cleanup(func() { _ = pool.Close() })
	c := pool.Get()
	_, err := c.Do("PING")
	_ = c.Close()
	if err != nil {
		b.Fatal(err)
	}
	return scsredisstore.New(pool), rt
}

// redigoTrips counts the round trips of a redigo pool: one per Do with a
// command. (Do("") only flushes, and the pool calls it with nothing
// pending when a connection goes back.)
type redigoTrips struct {
	n     atomic.Int64
	bytes atomic.Int64
}

func (c *redigoTrips) trips() int64     { return c.n.Load() }
func (c *redigoTrips) wireBytes() int64 { return c.bytes.Load() }

type countingConn struct {
	redigo.Conn
	n *atomic.Int64
}

func (c countingConn) Do(cmd string, args ...any) (any, error) {
	if cmd != "" {
		c.n.Add(1)
	}
	return c.Conn.Do(cmd, args...)
}

// fiberRedis returns gofiber/storage's Redis storage on srv, made as its
// README shows, and counts its round trips.
func fiberRedis(b *testing.B, srv *redistest.Server) (*fiberredis.Storage, counter) {
	storage := fiberredis.New(fiberredis.Config{URL: srv.URL()})
	b.Cleanup(func() { _ = storage.Close() })
	rt := &goRedisTrips{}
	storage.Conn().AddHook(rt)
	warm(b, storage.Conn())
	return storage, rt
}
