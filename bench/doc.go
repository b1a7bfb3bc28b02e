// Package bench measures what transient's session middleware costs per
// request, side by side with the session libraries people use instead, on
// the same five frameworks (net/http, Gin, Echo v4 and v5, Fiber), and what
// core's payload codec costs beside encoding/json. It is a module of its
// own, so that the peers never enter the library's go.mod; run it with
// bench/run, which writes bench/RESULTS.md. It is the library's one benchmark harness: the library
// itself has no benchmark, only the adapters' allocation guard
// (adapters/internal/drivers/allocs_test.go) and tests that count
// round trips.
//
// # The scenario set
//
// Every row serves real requests through real middleware, in process: the
// framework's own entry point (http.Handler.ServeHTTP for net/http, Gin and
// both Echos; the fasthttp handler of a Fiber app) with a recorder or a reused
// fasthttp.RequestCtx. Every session holds
// the same data, {user_id: 42, username: "alice"}, made by a login request
// before the timer starts, and each row measures three request shapes:
//
//   - untouched: the handler never touches the session;
//   - read-only: the handler reads user_id and username;
//   - read-write: the handler reads both, pops the flash messages left by
//     the previous request and adds "Article saved successfully!", and the
//     session is committed as the library requires (Save where the peer's
//     README calls it).
//
// A read-write request therefore leaves the session as it found it: every
// read-write iteration starts from a session holding one flash message,
// whether that session lives in the cookie (every iteration sends the same
// cookie, taken after one warm-up write) or in a store (the record is
// rewritten in place). Each handler checks what it reads and answers 500
// on a wrong value or on flash messages that accumulate.
//
// Each iteration hands the handler a fresh shallow copy of the same
// *http.Request, as a server does (gorilla/sessions caches sessions in the
// request it is given, so a reused request would skip its decoding), and
// a Fiber row re-reads its request from the wire into a reused RequestCtx,
// as fasthttp's server does.
//
// # Rows
//
// Benchmark names are Benchmark<Framework>[Redis]/<row>/<shape>. The rows:
//
//   - bare: the framework with no session middleware; a row's overhead is
//     its time minus bare's;
//   - withcontext: the least a middleware that hands a value to handlers
//     through the request's context.Context can do (context.WithValue and
//     r.WithContext; c.SetUserContext on Fiber), the bound for untouched;
//   - floor-lean (net/http): the least a signed cookie session can do,
//     written inline in a handler, and the floor every claim about the
//     cookie store is made against: one base64url (unpadded) of the
//     payload and HMAC-SHA256 over the cookie's name and the payload
//     (a fresh hmac.New per call), encoding/json into a typed struct
//     {user_id, username, _flash, exp}; read: r.Cookie, decode, verify,
//     unmarshal, check exp; write: marshal, sign, http.SetCookie;
//   - floor-hmac, floor-gcm (net/http): the same with encoding/json into a
//     map[string]any, which costs more, signed with HMAC-SHA256 (or
//     encrypted with AES-256-GCM and a random nonce);
//   - floor-redis, floor-postgres (net/http): the least a server-side
//     session can do on the same client, connection and server as
//     transient-redis and transient-postgres, inline in a handler: the
//     lean floor's struct under a random ID, read with a bare GET (a
//     SELECT) and written, after that read, with one script (one UPDATE,
//     on a table made like pgstore's, with its indexes) that writes only
//     over what the read found, compared by digest;
//   - transient-cookie, transient-memory, transient-redis: our adapter on
//     that framework with cookiestore, memstore and redisstore;
//   - transient-memory-otel (net/http): transient-memory with
//     otelsession's Observer on the Manager and the store, recording
//     OpenTelemetry metrics and spans into the SDK: what recording costs
//     a request, beside transient-memory;
//   - gorilla-hash, gorilla-hash-block (net/http): gorilla/sessions'
//     CookieStore with a hash key, and with a hash and a block key;
//     gorilla-hash is Echo v5's peer too, called in its handlers as
//     echo-contrib/session calls it on Echo v4 (echo-contrib's Echo v5
//     release, module github.com/labstack/echo-contrib/v5, was not on the
//     module proxy; its v0.50 releases are still for Echo v4);
//   - scs-memory, scs-redis (net/http): alexedwards/scs/v2 with its memstore
//     and its redisstore (redigo pool);
//   - gin-contrib-cookie (Gin), echo-contrib-cookie (Echo): the frameworks'
//     session middleware over gorilla's CookieStore;
//   - fiber-memory, fiber-redis (Fiber): Fiber v2's middleware/session with
//     its memory storage and with gofiber/storage's Redis storage.
//
// Redis rows run against a redis-server that the benchmark starts on a free
// loopback port (redistest.StartLocal), PostgreSQL rows on a database of
// their own (pgtest.Start). They report per request the round trips to the
// server (roundtrips/op) and the bytes on the wire both ways (wire-B/op);
// on net/http also the CPU time the server spent (server-us/op: the
// redis-server process, or the PostgreSQL backend of the row's one
// connection) and the write-ahead log PostgreSQL wrote (wal-B/op), what a
// capacity plan needs (docs/scaling-out.md). BenchmarkLiveSessions puts
// 100,000 sessions in memstore through the Manager and reports the heap
// they take; BenchmarkFootprint measures each store's bytes per live
// session; BenchmarkMemstoreFlood sends 500,000 cookieless requests to a
// memstore at its bound, with 80,000 users logged in, and reports what a
// request costs, the heap the store keeps, and how many users lost their
// session.
//
// # Device-bound sessions
//
// BenchmarkDevice (memstore) and BenchmarkDeviceRedis serve one logged-in
// session on net/http, read-only and read-write, with device binding off
// (off), on for a browser that never registered (unbound) and bound, each
// request carrying its bound cookie (bound); and the refresh endpoint
// answering a proof of the challenge the previous refresh left, with an
// ES256 and an RS256 key (refresh-es256, refresh-rs256): what a bound
// session costs per request, and once per bound cookie lifetime. The
// browser's signing is not timed.
//
// # The payload codec
//
// core/payload.go encodes and decodes sessions with a codec written for
// their one JSON shape, and says how much faster it is than encoding/json
// through reflection. BenchmarkCodec checks that claim with
// the exported API only, since bench cannot call the codec: a store local
// to the benchmark (codecStore, all it needs of core.Store) holds one
// payload, and the Manager decodes it when a request first uses its
// session (Manager.Begin, core.FromContext), and encodes it when a changed
// session is committed (Session.Changed, Manager.Commit), which hands the
// bytes to the store's Save. Against it, encoding/json decodes the same
// bytes into the same document as a Go struct (json.Unmarshal), its stored
// values kept raw (json.RawMessage) as core keeps them, and encodes it
// (json.Encoder, HTML escaping off, into a reused buffer): the least work
// encoding/json can do for the same result. The transient rows also pay
// for what a first use of a session costs besides the codec (reading the
// cookie, checking the token and the timestamps), so they overstate it:
// a ratio in the codec's favour is conservative. Rows are
// Codec/<document>/<decode|round-trip>/<transient|encoding-json>, for a
// login's session and a richer one; each iteration checks that the store
// was loaded, and saved, once.
//
// # The example blog
//
// cmd/load is the load generator of bench/run load, which drives the
// example blog, built and started by the script, with GET requests from
// concurrent clients: anonymous ones, whose page is the blog's own without
// any session loaded or saved (the baseline), and ones logged in with the
// cookie, memory, Redis and PostgreSQL stores. Package blog holds the tests that
// run the blog as a process under bursts and faults; bench/run blog
// collects what they measure. Package cmd/report turns all of it into
// RESULTS.md.
package bench
