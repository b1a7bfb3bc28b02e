package drivers_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore/redistest"
	"github.com/transient-go/transient/core/storetest/delayproxy"
)

// The pressure cases run with a memory store in every adapter's suite
// (adaptertest.Run), and here on net/http and on Gin with each networked
// store; a networked store is storeDelay away, each way, behind a
// delayproxy, as a store on another machine is: a commit's round trips
// then leave time for other requests' writes to come in between.
var pressureDrivers = []adaptertest.Driver{drivers.NetHTTP{}, drivers.Gin{}}

const storeDelay = time.Millisecond

func runPressure(t *testing.T, store core.Store) {
	for _, d := range pressureDrivers {
		t.Run(d.Name(), func(t *testing.T) { adaptertest.Pressure(t, d, store) })
	}
}

// TestPressureRedis runs them with one Redis server.
func TestPressureRedis(t *testing.T) {
	srv := redistest.Start(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.Addr = delayproxy.Start(t, srv.Addr(), storeDelay)
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, time.Second, time.Second
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	runPressure(t, newStore(t, client))
}

// TestPressureRedisCluster runs them with a three-node Redis Cluster, each
// node behind a proxy of its own.
func TestPressureRedisCluster(t *testing.T) {
	cluster := redistest.StartCluster(t)
	proxies := map[string]string{}
	for _, addr := range cluster.Addrs() {
		proxies[addr] = delayproxy.Start(t, addr, storeDelay)
	}
	var dialer net.Dialer
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: cluster.Addrs(),
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			proxy, ok := proxies[addr]
			if !ok {
				return nil, fmt.Errorf("no proxy for the cluster node %s", addr)
			}
			return dialer.DialContext(ctx, network, proxy)
		},
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
	})
	t.Cleanup(func() { _ = client.Close() })
	runPressure(t, newStore(t, client))
}

// TestPressurePostgres runs them with PostgreSQL.
func TestPressurePostgres(t *testing.T) {
	db := pgtest.Start(t)
	cfg, err := pgstore.PoolConfig(db.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	proxy := delayproxy.Start(t, net.JoinHostPort(cfg.ConnConfig.Host, fmt.Sprint(cfg.ConnConfig.Port)), storeDelay)
	var dialer net.Dialer
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, proxy)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pgstore.Migrate(context.Background(), pool, nil); err != nil {
		t.Fatal(err)
	}
	store, err := pgstore.New(pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	runPressure(t, store)
}
