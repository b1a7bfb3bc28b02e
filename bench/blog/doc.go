// Package blog puts the example blog (examples/blog) under load and under
// faults, as a user would run it: its tests build the blog with go build,
// start it as a process on a free loopback port with the flags a user
// gives it, and drive it over HTTP from many visitors at once, each with a
// cookie jar of its own. Redis is a redis-server each test starts from PATH
// on a free loopback port (core/redisstore/redistest), and kills and
// restarts when the fault calls for it; PostgreSQL is a database each test
// creates, on PG_URL or on a server the tests start, or on a server of the
// test's own when the fault kills it (core/pgstore/pgtest).
//
//   - TestLoginBurst: 200 visitors log in at the same moment through the
//     blog on the Redis store and on the PostgreSQL store, on every
//     framework; bcrypt keeps both CPUs busy while the store, healthy, must
//     still answer every request: slow answers are allowed, 5xx are not.
//   - TestFaultStoreOutage: visitors go round the blog's pages while the
//     store's server, Redis or PostgreSQL, is killed and restarted, on
//     every framework; pages fail fast with 503 while it is down, and
//     every visitor is served again soon after it is back: logged in
//     again after Redis, which restarts empty; with its session kept
//     after PostgreSQL, which keeps what it committed.
//   - TestFaultStoreHung: visitors go round the blog's pages while
//     PostgreSQL hangs (stopped with SIGSTOP: it accepts connections and
//     answers nothing) and runs again, on every framework; pages that need
//     the session answer 503 within 1.5s, the stylesheet is served, and
//     every visitor is served again, with its session, soon after.
//   - TestFaultHungRedis: the same visitors while redis-server hangs
//     (SIGSTOP: it accepts connections and answers nothing) and goes on
//     (SIGCONT), on every framework: pages that need the session fail
//     with 503 within the store's answer budget, and every visitor is
//     served again, still logged in, soon after Redis answers.
//   - TestFaultSecretRotation: visitors move from a blog started with
//     -secret A to one started with -secret B,A, as during a deploy, and
//     stay logged in.
//
// The tests live here, beside the benchmarks, because they measure: each
// logs its timings, and bench/run collects them for RESULTS.md (see the
// -results flag). They are not benchmarks, so go test ./... runs them, as
// CI does; -short skips them. The package has no code of its own.
package blog
