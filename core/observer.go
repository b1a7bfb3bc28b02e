package core

import "context"

// An Observer is told what a Manager and its store do, so that an
// application can count and time it: package otelsession makes one that
// records OpenTelemetry metrics and spans. Set it in Options.Observer for
// what the Manager does (commits, sessions, rejected cookies), and give the
// same Observer to the store's options (memstore, redisstore and pgstore
// take one) for the store's own calls. Every field may be nil, and is then
// not called. A nil *Observer, the default, records nothing, and costs a
// request no allocation and no more time than a nil check.
//
// What an Observer is given never identifies a session, a user or a
// device: no session ID, token, handle, owner or device, only the names
// and kinds each field lists, so that nothing recorded from them can be
// used to reach a session or to follow a person.
//
// Its functions are called on the goroutines of requests, many at once:
// they must be safe for concurrent use, must not block, and must not call
// the Manager or the store. A slow Observer slows every request.
type Observer struct {
	// StoreCall is called by a store when one of its calls starts. store
	// is the store's package name ("memstore", "redisstore", "pgstore"),
	// op the call: "load", "create", "update", "renew", "delete",
	// "update_locked", "list", "end", "count", "ping" or "cleanup". It
	// returns the context the call runs with (one that carries a span,
	// say, so that the spans of the store's client are its children) and
	// a function that the store calls once, when the call ends, with ""
	// when the store answered (a record not found, or changed by a
	// concurrent request, is an answer), or with how it failed:
	// FailureTimeout, FailureRefused, FailureBreakerOpen or FailureOther.
	StoreCall func(ctx context.Context, store, op string) (context.Context, func(failure string))

	// Commit is called when a commit of a request's session ends (see
	// [Manager.Commit]), with its outcome and the conflicts it met (see
	// [ConflictError]):
	//
	//   - "written": the session was written at the first try;
	//   - "conflict_retried": it was written after meeting a concurrent
	//     request's change, as many times as conflicts says;
	//   - "unchanged": there was nothing to write (the session did not
	//     change and no re-issue was due, or a concurrent request's write
	//     did the re-issue);
	//   - "ended": a concurrent request (a logout, a login, or the user
	//     ending the session from another device) ended the session, and
	//     this request's changes were discarded;
	//   - "failed": the store failed, the cookie was too large, or the
	//     change came too late (the error went to Options.ErrorHandler).
	//
	// It is called once for each request whose session was used, from
	// Commit, and once more for a write after the response started (see
	// [Manager.Finish]).
	Commit func(ctx context.Context, outcome string, conflicts int)

	// Session is called when a session is "created" (its first write),
	// "renewed" ([Session.Renew], or a new owner), "invalidated"
	// ([Session.Invalidate]; a session that holds something again in the
	// same request is also "created"), or "ended" by [Manager.EndSession]
	// and the calls made of it.
	Session func(ctx context.Context, event string)

	// CookieRejected is called when a request's session cookie is not
	// used, with why: "tampered" (not of the form a token has, or it
	// fails verification or decoding), "oversized" (longer than
	// MaxCookieSize), "duplicated" (sent twice: see [Options.Domain]),
	// "unknown" (a server-side store has no such session: expired,
	// ended, or never issued), "ended" (renewed or ended by a concurrent
	// request moments ago: see [GoneTTL]), "expired" (past the idle or
	// absolute timeout), "foreign" (issued under another cookie name) or
	// "unbound" (the cookie of a device-bound session, without a valid
	// bound cookie beside it: a copy used on another machine, or a
	// browser whose refreshes fail; see [DeviceBinding]).
	CookieRejected func(ctx context.Context, reason string)

	// Records is called by a store that keeps its records in the process
	// (memstore) when it keeps delta more of them (fewer, if negative),
	// the markers of ended sessions included.
	Records func(store string, delta int)

	// Evicted is called by a store that keeps its records in the process
	// for each live record it evicts to stay within its bound, with the
	// record's kind: "anonymous", "ended" (the marker of an ended session)
	// or "user" (a session with an owner).
	Evicted func(store, kind string)

	// Breaker is called when a store's circuit breaker goes from one
	// state to another: "closed", "open" or "half_open"; from is "" when
	// the store that has one is made, with its breaker closed.
	Breaker func(store, from, to string)
}

// The failures a store reports to Observer.StoreCall's function.
const (
	// FailureTimeout: the server did not answer in time, or the call's
	// budget or deadline ran out.
	FailureTimeout = "timeout"

	// FailureRefused: no connection to the server could be made (refused,
	// unreachable, no such host, or not made within the connect budget).
	FailureRefused = "refused"

	// FailureBreakerOpen: the store's circuit breaker failed the call
	// without calling the server, after the calls before it failed.
	FailureBreakerOpen = "breaker_open"

	// FailureOther: any other failure, such as an error the server sent
	// or a connection lost during the call.
	FailureOther = "other"
)

// The outcomes of a commit, the events of a session and the reasons for a
// rejected cookie, as Observer's fields list them.
const (
	commitWritten  = "written"
	commitRetried  = "conflict_retried"
	commitNone     = "unchanged"
	commitEnded    = "ended"
	commitFailed   = "failed"
	sessionCreated = "created"
	sessionRenewed = "renewed"
	sessionEnded   = "invalidated"
	sessionRevoked = "ended"
)

// committed tells the Observer how a commit ended.
func (m *Manager) committed(ctx context.Context, outcome string, conflicts int) {
	if o := m.obs; o != nil && o.Commit != nil {
		o.Commit(ctx, outcome, conflicts)
	}
}

// written tells the Observer that s was written at its attempt-th try, and
// what became of the session; s.mu is held, and s's changes are still
// there.
func (m *Manager) written(ctx context.Context, s *Session, attempt int) {
	o := m.obs
	if o == nil {
		return
	}
	if o.Commit != nil {
		outcome := commitWritten
		if attempt > 1 {
			outcome = commitRetried
		}
		o.Commit(ctx, outcome, attempt-1)
	}
	if o.Session == nil {
		return
	}
	switch {
	case s.token == "":
		o.Session(ctx, sessionCreated)
	case s.ch.fresh:
		o.Session(ctx, sessionEnded)
		o.Session(ctx, sessionCreated)
	case s.ch.renew:
		o.Session(ctx, sessionRenewed)
	}
}

// event tells the Observer what became of a session.
func (m *Manager) event(ctx context.Context, event string) {
	if o := m.obs; o != nil && o.Session != nil {
		o.Session(ctx, event)
	}
}

// rejected tells the Observer why the request's cookie was not used.
func (m *Manager) rejected(ctx context.Context, reason string) {
	if o := m.obs; o != nil && o.CookieRejected != nil {
		o.CookieRejected(ctx, reason)
	}
}
