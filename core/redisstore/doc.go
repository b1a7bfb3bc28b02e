// Package redisstore keeps sessions in Redis, through a go-redis v9 client:
// a single server, Sentinel or Cluster, Redis 7.0 or later (or a server
// that speaks its commands, such as Valkey). Sessions survive restarts of the
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
// The record lives under the key Options.Prefix and the first 20 bytes of
// SHA-256(ID), as bytes, so a leaked dump, a key listing or a MONITOR log
// holds no usable session: the ID cannot be recovered from its hash. (A
// live session with its user's index takes about 540 bytes of Redis's
// memory: bench's BenchmarkFootprint.) The value is the session's
// JSON payload, as the core encodes it, after "s" and 8 bytes that name
// the write that stored it (see below); while UpdateLocked calls hold the
// session or wait for it, their queue comes before the payload (see Many
// writers on one session). Nothing else is stored.
//
// Each method is one command, or one pipeline:
//
//   - Load is a GET. An unknown, expired or malformed ID is reported as
//     [core.ErrNotFound]; looking it up creates nothing, and the ID a client
//     sent is never adopted.
//   - Create is SET NX GET PX ttl under a new ID (a taken ID, which 256 random
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
//     and SET NX GET PX of the new one, in one round trip. In a Cluster the two
//     keys live in different slots, so it cannot be a MULTI transaction:
//     go-redis sends each command to its node, in parallel. If the old
//     record turns out to be gone or changed, the new key, whose ID nobody
//     has been given, is deleted in one more round trip.
//   - Delete (Invalidate) is one call of the script that ends the key.
//   - UpdateLocked, which a commit takes once Update or Renew has met
//     concurrent changes, is one call of a script that takes the session
//     for a turn, and one write, as Update's or Renew's, that ends the
//     turn: two round trips, and more while it waits its turn.
//
// Ending a session replaces its value with a short marker for
// [core.GoneTTL] (or what was left of its life, if shorter), which Load
// reports as [core.ErrGone]: a request that was sent with the old cookie
// before the browser got the new one then sets no cookie and saves
// nothing, instead of replacing the visitor's new login or logout.
//
// A command may be sent twice, and Redis may have run the first (go-redis
// retries a command whose answer did not come, unless its MaxRetries says
// not to, and NewFromURL's client sends one again whose connection was
// dropped): every write recognizes its own
// work when it is sent again, so a retried commit or login succeeds
// instead of being taken for a concurrent one.
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
// An error other than "not found" (Redis down, a timeout, a Cluster that
// has lost a slot) is returned, never turned into [core.ErrNotFound]: the
// Manager wraps it in [core.ErrStore] and the request fails with 503
// Service Unavailable (see [core.StatusCode]) instead of carrying on with
// an empty session that would then overwrite the real one. The error
// names the store and the server, and wraps go-redis's (errors.As finds a
// *net.OpError, errors.Is os.ErrDeadlineExceeded), so that the log line
// of a failed request says where to look:
//
//	core: session store failed: redisstore: Redis at 10.0.0.5:6379 did not answer in time: i/o timeout
//
// The address is the client's host and port (a Cluster's nodes, a
// socket's path): never a password of the URL. [Store.Ping] checks the
// connection at start-up under the same budgets, and reports a failure
// the same way.
//
// A healthy Redis must not cause a 503 when the application's own CPUs are
// saturated, as during a burst of logins that each hash a password: a call
// then waits for a CPU, and for a pooled connection that another call
// holds while it waits for one, and can take seconds. A Redis that is down
// or hung must fail requests fast. One deadline cannot do both, so each
// thing that can go wrong has a budget of its own:
//
//   - The call budget, Options.Timeout (default 30s), bounds one call as a
//     whole, on top of the request context's deadline: waiting for a
//     connection, connecting, the command and its answer. It is a
//     backstop, generous so that an overloaded application still gets its
//     answers. bench/blog's TestLoginBurst posts 200 logins at once to the
//     example blog on a machine with 2 CPUs: with a call budget of 500ms
//     three logins in four failed, and when the CPUs were busy with other
//     work too, single calls to a healthy Redis took up to 9 seconds.
//   - The answer budget, the client's ReadTimeout and WriteTimeout
//     (DefaultAnswerTimeout, 1s, in NewFromURL's client), bounds how long
//     Redis takes to answer a command once it is sent, or to answer the
//     handshake of a new connection: a stopped or hung Redis, whose kernel
//     still accepts connections, fails a call after it. NewFromURL's
//     client never sends a command again after its answer budget ran out,
//     so a hung Redis costs a request that needs the session one answer
//     budget at most (bench/blog's TestFaultHungRedis, and
//     TestHungRedis here and in adapters/internal/drivers, stop a
//     real redis-server). The budget holds on an overloaded machine
//     because it is a deadline on the socket: an answer that arrives in
//     time is read, however late the goroutine that reads it gets a CPU.
//   - The connect budget, the client's DialTimeout (DefaultDialTimeout, 5s,
//     in NewFromURL's client), bounds one attempt to open a connection. A
//     refused connection fails at once; a host that drops packets costs a
//     call this long. It is longer than the answer budget because Go's
//     dialer fails a connection that was made if its deadline passes
//     before the dialing goroutine gets a CPU back.
//
// NewFromURL's pool holds up to DefaultPoolSize (128) connections, or
// go-redis's 10 per CPU where that is more: while the CPUs are saturated each call keeps its
// connection until its goroutine gets a CPU to read the answer, and a
// small pool makes the other calls queue behind it for seconds. Pipelines
// (Renew) share that pool (PipelinePoolSize -1), rather than a pool of
// their own whose connections would be dialed in the middle of a burst.
//
// NewFromURL's client also has a circuit breaker. It opens when calls fail
// to connect (a refused connection, an unreachable host, no such host, no
// connection within the connect budget) and when Redis does not answer
// calls within the answer budget; never because a call waited for a
// pooled connection or for a CPU, as during a burst, nor because a call
// ran out of a deadline of its own that gave Redis less than half the
// answer budget (a request's), which says nothing of Redis:
//
//   - closed: calls go through. Three calls in a row that fail to connect
//     or go unanswered, with no call answered in between, open it.
//   - open: every call fails at once, with an error that wraps the last
//     failure, for 500ms; then the breaker is half-open.
//   - half-open: one call goes through as a probe, the others fail at
//     once. The probe first opens a connection of its own, and closes it;
//     then it makes its call, all within the answer budget. An answer
//     (any reply, an error reply too) closes the breaker; a probe that
//     fails to connect or goes unanswered opens it for another 500ms; a
//     probe that ends otherwise, such as a canceled request, lets the next
//     call probe.
//
// So while Redis is down or hung, requests fail within milliseconds,
// without waiting for a connection or an answer; only the few calls that
// open the breaker, and the probes, wait, for the answer budget at most.
// Once Redis answers again, the next probe, at most 500ms later, brings
// the store back without restarting the application. NewFromURL's client
// sends a call again once when its connection was dropped (a Redis that
// restarted), and never after a timeout (MaxRetries -1): each write
// recognizes its own work when it runs twice, as after a reply lost with
// its connection.
//
// go-redis logs the dials that fail through its own logger, which is one
// for the whole process (redis.SetLogger): it has no logger per client.
// The store leaves it alone, since changing it would change what every
// other go-redis client of the application logs. It keeps go-redis from
// dialing a server it knows is down instead: Ping, and each probe of the
// breaker, opens its own connection first, so that a Redis that is down
// at start-up, or stays down, puts no go-redis line in the log, and an
// outage puts only those of the calls that open the breaker (three, when
// they come one after another). An application that wants go-redis's
// lines in its own log installs a logger with redis.SetLogger itself (see
// the example).
//
// A client that the application builds and passes to New gets neither
// breaker nor retry policy: go-redis then stops dialing once as many dials
// have failed as the pool has connections, and tries the server once a
// second. The client must set ContextTimeoutEnabled: without it go-redis
// ignores the Store's deadline on reads and writes, and New refuses a
// *redis.Client, *redis.ClusterClient or *redis.Ring without it, with an
// error matching [core.ErrConfig]. It should also set what NewFromURL
// sets: DialTimeout DefaultDialTimeout, ReadTimeout and WriteTimeout
// DefaultAnswerTimeout, PoolSize at least DefaultPoolSize, PoolTimeout the
// call budget, PipelinePoolSize -1, DialerRetries 1 and MaxRetries -1.
// go-redis's own defaults (a 5s ReadTimeout, 10 connections per CPU, 5
// dial attempts 100ms apart and 3 retries of a failed command) make a
// stalled Redis cost each call seconds, and queue calls while the CPUs are
// busy; each retry adds an answer budget.
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
// # Many writers on one session
//
// Update and Renew are optimistic: they write if the record still holds
// what the request loaded, and otherwise the core applies the request's
// changes to the record as it is and tries again. When many requests keep
// changing one session (the tabs of a busy single-page app, or someone
// who holds a copy of the cookie and keeps the session changing so that
// the user's logout elsewhere, privilege drop or new password never
// lands), such tries can keep failing. Past a conflict or two the core
// calls [Store.UpdateLocked], which cannot starve:
//
//   - The calls that want a session line up in the session's own key, in
//     the order they first asked, and each gets its turn: a turn holds
//     the session from the answer that hands it the payload to its write,
//     one round trip later. The next call in line, if it runs in the same
//     process, is woken as soon as a turn ends; a call of another app
//     server asks again after a jittered pause that grows with its place
//     in line (at most 50ms).
//   - While a turn holds the session or calls wait for it, Update and
//     Renew of that session write nothing and report a conflict, so their
//     requests line up too. Delete (a logout) and End (the user's list of
//     sessions) end the session at once, and every call in line then
//     finds it gone: nothing brings it back.
//   - A turn lasts [Lease] (2s) at most: an app server that dies or hangs
//     while it holds a session, or while it waits in line, keeps the
//     others waiting for 2s at most, and a write it sends after that is
//     refused (its call, if it lives on, takes a new turn). A line holds
//     128 calls; more ask again until there is room, in no set order.
//   - A session is still one key, on one slot of a Cluster. Requests that
//     meet no contention cost what they always did (0, 1, at most 2 round
//     trips, the same bytes); an UpdateLocked call that nobody else
//     contends with costs two (TestUpdateLocked counts them).
//
// See core.Store and core.LockingStore for the contract, which package
// storetest checks.
package redisstore
