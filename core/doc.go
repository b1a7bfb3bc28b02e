// Package core is the framework-independent heart of transient: sessions
// and flash messages as Pyramid defines them, for Go web applications.
//
// A session is a small dictionary that lives across a visitor's requests:
// string keys, JSON values. Flash messages are named queues of one-time
// notices, stored in the session and shown once, typically on the page a
// redirect leads to. Applications do not use this package's lifecycle
// methods directly: they install one adapter's middleware (sessionhttp,
// sessiongin, sessionecho or sessionfiber) and use the [Session] it gives
// each request.
//
// # Lifecycle
//
// At start-up the application makes a [Manager] (Pyramid's session factory)
// from a [Store] and [Options], whose zero value is safe. For each request
// the adapter calls [Manager.Begin], which attaches a not-yet-loaded session
// to the request's context. The first call to [FromContext] (or to the
// adapter's accessor) reads the cookie, asks the store and decodes the
// payload; a request that never asks does none of this. Just before the
// first byte of the response the adapter calls [Manager.Commit], which saves
// the session if it changed and adds the Set-Cookie header; when the handler
// returns, [Manager.Finish] saves what changed after that, if it still can.
// Handlers never call Save, and a flash set just before a redirect arrives
// on the next request.
//
// A session is only written when it changed ([Session.Set], [Session.Delete],
// the flash methods, [Session.Changed]) or when a re-issue is due
// ([Options.ReissueTime]). A visitor who never stored anything gets no
// cookie at all.
//
// # Values
//
// [Session.Set] encodes a value as JSON at once, so a value that cannot be
// encoded is rejected there, with [ErrInvalidValue], and never when the
// response is already on its way. Reading decodes into the type the caller
// names, with [Get] or the conveniences [Session.String], [Session.Int] and
// [Session.Bool]: integers round-trip exactly (no float64 in between), and
// structs round-trip through their JSON encoding.
//
// # Flash messages
//
// [Session.Flash] appends a message to a queue ("" is the default queue),
// [Session.FlashUnique] skips a message the queue already holds,
// [Session.PopFlash] returns a queue's messages and empties it, and
// [Session.PeekFlash] returns them without emptying it. Queues are
// independent; popping an empty queue does not mark the session changed.
// Package templates renders them.
//
// # Stores
//
// A [CookieStore] (package cookiestore) keeps the whole session in the
// cookie, signed and optionally encrypted: no server state, but readable by
// the client unless encrypted, limited to [MaxCookieSize] bytes, and not
// revocable before it expires. A server-side store keeps the session under a
// random 256-bit ID ([NewID]) that is all the cookie carries: package
// memstore in the process's memory, packages redisstore and pgstore in
// Redis or PostgreSQL for several app servers. Choose a server-side store when a logout must end the
// session everywhere at once, when the session holds more than a few
// hundred bytes, or when the client must not read it.
//
// Every store meets the same contract, checked by package storetest: an
// unknown, expired or tampered token is [ErrNotFound] and gives the visitor
// a fresh session; an ID the client made up is never adopted; any other
// store error fails the request (wrapped in [ErrStore], a 503 by
// [StatusCode]) instead of starting an empty session that would overwrite
// the real one.
//
// # Concurrent requests
//
// A browser sends several requests with one session at once: tabs,
// fetches, prefetches, a slow upload while the user logs in or out in
// another tab. Each request's session records what the request changed,
// and a commit to a server-side store applies those changes to the record
// as it is at commit time, not the copy the request loaded (see [Store]):
// a key the request did not touch keeps what another request wrote, a
// message flashed meanwhile stays for the next page, a message the request
// popped is not brought back by anyone, and a session that a logout or a
// renewal ended stays ended. A request whose session was ended by another
// saves nothing and sends no Set-Cookie, so it never replaces or clears
// the cookie the other request has just set. A cookie store cannot do
// this: each response carries the whole session, and the last one the
// browser receives wins.
//
// However many requests write to one session at once, each commit lands.
// A commit writes optimistically, one round trip while nobody else
// writes; when it meets another request's change it applies its own
// changes on top, waits a moment and tries again, and after two such
// conflicts it writes while it holds the record ([LockingStore]: memstore,
// redisstore and pgstore), in its turn among the commits waiting for it.
// So a busy single-page app gets no 503 from its own tabs, and a thief
// who holds a copy of the cookie cannot keep the session changing so that
// a logout, a renewal or a privilege drop never lands. With a store that
// cannot hold a record, a commit tries 16 times, waiting longer each time,
// and then fails with [ErrStore] (a 503), having written nothing.
//
// # A user's sessions
//
// [Session.SetOwner] marks a session as a user's, on a [Device], at login;
// it renews the session when the user changes. An owner is any valid
// UTF-8 text without control characters, up to [MaxOwnerLength] bytes,
// which every store keeps and compares byte for byte; SetOwner refuses
// any other with [ErrInvalidValue]. A server-side store that
// keeps an [Index] (memstore, redisstore, pgstore) then lists each user's
// live sessions: [Manager.Sessions] returns them, with the one of the
// current request marked, and [Manager.EndSession],
// [Manager.EndOtherSessions] and [Manager.EndAllSessions] end them at once,
// from inside a request or outside one. A cookie store cannot: these
// return [ErrNotRevocable].
//
// [Session.RememberMe] chooses, per visitor, between a browser-session
// cookie and a persistent one; the server enforces the timeouts either
// way.
//
// # Device-bound sessions
//
// A session cookie is a bearer token: whoever copies it (infostealer
// malware reads a browser's cookie store) is the user, on any machine.
// [Options.DeviceBinding] turns on Device Bound Session Credentials
// (DBSC, a W3C draft that Chromium ships): the response that gives a
// session its owner asks the browser to bind the session to a key pair
// it keeps in the device's secure hardware, and from then on a request
// of the session also needs a bound cookie that lasts a few minutes and
// that only the holder of the key can renew, by signing a challenge. The
// adapters serve the registration and refresh endpoints ([Manager.ServeDevice]);
// the key, and what makes each challenge single use, are recorded in the
// session, so binding works with every server-side store and on every
// app server. A copy of the cookies stops working within minutes;
// [Session.DeviceBound] tells a handler that this request proved the
// key, and [SessionInfo.DeviceBound] which of a user's sessions are
// bound. Browsers without DBSC ignore the offer and carry on as before.
// Malware that runs on the device itself can still use the key there:
// DBSC forces it to act on the device, where it can be caught, rather
// than from anywhere.
//
// # Several sessions per request
//
// An application may install two session middlewares, with two Managers
// under different cookie names: a preferences session in a cookie store
// and a login session in Redis, say. [FromContext] returns the session of
// the last one installed, and [Manager.FromContext] each Manager's. Two
// Managers may share one server-side store: a record is bound to the
// cookie name it was issued under, so the ID of one's session sent under
// the other's cookie name finds nothing.
//
// # API clients
//
// A client that keeps no cookies (a mobile app, a command-line tool, a
// single-page app on another origin) sends its session token in a header.
// [Options.TokenHeader] moves a Manager's token there: "Authorization"
// reads it as Authorization: Bearer <token> and any other name as the
// bare token, and a response that gives the client a new token carries it
// in that header, while one that ends its session carries the header
// empty, telling the client to forget it. The session's lifecycle is the
// cookie's, with a server-side store only. Such a Manager never reads a
// cookie nor sends one, and a cookie Manager never reads the header: a
// browser never adds the header to a request another site makes it send,
// so a header token needs no CSRF protection, but the client must keep
// it out of reach of scripts, which an HttpOnly cookie is. An adapter
// reads the header through the request's [HeaderSource].
//
// # Timeouts
//
// The server enforces both timeouts, for every store, from the times
// recorded in the session itself: [Options.IdleTimeout] (Pyramid's timeout)
// ends a session that was not issued for that long, and
// [Options.AbsoluteTimeout] ends it that long after its creation, however
// active it is. An old cookie that a browser, or an attacker, still sends is
// therefore worthless, and a session dated in the future beyond [ClockSkew]
// is rejected.
//
// # Security
//
// Call [Session.Renew] when privileges change, at login above all: the
// session keeps its data but gets a new ID, a new cookie and a new CSRF
// token, and a server-side store deletes the old record, so an ID planted
// or stolen before login is worthless after it (session fixation). At
// logout call [Session.Invalidate]: the data goes, a server-side store
// deletes the record, and the response clears the cookie; the session stays
// usable as a new one, so a "You have been logged out." flash still works.
//
// Cookies are HttpOnly, Secure and SameSite=Lax unless configured
// otherwise, and NewManager refuses settings browsers would reject or that
// would weaken them silently (SameSite=None without Secure, an invalid
// name, a __Host- cookie with a Domain). Browsers keep a Secure cookie that
// comes over plain HTTP only from localhost: the Manager logs one warning
// the first time it sends one in reply to a plain-HTTP request to another
// host (see [Origin]), the usual cause of a session lost in development. A tampered, truncated, foreign,
// renamed, oversized or duplicated cookie gives a fresh session and is
// logged at debug level, never an error; duplicated cookies (one may be
// planted from a sibling domain) are neither used nor cleared. A cookie
// store's keys rotate: see package cookiestore. Server-side stores check a
// client's token with [ValidID] before any lookup, and a request that
// loaded a session before a concurrent logout cannot write it back. SECURITY.md, at the root of the
// repository, has the threat model and the tests behind each of these.
//
// [Session.CSRFToken] gives each session a token to put in forms, checked
// in constant time by [Session.CheckCSRFToken].
//
// # Errors
//
// Every error the Manager meets goes through [Options.ErrorHandler], which
// may log, translate or swallow it; what it returns is what the adapter
// reports: a 5xx response (see [StatusCode]), or an error for the
// framework's error handler. Errors are matched with errors.Is against the
// sentinels of this package, and [CookieTooLargeError] carries the size
// that was refused.
package core
