package bench_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/alexedwards/scs/v2"
	scsmemstore "github.com/alexedwards/scs/v2/memstore"
	"github.com/gorilla/sessions"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkNetHTTP measures the net/http rows that need no Redis.
func BenchmarkNetHTTP(b *testing.B) {
	rows := []row{
		{name: "bare", h: untouchedMux(), bare: true},
		{name: "withcontext", h: withContext(untouchedMux()), bare: true},
		// A floor row's untouched request would be bare's.
		{name: "floor-lean", h: leanMux(), shapes: []shape{readOnly, readWrite}},
		{name: "floor-hmac", h: floorMux(newHMACCodec()), shapes: []shape{readOnly, readWrite}},
		{name: "floor-gcm", h: floorMux(newGCMCodec(b)), shapes: []shape{readOnly, readWrite}},
	}
	for _, st := range ourStores(b) {
		rows = append(rows, row{name: st.name, h: ourHTTP(newManager(b, st.store))})
	}
	rows = append(rows, row{name: "transient-memory-otel", h: ourHTTP(observedMemory(b))})
	// The encrypted cookie store, beside gorilla's hash and block key and
	// the GCM floor.
	encrypted, err := cookiestore.New(&cookiestore.Options{Secrets: []string{secret}, Encrypt: true})
	if err != nil {
		b.Fatal(err)
	}
	rows = append(rows,
		row{name: "transient-cookie-encrypt", h: ourHTTP(newManager(b, encrypted))},
		row{name: "gorilla-hash", h: gorillaMux(sessions.NewCookieStore([]byte(secret)))},
		row{name: "gorilla-hash-block", h: gorillaMux(sessions.NewCookieStore([]byte(secret), blockKey))},
		row{name: "scs-memory", h: scsHandler(scsmemstore.New())},
	)
	run(b, rows)
}

// BenchmarkNetHTTPRedis measures the net/http rows that keep sessions in
// Redis, on a redis-server of their own.
func BenchmarkNetHTTPRedis(b *testing.B) {
	srv := redistest.StartLocal(b)
	store, rt, client := ourRedisClient(b, srv)
	scsStore, scsRT := scsRedis(b, srv)
	m := redisMeter{srv.Client(b)}
	run(b, []row{
		// The floor on transient's client, whose hook counts its round trips.
		{name: "floor-redis", h: storeFloorMux(redisFloor{client}), rt: rt, srv: m, shapes: []shape{readOnly, readWrite}},
		{name: "transient-redis", h: ourHTTP(newManager(b, store)), rt: rt, srv: m},
		{name: "scs-redis", h: scsHandler(scsStore), rt: scsRT, srv: m},
	})
}

// untouchedMux is the bare net/http row: a mux with the untouched route.
func untouchedMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /untouched", func(w http.ResponseWriter, r *http.Request) { ok(w) })
	return mux
}

// withContext is the least a middleware that hands handlers a value
// through the request's context can do.
func withContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, r)))
	})
}

// checkSession returns what is wrong with the values a handler read, or "".
func checkSession(id int, name string) string {
	if id != userID || name != userName {
		return "wrong session"
	}
	return ""
}

// checkFlashes returns what is wrong with the number of flash messages a
// read-write request popped, or "": the previous request left one at most.
func checkFlashes(n int) string {
	if n > 1 {
		return "flash messages accumulate"
	}
	return ""
}

// ourCheck reads user_id and username from s.
func ourCheck(s *core.Session) string {
	id, _ := s.Int("user_id")
	name, _ := s.String("username")
	return checkSession(id, name)
}

// ourWrite pops the previous flash messages and adds one.
func ourWrite(s *core.Session) string {
	msg := checkFlashes(len(s.PopFlash("")))
	s.Flash(flashMsg, "")
	return msg
}

// ourLogin puts the benchmarks' session in s.
func ourLogin(s *core.Session) {
	_ = s.Set("user_id", userID)
	_ = s.Set("username", userName)
}

// ourHTTP is a transient row on net/http.
func ourHTTP(m *core.Manager) http.Handler {
	mux := untouchedMux()
	session := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, err.Error(), core.StatusCode(err))
			return nil
		}
		return s
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			ourLogin(s)
			ok(w)
		}
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			if msg := ourCheck(s); msg != "" {
				fail(w, msg)
				return
			}
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			if msg := ourCheck(s) + ourWrite(s); msg != "" {
				fail(w, msg)
				return
			}
			ok(w)
		}
	})
	return sessionhttp.Middleware(m, nil)(mux)
}

// gorillaMux is a gorilla/sessions row, used as its README shows: Get the
// session in the handler, Save it after a change.
func gorillaMux(store *sessions.CookieStore) http.Handler {
	mux := untouchedMux()
	session := func(w http.ResponseWriter, r *http.Request) *sessions.Session {
		s, err := store.Get(r, "session")
		if err != nil {
			fail(w, err.Error())
			return nil
		}
		return s
	}
	read := func(w http.ResponseWriter, r *http.Request) *sessions.Session {
		s := session(w, r)
		if s == nil {
			return nil
		}
		id, _ := s.Values["user_id"].(int)
		name, _ := s.Values["username"].(string)
		if msg := checkSession(id, name); msg != "" {
			fail(w, msg)
			return nil
		}
		return s
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			s.Values["user_id"] = userID
			s.Values["username"] = userName
			if err := s.Save(r, w); err != nil {
				fail(w, err.Error())
				return
			}
			ok(w)
		}
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) != nil {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		s := read(w, r)
		if s == nil {
			return
		}
		if msg := checkFlashes(len(s.Flashes())); msg != "" {
			fail(w, msg)
			return
		}
		s.AddFlash(flashMsg)
		if err := s.Save(r, w); err != nil {
			fail(w, err.Error())
			return
		}
		ok(w)
	})
	return mux
}

// scsHandler is an alexedwards/scs row, used as its README shows: the
// LoadAndSave middleware, Put and Get in handlers. scs has no flash
// messages: its README keeps one under a key and pops it with PopString.
func scsHandler(store scs.Store) http.Handler {
	sm := scs.New()
	sm.Store = store
	mux := untouchedMux()
	read := func(w http.ResponseWriter, r *http.Request) bool {
		ctx := r.Context()
		if msg := checkSession(sm.GetInt(ctx, "user_id"), sm.GetString(ctx, "username")); msg != "" {
			fail(w, msg)
			return false
		}
		return true
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		sm.Put(r.Context(), "user_id", userID)
		sm.Put(r.Context(), "username", userName)
		ok(w)
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) {
			ok(w)
		}
	})
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		if read(w, r) {
			_ = sm.PopString(r.Context(), "flash") // one value: cannot accumulate
			sm.Put(r.Context(), "flash", flashMsg)
			ok(w)
		}
	})
	return sm.LoadAndSave(mux)
}
