package blog_test

import (
	"testing"
	"time"

	"github.com/transient-go/transient/core/redisstore/redistest"
)

// maxHungLatency is the slowest answer allowed while Redis is hung: the
// store's answer budget (1s), and room for a busy machine.
const maxHungLatency = 1500 * time.Millisecond

// TestFaultHungRedis is TestFaultStoreOutage with a Redis that hangs
// rather than dies: its process is stopped (SIGSTOP), so the kernel still
// accepts connections and Redis answers nothing, and after outageLength it
// goes on (SIGCONT), with every session it held. On every framework,
// while Redis is hung every page that needs the session is a 503 in under
// maxHungLatency and the stylesheet, which needs none, is still served;
// within maxRecovery of Redis going on, every visitor has gone through a
// full round of pages, without logging in again.
func TestFaultHungRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("load and a hung Redis on every framework: not in -short")
	}
	store := outageStore{name: "redis", title: "Redis", keeps: true, hang: true}
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel() // two at a time on two CPUs
			storeOutage(t, store, framework)
		})
	}
}

// hungRedis is a redis-server whose fault is a hang: Kill stops its
// process, Restart lets it go on.
type hungRedis struct{ *redistest.Server }

func (h hungRedis) Kill(t testing.TB)    { h.Pause(t) }
func (h hungRedis) Restart(t testing.TB) { h.Resume(t) }
