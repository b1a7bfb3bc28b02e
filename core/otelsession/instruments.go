package otelsession

import (
	"errors"

	"go.opentelemetry.io/otel/metric"
)

// The attribute keys of the metrics and spans. Their values are the
// names and kinds core.Observer lists, never an identifier.
const (
	// KeyStore is the store's package name: "memstore", "redisstore",
	// "pgstore".
	KeyStore = "transient.store"

	// KeyOperation is the store's call: "load", "create", "update",
	// "renew", "delete", "update_locked", "list", "end", "count", "ping",
	// "cleanup".
	KeyOperation = "transient.store.operation"

	// KeyErrorType is OpenTelemetry's error.type: how a store call
	// failed, "timeout", "refused", "breaker_open" or "other"; absent when
	// it succeeded.
	KeyErrorType = "error.type"

	// KeyCommitOutcome is how a commit ended: "written",
	// "conflict_retried", "unchanged", "ended" or "failed".
	KeyCommitOutcome = "transient.commit.outcome"

	// KeyCookieReason is why a session cookie was rejected: "tampered",
	// "oversized", "duplicated", "unknown", "ended", "expired", "foreign"
	// or "unbound" (a device-bound session's, without its bound cookie).
	KeyCookieReason = "transient.cookie.reason"

	// KeyRecordKind is the kind of an evicted record: "anonymous",
	// "ended" or "user".
	KeyRecordKind = "transient.record.kind"

	// KeyBreakerState is a circuit breaker's state: "closed", "open" or
	// "half_open".
	KeyBreakerState = "transient.breaker.state"
)

// durationBounds are the buckets of transient.store.operation.duration,
// in seconds: those OpenTelemetry advises for db.client.operation.duration,
// so that a store call and the database calls it makes compare bucket for
// bucket, with 0.1 ms and 0.5 ms first, where the calls of memstore and of
// a Redis on the same host fall.
var durationBounds = []float64{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// conflictBounds are the buckets of transient.commit.conflicts: a commit
// writes through core.LockingStore.UpdateLocked after 2 conflicts, and
// gives up after 16 with a store that cannot.
var conflictBounds = []float64{0, 1, 2, 3, 4, 8, 16}

// instruments makes r's instruments with meter.
func (r *recorder) instruments(meter metric.Meter) error {
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	r.duration, err = meter.Float64Histogram("transient.store.operation.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of the session store's calls."),
		metric.WithExplicitBucketBoundaries(durationBounds...))
	check(err)
	r.errors, err = meter.Int64Counter("transient.store.errors",
		metric.WithUnit("{error}"),
		metric.WithDescription("Calls of the session store that failed, by kind of failure."))
	check(err)
	r.commits, err = meter.Int64Counter("transient.commits",
		metric.WithUnit("{commit}"),
		metric.WithDescription("Commits of a request's session, by outcome."))
	check(err)
	r.conflicts, err = meter.Int64Histogram("transient.commit.conflicts",
		metric.WithUnit("{conflict}"),
		metric.WithDescription("Concurrent changes a commit met before it ended, for the commits that wrote or tried to."),
		metric.WithExplicitBucketBoundaries(conflictBounds...))
	check(err)
	r.sessions = map[string]metric.Int64Counter{}
	for _, e := range []struct{ event, desc string }{
		{"created", "Sessions created: written for the first time."},
		{"renewed", "Sessions given a new ID: Renew, or a new owner."},
		{"invalidated", "Sessions ended by Invalidate: a logout."},
		{"ended", "Sessions ended by the index: EndSession, EndOtherSessions, EndAllSessions."},
	} {
		r.sessions[e.event], err = meter.Int64Counter("transient.session."+e.event,
			metric.WithUnit("{session}"), metric.WithDescription(e.desc))
		check(err)
	}
	r.rejected, err = meter.Int64Counter("transient.cookie.rejected",
		metric.WithUnit("{cookie}"),
		metric.WithDescription("Session cookies a request sent that were not used, by reason."))
	check(err)
	r.recordCount, err = meter.Int64UpDownCounter("transient.store.record.count",
		metric.WithUnit("{record}"),
		metric.WithDescription("Records an in-process store holds, the markers of ended sessions included."))
	check(err)
	r.evictions, err = meter.Int64Counter("transient.store.evictions",
		metric.WithUnit("{eviction}"),
		metric.WithDescription("Live records an in-process store evicted to stay within its bound, by kind."))
	check(err)
	r.breakers, err = meter.Int64UpDownCounter("transient.store.breaker.state",
		metric.WithUnit("{breaker}"),
		metric.WithDescription("The store's circuit breakers in each state: 1 for the state of a store's breaker, 0 for the others."))
	check(err)
	r.meter = true
	return errors.Join(errs...)
}
