package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/internal/breaker"
)

// name is the store's name in what it tells its core.Observer.
const name = "redisstore"

// failure returns how a call that ended with err failed, as
// core.Observer.StoreCall's function takes it: "" for none (a record not
// found, or changed meanwhile, is an answer).
func failure(err error) string {
	var open *breaker.OpenError
	switch {
	case err == nil || errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrConflict):
		return ""
	case errors.As(err, &open):
		return core.FailureBreakerOpen
	case connectFailed(err):
		return core.FailureRefused
	case unanswered(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, redis.ErrPoolTimeout):
		return core.FailureTimeout
	}
	return core.FailureOther
}

// instrument traces client's commands with go-redis's redisotel and tp:
// without the commands' arguments (the keys are the sessions' handles, the
// values their payloads), nor the caller's file and line, which would
// name the store's code and cost a stack walk each.
func instrument(client redis.UniversalClient, tp trace.TracerProvider) error {
	return redisotel.InstrumentTracing(client,
		redisotel.WithTracerProvider(tp),
		redisotel.WithDBStatement(false),
		redisotel.WithCallerEnabled(false))
}
