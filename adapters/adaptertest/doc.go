// Package adaptertest proves an adapter of transient for a web framework,
// in the manner of testing/slogtest and core/storetest: the adapters of
// this module run it, and so can one written for any other framework.
//
// The suite drives the adapter over real HTTP, on loopback, with a cookie
// jar, through handlers written with the framework's own API. It checks
// every behaviour an application relies on (a flash shown once after a
// redirect, the session committed before the first byte, one Set-Cookie
// with safe attributes, renewal at login and logout, timeouts, changes
// made after the response started, error pages, panics, a store that is
// down, a missing middleware, the session ended with its request), the concurrency scenarios (requests of one
// visitor racing each other, checked against a model; a logout racing a
// slow request; many writers of one session), the attacks (fixation,
// replay, hostile and tossed cookies, a flood of unknown IDs), and that
// its cookies interchange with those of the net/http adapter. With a
// server-side store it runs the life cycle, attack and concurrency cases
// again with the session token in the Authorization header
// (core.Options.TokenHeader), from clients that keep no cookies, with the
// cases only a header token has: no Set-Cookie ever, hostile headers, a
// cross-site form post, a cookie Manager and a header Manager kept apart.
//
// An adapter's test implements a [Driver] for its framework, two methods
// and a [Ctx] of seven one-line methods, and calls [Run]:
//
//	func TestSuite(t *testing.T) {
//		adaptertest.Run(t, driver{}) // with a cookie store and a memory store
//	}
//
//	func TestRedis(t *testing.T) {
//		store := newRedisStore(t) // any store the application may use
//		adaptertest.RunStore(t, driver{}, store)
//	}
//
// [NetHTTP] is the Driver of the net/http adapter, and the Example one of
// a router whose handlers return errors, as Echo's and Fiber's do; the
// guide docs/writing-an-adapter.md walks through writing an adapter.
//
// The suite needs no outside service: its stores are in process, and its
// store that is down is a Redis store pointed at a closed loopback port.
package adaptertest
