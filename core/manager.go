package core

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// A Manager creates, loads and commits sessions: it is what Pyramid calls a
// session factory. Make one with [NewManager] at start-up and share it; it
// is safe for concurrent use. Adapters call [Manager.Begin] when a request
// arrives and [Manager.Commit] before the first byte of the response;
// handlers reach the session through [FromContext] or their adapter.
type Manager struct {
	store      Store
	clientSide bool         // the store keeps the data in the cookie
	locking    LockingStore // store, if it can hold a record; nil otherwise
	bound      []byte       // the cookie name a server-side record is bound to, nil for DefaultCookieName; "header:" and the name with TokenHeader
	cookie     cookieSpec
	maxAge     int64 // seconds a cookie lasts (Options.MaxAge); 0: browser-session cookies
	idle       int64 // seconds; 0 when disabled
	absolute   int64 // seconds
	reissue    int64 // seconds; -1 never
	skip5xx    bool
	onError    func(context.Context, error) error
	log        *slog.Logger // nil: slog.Default()
	obs        *Observer    // nil: nothing is recorded
	now        func() time.Time
	buffers    sync.Pool // *[]byte for encoding payloads
	insecure   bool      // Options.Insecure
	warned     atomic.Bool

	noMiddleware atomic.Bool // FromContext found no session of this Manager and logged it
	limitChecked atomic.Bool // warnCookieLimit has looked at a CookieLimiter

	device *deviceConfig // Options.DeviceBinding; nil: off
	header string        // Options.TokenHeader, canonical; "": the token travels in the cookie
}

// NewManager returns a Manager that keeps sessions in store, configured by
// opts (nil means the defaults described on [Options]). It returns an error
// matching [ErrConfig] for a configuration that is unsafe, that browsers
// would reject or that cannot work, such as SameSite=None without Secure,
// an invalid cookie name, or [Options.TokenHeader] with a cookie store;
// stores check their own settings, such as key lengths, in their
// constructors.
func NewManager(store Store, opts *Options) (*Manager, error) {
	if store == nil {
		return nil, configError("store is nil")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	header, err := checkTokenHeader(&o, store)
	if err != nil {
		return nil, err
	}
	if err = o.resolve(); err != nil {
		return nil, err
	}
	m := &Manager{
		store:    store,
		cookie:   newCookieSpec(&o),
		maxAge:   seconds(o.MaxAge),
		idle:     seconds(o.IdleTimeout),
		absolute: seconds(o.AbsoluteTimeout),
		reissue:  seconds(o.ReissueTime),
		skip5xx:  o.SkipOnServerError,
		onError:  o.ErrorHandler,
		log:      o.Logger,
		obs:      o.Observer,
		now:      o.Clock,
		insecure: o.Insecure,
		header:   header,
	}
	if cs, ok := store.(CookieStore); ok {
		m.store, m.clientSide = cs.WithCookieName(o.CookieName), true
	} else {
		m.locking, _ = store.(LockingStore)
		switch {
		case header != "":
			// A name no cookie can have: a cookie Manager's session is
			// not found through the header, nor this one's through a
			// cookie.
			m.bound = []byte("header:" + header)
		case o.CookieName != DefaultCookieName:
			m.bound = []byte(o.CookieName)
		}
	}
	if m.device, err = newDeviceConfig(&o, store); err != nil {
		return nil, err
	}
	if size := m.cookie.size(NewID()); size > MaxCookieSize {
		return nil, configError("a session cookie with these attributes is %d bytes, over %d", size, MaxCookieSize)
	}
	return m, nil
}
