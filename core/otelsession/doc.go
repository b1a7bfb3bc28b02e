// Package otelsession records what transient's sessions and stores do as
// OpenTelemetry metrics and spans. [New] makes a [core.Observer] from the
// MeterProvider and TracerProvider the application passes in, the way
// otelhttp takes them; nothing reads OpenTelemetry's global providers. Give
// the Observer to core.Options.Observer, for what the Manager does, and to
// the store's options (memstore, redisstore, pgstore), for the store's
// calls:
//
//	obs, err := otelsession.New(&otelsession.Options{MeterProvider: mp, TracerProvider: tp})
//	store, err := redisstore.NewFromURL(url, &redisstore.Options{Observer: obs, TracerProvider: tp})
//	sessions, err := core.NewManager(store, &core.Options{Observer: obs})
//
// Without an Observer nothing is recorded, and a request costs what it
// costs without this package; bench/'s transient-memory-otel rows give
// what recording costs a request.
//
// # Metrics
//
// Names and units follow OpenTelemetry's semantic conventions: durations
// in seconds, counts in {curly-braced} units, names under the library's
// own namespace, transient, since no convention covers sessions, with the
// shape of the convention nearest each (db.client.operation.duration for
// a store call, jvm.class.loaded for a counted event). The attributes
// ([KeyStore] and the others) hold names and kinds only.
//
//	transient.store.operation.duration  histogram, s           transient.store, transient.store.operation, error.type (failed calls)
//	transient.store.errors              counter, {error}        transient.store, transient.store.operation, error.type
//	transient.commits                   counter, {commit}       transient.commit.outcome
//	transient.commit.conflicts          histogram, {conflict}   (commits that wrote or tried to)
//	transient.session.created           counter, {session}
//	transient.session.renewed           counter, {session}
//	transient.session.invalidated       counter, {session}
//	transient.session.ended             counter, {session}      (by the index: Manager.EndSession and the calls made of it)
//	transient.cookie.rejected           counter, {cookie}       transient.cookie.reason
//	transient.store.record.count        updowncounter, {record} transient.store (memstore)
//	transient.store.evictions           counter, {eviction}     transient.store, transient.record.kind (memstore)
//	transient.store.breaker.state       updowncounter, {breaker} transient.store, transient.breaker.state (redisstore, pgstore)
//
// A store call's duration is the whole call as the Manager sees it,
// several round trips for some (a Renew in a Redis Cluster, an
// UpdateLocked that waits its turn); the clients' own instrumentation
// records each command (db.client.operation.duration, from go-redis's
// redisotel and pgx's otelpgx tracer, when the store's TracerProvider or
// the application's client sets them up). Prometheus shows the names with
// dots as underscores, counters with _total and the unit as a suffix:
// transient_commits_total, transient_store_operation_duration_seconds.
//
// # Spans
//
// Each store call is a span named after the store and the call
// ("redisstore load", "pgstore update_locked"), of kind internal, a child
// of the span the request's context carries (otelhttp's, say), with the
// attributes transient.store and transient.store.operation, and, when it
// failed, error.type and an error status whose description is the kind of
// failure, never the error's text. The spans of go-redis's commands and of
// pgx's queries, when they are recorded, are its children.
//
// # What is never recorded
//
// No session ID, cookie, token, handle (core.HandleOf), owner or device
// is ever an attribute, a span name or an event: the Observer is never
// given them. The clients' instrumentation that the stores set up leaves
// out the commands' arguments and the queries' parameters, which hold the
// keys of records (the handles) and their payloads; an application that
// instruments its own client must do the same: see redisstore's and
// pgstore's documentation.
package otelsession
