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
//   - Create is SET NX PX ttl under a new ID (a taken ID, which 256 random
//     bits make astronomically unlikely, is retried).
//   - Update is one call of a Lua script on the session's key: it compares
//     the record with the one the request loaded (by SHA-1, computed on both
//     sides, so the old payload is not sent back) and writes the new one
//     only if they match. Otherwise it answers with the record as it is,
//     in the same round trip, and the core applies the request's changes
//     to that and calls Update again. A record that is gone is never
//     written back.
//   - Renew, used at login and logout to defeat session fixation, is a
//     pipeline of the script that ends the old key (with the same check)
//     and SET NX PX of the new one, in one round trip. In a Cluster the two
//     keys live in different slots, so it cannot be a MULTI transaction:
//     go-redis sends each command to its node, in parallel. If the old
//     record turns out to be gone or changed, the new key, whose ID nobody
//     has been given, is deleted in one more round trip.
//   - Delete (Invalidate) is one call of the script that ends the key.
//
// Ending a session replaces its value with an empty string for
// [core.GoneTTL] (or what was left of its life, if shorter), which Load
// reports as [core.ErrGone]: a request that was sent with the old cookie
// before the browser got the new one then sets no cookie and saves
// nothing, instead of replacing the visitor's new login or logout.
//
// Every session is one key, so the store works unchanged on Redis Cluster.
// The scripts are loaded into Redis on first use (EVALSHA, and EVAL when
// Redis answers NOSCRIPT, as after a restart); [Store.Ping] loads them at
// start-up.
//
// Records expire in Redis after the ttl the Manager passes, which follows
// core.Options.IdleTimeout and AbsoluteTimeout: nothing else is needed to
// expire sessions, no sweeper, no Redis configuration.
//
// # Round trips
//
// A request that never touches its session costs no round trip: the core
// loads it on first use. Reading costs one (GET). Writing costs at most one
// more (the Update script, SET NX, or the Renew pipeline), and only if the
// session changed or is due for a re-issue (core.Options.ReissueTime). So:
// 0, 1, at most 2. A request whose commit meets another request's change
// costs one more round trip per retry. A new connection to Redis also pays
// go-redis's handshake, once; pooled connections do not.
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
// A browser sends several requests with one session at once: tabs,
// fetches, prefetches, a slow upload while the user logs in elsewhere.
// Each commit applies what its request did (the keys it set or deleted,
// the messages it flashed or popped, a renewal, a logout) to the record as
// it is at commit time, so:
//
//   - a key one request did not touch keeps what another request wrote, and
//     a privilege that one request dropped is not brought back by another
//     that loaded the session before;
//   - a flash message added meanwhile stays for the next page, and one that
//     a request popped and showed is not shown again;
//   - a session ended by a logout or a renewal stays ended: a request that
//     loaded it earlier, or that arrives with the old cookie, saves nothing
//     and sends no Set-Cookie, so the cookie the logout or login just set
//     stays in the browser.
//
// See core.Store for the contract, which package storetest checks.
package redisstore
