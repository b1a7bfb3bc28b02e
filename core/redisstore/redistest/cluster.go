package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterNodes is the number of masters in a test cluster: the fewest
// redis-cli --cluster create accepts.
const clusterNodes = 3

// Cluster is a Redis Cluster of three masters without replicas for one
// test. Its methods are safe for concurrent use.
type Cluster struct {
	addrs []string
	procs []*proc
}

// StartCluster starts a three-node Redis Cluster on free loopback ports
// (redis-server --cluster-enabled yes, with its node files in a temporary
// directory), joins the nodes with redis-cli --cluster create, and waits
// until every node reports cluster_state:ok. t.Cleanup stops it. It needs
// redis-server 7.0 or later (for --cluster-port) and redis-cli in PATH,
// with the same skip rule as Start; REDIS_URL does not apply.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := lookPath(t, "redis-server")
	cli := lookPath(t, "redis-cli")
	dir := t.TempDir()
	c := &Cluster{}
	t.Cleanup(c.stop)
	var err error
	for range 10 {
		if err = c.launch(bin, dir); !errors.Is(err, errPortTaken) {
			break
		}
		c.stop()
	}
	if err != nil {
		t.Fatalf("redistest: cluster: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.waitOK(ctx); err != nil {
		t.Fatalf("redistest: cluster: %v", err)
	}
	return c
}

// launch starts the nodes, each on a client port and a cluster bus port.
func (c *Cluster) launch(bin, dir string) error {
	ports, err := freePorts(2 * clusterNodes)
	if err != nil {
		return err
	}
	for i := range clusterNodes {
		port, bus := ports[2*i], ports[2*i+1]
		p, err := launch(bin, dir, port,
			"--cluster-enabled", "yes",
			"--cluster-config-file", fmt.Sprintf("nodes-%d.conf", port),
			"--cluster-port", strconv.Itoa(bus),
			"--cluster-node-timeout", "5000",
		)
		if err != nil {
			return err
		}
		c.procs = append(c.procs, p)
		c.addrs = append(c.addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	}
	return nil
}

// waitOK waits until every node sees all slots served.
func (c *Cluster) waitOK(ctx context.Context) error {
	for _, addr := range c.addrs {
		for {
			info, err := command(addr, time.Second, "CLUSTER", "INFO")
			if err == nil && field(info, "cluster_state") == "ok" &&
				field(info, "cluster_slots_ok") == "16384" &&
				field(info, "cluster_known_nodes") == strconv.Itoa(clusterNodes) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: not ready: %v\n%s", addr, err, info)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil
}

// Addrs returns the host:port of every node.
func (c *Cluster) Addrs() []string { return append([]string(nil), c.addrs...) }

// Client returns a new cluster client with ContextTimeoutEnabled set and
// short timeouts, closed by t.Cleanup.
func (c *Cluster) Client(t testing.TB) *redis.ClusterClient {
	t.Helper()
	cc := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 c.Addrs(),
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		MaxRetries:            1,
		DialerRetries:         1,
	})
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

func (c *Cluster) stop() {
	for _, p := range c.procs {
		p.stop()
	}
	c.procs, c.addrs = nil, nil
}
