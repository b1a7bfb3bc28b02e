package testkit

import (
	"context"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

var quietOnce sync.Once

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// DownStore returns a real store whose Redis is down: every Load and Save is
// refused at once, as in an outage. It silences go-redis's logger, which
// would print every refused dial.
func DownStore(t testing.TB) core.Store {
	t.Helper()
	quietOnce.Do(func() { redis.SetLogger(quietLogger{}) })
	s, err := redisstore.NewFromURL(redistest.UnreachableURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
