// Package memstore keeps sessions in the memory of the process: fast, and
// revocable (a logout ends the record), but lost when the process stops and
// not shared between processes. Use package redisstore or pgstore for
// several app servers.
//
// Concurrent requests of one visitor keep each other's changes: a commit
// is applied, under the record's lock, to the record as it is then, so a
// key or a flash message another request wrote meanwhile stays, a message
// this request showed is not brought back, and a session that a logout or
// a login in another tab ended stays ended (see core.Store). A commit that
// keeps meeting concurrent changes writes under the shard's lock
// (core.LockingStore): every writer of one session gets its turn.
//
// The store lists each user's sessions (core.Index), so that a user can
// see and end them; a user has at most Options.MaxPerOwner.
//
// # Eviction
//
// The store is bounded: it holds at most Options.MaxSessions records,
// counting the markers that sessions ended by a login or a logout leave
// for core.GoneTTL (so that a request still on its way with the old cookie
// does not clear the new one). Past the bound, each new record evicts
// another, in this order:
//
//  1. a record that has expired (the store looks among the least recently
//     written of each kind; the sweep removes the others);
//  2. the anonymous session written least recently;
//  3. the marker left longest ago;
//  4. only when none of those is left, the user's session (one with an
//     owner, core.Session.SetOwner) written least recently.
//
// A flood of cookieless requests that each start a session, with a CSRF
// token for a login form say, or one account that logs in and out without
// end, therefore evicts anonymous sessions and markers, and logs no user
// out as long as the users fit in the bound. An application that does not
// call SetOwner has only anonymous sessions, evicted least recently
// written first. The order holds across the whole store, not shard by
// shard, and an eviction costs the same however many records the store
// holds.
//
// Evictions are reported through Options.Logger, at most once a minute,
// with how many anonymous sessions, markers and users' sessions went. An
// evicted visitor's next request is anonymous; IDs are never reused, so no
// visitor is ever handed another's session.
//
// Records are spread over 64 shards, each with its own lock. Expired records
// are never returned, and are removed a shard at a time by the writes that
// come due (see Options.SweepInterval), so no request waits for a sweep of
// the whole map and no background goroutine needs stopping.
package memstore
