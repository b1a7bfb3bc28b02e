// Package redisstore keeps sessions in Redis, through a go-redis v9 client:
// a single server, Sentinel or Cluster. Sessions survive restarts of the
// application, are shared by every app server that uses the same Redis, and
// are revocable: a logout deletes the record, and a copy of the cookie is
// worthless from then on.
//
//	client := redis.NewClient(&redis.Options{
//		Addr:                  "127.0.0.1:6379",
//		ContextTimeoutEnabled: true, // required: see below
//	})
//	store, err := redisstore.New(client, nil)
//	...
//	manager, err := core.NewManager(store, nil)
//
// or, for a single server, let the store build and own the client:
//
//	store, err := redisstore.NewFromURL("redis://127.0.0.1:6379/0", nil)
//	defer store.Close()
//
// # Design
//
// The cookie carries only the session ID, a [core.NewID]: 256 random bits.
// The record lives under the key Options.Prefix + hex(SHA-256(ID)), so a
// leaked dump, a key listing or a MONITOR log holds no usable session:
// the ID cannot be recovered from its hash. The value is the session's
// JSON payload, as the core encodes it; nothing else is stored.
//
// Each method is one command, or one pipeline:
//
//   - Load is a GET. An unknown, expired or malformed ID is reported as
//     [core.ErrNotFound]; looking it up creates nothing, and the ID a client
//     sent is never adopted.
//   - Save of a new session is SET NX PX ttl under a new ID (a taken ID,
//     which 256 random bits make astronomically unlikely, is retried).
//   - Save of an existing session is SET XX PX ttl: it writes only if the
//     record still exists. A request that loaded the session before a
//     concurrent logout, renewal or expiry gets [core.ErrNotFound] and the
//     Manager discards its changes, so a deleted session never comes back.
//   - Renew, used at login and logout to defeat session fixation, is a
//     pipeline of SET NX PX under a new ID and DEL of the old key, in one
//     round trip. In a Cluster the two keys live in different slots, so it
//     cannot be a MULTI transaction: go-redis sends each command to its
//     node, in parallel.
//   - Delete is a DEL.
//
// Records expire in Redis after the ttl the Manager passes, which follows
// core.Options.IdleTimeout and AbsoluteTimeout: nothing else is needed to
// expire sessions, no sweeper, no Redis configuration.
//
// # Round trips
//
// A request that never touches its session costs no round trip: the core
// loads it on first use. Reading costs one (GET). Writing costs at most one
// more (SET, or the Renew pipeline), and only if the session changed or is
// due for a re-issue (core.Options.ReissueTime). So: 0, 1, at most 2.
// A new connection to Redis also pays go-redis's handshake, once; pooled
// connections do not.
//
// # Failures
//
// Every call to Redis has a deadline, Options.Timeout (default 500ms), on
// top of the request context's. An error other than "not found" (Redis
// down, a timeout, a Cluster that has lost a slot) is returned as it is,
// never turned into [core.ErrNotFound]: the Manager wraps it in
// [core.ErrStore] and the request fails with 503 Service Unavailable
// (see [core.StatusCode]) instead of carrying on with an empty session that
// would then overwrite the real one. When Redis is back, requests succeed
// again without restarting the application: after a run of refused
// connections go-redis probes the server about once a second, so recovery
// follows within a second or so.
//
// go-redis applies context deadlines to reads and writes only when the
// client's ContextTimeoutEnabled option is set; without it a request could
// hang on a stalled server for the client's ReadTimeout, retries included.
// New therefore refuses a *redis.Client, *redis.ClusterClient or
// *redis.Ring without it, with an error matching [core.ErrConfig].
// NewFromURL sets it, with short dial, read and write timeouts and one
// retry, so that an outage fails each call at once.
//
// A Redis that restarts without persistence loses every session: its
// users become anonymous and must log in again. Configure persistence
// (RDB or AOF) and replication to keep sessions across restarts.
//
// # Concurrent requests of one user
//
// A session is one JSON value, saved whole. When two requests of the same
// user run at the same time and each changes a different key, each loads
// the session, changes its key, and saves the whole session it loaded
// plus its own change. The last to save wins: the other request's change
// is lost, without an error. For example, with a session {user: carol},
// request A sets theme=dark and request B sets lang=fr; if A saves first,
// the session ends as {user: carol, lang: fr}. (TestConcurrentDifferentKeys
// shows exactly this over HTTP.) Sessions suit data that one request at a
// time changes: who is logged in, flash messages, a CSRF token. Keep state
// that concurrent requests update, such as a cart filled from several tabs
// or counters, in its own Redis keys or in the database, keyed by user.
//
// What concurrency never does is bring back a deleted session: a request
// that saves after a concurrent logout is refused (SET XX), as described
// above.
package redisstore
