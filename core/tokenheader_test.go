package core_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// This file tests Options.TokenHeader in the core: the token read from a
// request header and sent back in a response header, never in a cookie.
// The adapters' suite runs the whole life cycle over HTTP with it.

// beginHeader starts a request of m whose headers are h.
func beginHeader(m *core.Manager, h http.Header) *request {
	r := &request{m: m}
	r.ctx = m.Begin(&r.s, context.Background(), core.CookiesFrom(h))
	return r
}

// bearer returns the headers of a request that sends tok.
func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// tokenOf returns the token a response's Authorization header gives, and
// whether the header is there.
func tokenOf(t *testing.T, h http.Header) (string, bool) {
	t.Helper()
	if v := h.Values("Set-Cookie"); len(v) > 0 {
		t.Fatalf("a Manager with TokenHeader sent Set-Cookie %q", v)
	}
	v, ok := h["Authorization"]
	if !ok {
		return "", false
	}
	if len(v) != 1 {
		t.Fatalf("Authorization = %q; want one value", v)
	}
	if v[0] == "" {
		return "", true
	}
	tok, found := strings.CutPrefix(v[0], "Bearer ")
	if !found || !core.ValidID(tok) {
		t.Fatalf("Authorization = %q; want Bearer and a session ID", v[0])
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Fatalf("a response with a token has Cache-Control %q; want no-store", h.Values("Cache-Control"))
	}
	return tok, true
}

func headerManager(t testing.TB, store core.Store, name string) *core.Manager {
	t.Helper()
	m, err := core.NewManager(store, &core.Options{TokenHeader: name})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTokenHeaderRefused(t *testing.T) {
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{strings.Repeat("s", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		store core.Store
		opts  core.Options
		fix   string // what the message must say
	}{
		{"cookie store", cookies, core.Options{TokenHeader: "Authorization"}, "use memstore, redisstore or pgstore"},
		{"device binding", nil, core.Options{TokenHeader: "Authorization", DeviceBinding: &core.DeviceBinding{}}, "leave DeviceBinding nil"},
		{"invalid name", nil, core.Options{TokenHeader: "X Token"}, "not a valid header name"},
		{"name with a colon", nil, core.Options{TokenHeader: "X-Token:"}, "not a valid header name"},
		{"Cookie", nil, core.Options{TokenHeader: "cookie"}, "X-Session-Token"},
		{"Set-Cookie", nil, core.Options{TokenHeader: "Set-Cookie"}, "X-Session-Token"},
		{"Host", nil, core.Options{TokenHeader: "Host"}, "X-Session-Token"},
		{"Vary", nil, core.Options{TokenHeader: "Vary"}, "X-Session-Token"},
		{"Cache-Control", nil, core.Options{TokenHeader: "cache-control"}, "X-Session-Token"},
		{"CookieName", nil, core.Options{TokenHeader: "Authorization", CookieName: "api"}, "Options.CookieName"},
		{"Path", nil, core.Options{TokenHeader: "Authorization", Path: "/api"}, "Options.Path"},
		{"Domain", nil, core.Options{TokenHeader: "Authorization", Domain: "example.com"}, "Options.Domain"},
		{"Insecure", nil, core.Options{TokenHeader: "Authorization", Insecure: true}, "Options.Insecure"},
		{"AllowScriptAccess", nil, core.Options{TokenHeader: "Authorization", AllowScriptAccess: true}, "Options.AllowScriptAccess"},
		{"SameSite", nil, core.Options{TokenHeader: "Authorization", SameSite: http.SameSiteStrictMode}, "Options.SameSite"},
		{"Partitioned", nil, core.Options{TokenHeader: "Authorization", Partitioned: true}, "Options.Partitioned"},
		{"MaxAge", nil, core.Options{TokenHeader: "Authorization", MaxAge: time.Hour}, "Options.MaxAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := tt.store
			if store == nil {
				store = mustMemstore()
			}
			_, err := core.NewManager(store, &tt.opts)
			if !errors.Is(err, core.ErrConfig) || !strings.Contains(err.Error(), tt.fix) {
				t.Fatalf("NewManager = %v; want an error matching core.ErrConfig that says %q", err, tt.fix)
			}
		})
	}
	for _, name := range []string{"Authorization", "authorization", "X-Session-Token", "x-api-session"} {
		if _, err := core.NewManager(mustMemstore(), &core.Options{TokenHeader: name}); err != nil {
			t.Errorf("NewManager with TokenHeader %q = %v; want it accepted", name, err)
		}
	}
}

// TestTokenHeaderLifecycle takes a session through its life in the
// Authorization header: created, read, renewed, ended; a cookie plays no
// part at any step.
func TestTokenHeaderLifecycle(t *testing.T) {
	m := headerManager(t, mustMemstore(), "authorization")

	r := beginHeader(m, http.Header{})
	r.session(t)
	h := r.commit(t)
	if _, sent := tokenOf(t, h); sent || h.Get("Vary") != "Authorization" {
		t.Fatalf("a new visitor's unchanged session: %v; want no token and Vary: Authorization", h)
	}

	r = beginHeader(m, http.Header{})
	_ = r.session(t).Set("user", "alice")
	tok, sent := tokenOf(t, r.commit(t))
	if !sent || tok == "" {
		t.Fatalf("a new session's first change sent no token")
	}

	// The session's own cookie would be ignored: only the header counts.
	r = beginHeader(m, http.Header{"Cookie": {"session=" + tok}})
	if s := r.session(t); !s.IsNew() || s.Len() != 0 {
		t.Fatalf("the token in a cookie read %q; want a new session", s.Keys())
	}
	r.commit(t)

	r = beginHeader(m, bearer(tok))
	if v, _ := r.session(t).String("user"); v != "alice" {
		t.Fatalf("the token read user %q; want alice", v)
	}
	if _, sent := tokenOf(t, r.commit(t)); sent {
		t.Fatalf("an unchanged session sent its token again")
	}

	r = beginHeader(m, bearer(tok))
	r.session(t).Renew()
	renewed, _ := tokenOf(t, r.commit(t))
	if renewed == "" || renewed == tok {
		t.Fatalf("Renew sent token %q; want a new one", renewed)
	}
	if s := beginHeader(m, bearer(tok)).session(t); !s.IsNew() {
		t.Fatalf("the token before Renew still reads a session")
	}

	r = beginHeader(m, bearer(renewed))
	r.session(t).Invalidate()
	h = r.commit(t)
	if v, sent := tokenOf(t, h); !sent || v != "" {
		t.Fatalf("Invalidate answered with %v; want an empty Authorization header", h)
	}
	if s := beginHeader(m, bearer(renewed)).session(t); !s.IsNew() {
		t.Fatalf("the token after Invalidate still reads a session")
	}
}

// TestTokenHeaderNamed carries the bare token in a header of the
// application's.
func TestTokenHeaderNamed(t *testing.T) {
	m := headerManager(t, mustMemstore(), "x-session-token")
	r := beginHeader(m, http.Header{})
	_ = r.session(t).Set("user", "alice")
	h := r.commit(t)
	tok := h.Get("X-Session-Token")
	if !core.ValidID(tok) || h.Get("Vary") != "X-Session-Token" || len(h.Values("Set-Cookie")) > 0 {
		t.Fatalf("response headers %v; want X-Session-Token with an ID, Vary naming it, no Set-Cookie", h)
	}
	r = beginHeader(m, http.Header{"X-Session-Token": {" " + tok + " "}})
	if v, _ := r.session(t).String("user"); v != "alice" {
		t.Fatalf("the token read user %q; want alice", v)
	}
	r.commit(t)
	for _, hostile := range []http.Header{
		{"Authorization": {"Bearer " + tok}},   // another header
		{"X-Session-Token": {"Bearer " + tok}}, // a scheme the header does not take
		{"X-Session-Token": {tok, tok}},        // twice
	} {
		if s := beginHeader(m, hostile).session(t); !s.IsNew() {
			t.Fatalf("request headers %v read a session; want a new one", hostile)
		}
	}
}

// TestTokenHeaderInput sends what clients and attackers may put in the
// Authorization header: only the token itself, in the Bearer scheme, reads
// its session, and anything else is a new session; a value that looks
// like a token of ours but is not usable is answered with an empty header,
// so that the client forgets it.
func TestTokenHeaderInput(t *testing.T) {
	store := mustMemstore()
	m := headerManager(t, store, "Authorization")
	r := beginHeader(m, http.Header{})
	_ = r.session(t).Set("user", "alice")
	tok, _ := tokenOf(t, r.commit(t))
	cookieID := func() string {
		r := begin(newManager(t, store, nil))
		_ = r.session(t).Set("user", "mallory")
		return sessionCookie(t, r.commit(t))
	}()

	tests := []struct {
		name  string
		lines []string
		reads bool // the session is alice's
		void  bool // the answer tells the client to forget its token
	}{
		{"the token", []string{"Bearer " + tok}, true, false},
		{"scheme in lower case", []string{"bearer " + tok}, true, false},
		{"scheme in upper case, spaces", []string{"BEARER   " + tok + "  "}, true, false},
		{"no header", nil, false, false},
		{"empty value", []string{""}, false, false},
		{"another scheme", []string{"Basic YWxpY2U6d29uZGVybGFuZA=="}, false, false},
		{"no scheme", []string{tok}, false, false},
		{"scheme only", []string{"Bearer"}, false, true},
		{"garbage", []string{"Bearer garbage"}, false, true},
		{"unknown ID", []string{"Bearer " + core.NewID()}, false, true},
		{"a cookie Manager's ID", []string{"Bearer " + cookieID}, false, true},
		{"truncated", []string{"Bearer " + tok[:20]}, false, true},
		{"two tokens in one line", []string{"Bearer " + tok + ", Bearer " + tok}, false, true},
		{"control character", []string{"Bearer " + tok[:10] + "\x00" + tok[10:]}, false, true},
		{"non-ASCII", []string{"Bearer " + tok[:10] + "é" + tok[10:]}, false, true},
		{"oversized", []string{"Bearer " + strings.Repeat("A", 9000)}, false, true},
		{"twice", []string{"Bearer " + tok, "Bearer " + tok}, false, true},
		{"with another scheme", []string{"Basic YWxpY2U6d29uZGVybGFuZA==", "Bearer " + tok}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := beginHeader(m, http.Header{"Authorization": tt.lines})
			s := r.session(t)
			if v, _ := s.String("user"); (v == "alice") != tt.reads || !tt.reads && !s.IsNew() {
				t.Fatalf("read user %q, new %v; want alice: %v", v, s.IsNew(), tt.reads)
			}
			v, sent := tokenOf(t, r.commit(t))
			if sent != tt.void || v != "" {
				t.Fatalf("answered with token %q (header sent: %v); want the empty header: %v", v, sent, tt.void)
			}
		})
	}
}

// noHeaders is the CookieSource of an adapter written before TokenHeader:
// it gives the cookies only.
type noHeaders struct{}

func (noHeaders) CookieLines() []string { return nil }

func TestTokenHeaderNeedsHeaderSource(t *testing.T) {
	m, err := core.NewManager(mustMemstore(), &core.Options{TokenHeader: "Authorization", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var s core.Session
	ctx := m.Begin(&s, context.Background(), noHeaders{})
	_, err = core.FromContext(ctx)
	if !errors.Is(err, core.ErrConfig) || !strings.Contains(err.Error(), "HeaderValues") || core.StatusCode(err) != 500 {
		t.Fatalf("FromContext = %v; want a 500 matching core.ErrConfig that names HeaderValues", err)
	}
}

// TestTokenHeaderAndCookieApart runs a cookie Manager and a header Manager
// over one store: neither reads the other's transport, nor the other's
// sessions when their tokens are moved across, and each lists only its own
// sessions of a user.
func TestTokenHeaderAndCookieApart(t *testing.T) {
	store := mustMemstore()
	cookies, api := newManager(t, store, nil), headerManager(t, store, "Authorization")

	r := begin(cookies)
	s := r.session(t)
	_ = s.SetOwner("alice", core.Device{UserAgent: "browser"})
	cookieID := sessionCookie(t, r.commit(t))

	r = beginHeader(api, http.Header{})
	_ = r.session(t).SetOwner("alice", core.Device{UserAgent: "app"})
	tok, _ := tokenOf(t, r.commit(t))

	for name, r := range map[string]*request{
		"the header token, as a cookie":      beginHeader(cookies, http.Header{"Cookie": {"session=" + tok}}),
		"the header token, in the header":    beginHeader(cookies, bearer(tok)),
		"the cookie session's ID, in header": beginHeader(api, bearer(cookieID)),
		"the cookie, to the header Manager":  beginHeader(api, http.Header{"Cookie": {"session=" + cookieID}}),
	} {
		if s := r.session(t); !s.IsNew() || s.Owner() != "" {
			t.Errorf("%s read owner %q; want a new session", name, s.Owner())
		}
	}
	for m, agent := range map[*core.Manager]string{cookies: "browser", api: "app"} {
		infos, err := m.Sessions(context.Background(), "alice")
		if err != nil || len(infos) != 1 || infos[0].UserAgent != agent {
			t.Errorf("Sessions = %+v, %v; want the Manager's one session, on %s", infos, err, agent)
		}
	}
}

// FuzzTokenHeader sends any one or two Authorization header lines: loading
// never fails, the session is never one the store did not issue, a
// session is only read by its own token, and a write gives a new ID,
// never one taken from the request.
func FuzzTokenHeader(f *testing.F) {
	store := mustMemstore()
	m := headerManager(f, store, "Authorization")
	r := beginHeader(m, http.Header{})
	s, err := core.FromContext(r.ctx)
	if err != nil {
		f.Fatal(err)
	}
	_ = s.Set("user", "alice")
	h := http.Header{}
	if err := m.Commit(r.ctx, &r.s, http.StatusOK, h); err != nil {
		f.Fatal(err)
	}
	tok := strings.TrimPrefix(h.Get("Authorization"), "Bearer ")
	for _, seed := range [][2]string{
		{"Bearer " + tok, ""},
		{"bearer " + tok, ""},
		{"Bearer " + tok, "Bearer " + tok},
		{"Bearer " + core.NewID(), ""},
		{"Bearer", ""},
		{"Bearer ", ""},
		{"Basic YWxpY2U6d29uZGVybGFuZA==", ""},
		{"Basic YWxpY2U6d29uZGVybGFuZA==", "Bearer " + tok},
		{tok, ""},
		{"Bearer " + tok + "=", ""},
		{"Bearer \"" + tok + "\"", ""},
		{"Bearer " + tok[:42] + "B", ""},
		{"Bearer \x00\xff\t" + tok, ""},
		{"Bearer " + strings.Repeat("A", 5000), ""},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, line, second string) {
		lines := []string{line}
		if second != "" {
			lines = append(lines, second)
		}
		r := beginHeader(m, http.Header{"Authorization": lines})
		s, err := core.FromContext(r.ctx)
		if err != nil {
			t.Fatalf("FromContext = %v; want a session, new or not", err)
		}
		if !s.IsNew() {
			if v, _ := s.String("user"); v != "alice" || !strings.Contains(line+second, tok) {
				t.Fatalf("lines %q read a session (user %q) without its token", lines, v)
			}
		}
		_ = s.Set("fuzz", line)
		h := http.Header{}
		if err := m.Commit(r.ctx, &r.s, http.StatusOK, h); err != nil {
			t.Fatalf("Commit = %v", err)
		}
		if len(h.Values("Set-Cookie")) > 0 {
			t.Fatalf("Set-Cookie %q", h.Values("Set-Cookie"))
		}
		if s.IsNew() {
			got, found := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
			if !found || !core.ValidID(got) || strings.Contains(line+second, got) {
				t.Fatalf("lines %q: a new session got Authorization %q; want a new ID", lines, h.Get("Authorization"))
			}
		}
		_ = m.Finish(r.ctx, &r.s)
	})
}
