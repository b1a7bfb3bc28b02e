package redisstore_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// goRedisLog is a go-redis logger (redis.SetLogger) that writes to an
// slog.Logger.
type goRedisLog struct{ log *slog.Logger }

func (g goRedisLog) Printf(ctx context.Context, format string, v ...any) {
	g.log.WarnContext(ctx, fmt.Sprintf(format, v...), "from", "go-redis")
}

// go-redis logs the connections it fails to make through one logger for
// the whole process, which the store leaves alone. An application that
// wants those lines in its own log, as every other line, installs its
// logger once at start-up, for every go-redis client it has.
func Example_goRedisLog() {
	redis.SetLogger(goRedisLog{slog.Default()})
}
