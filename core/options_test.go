package core_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
)

func TestNewManagerRejects(t *testing.T) {
	tests := []struct {
		name string
		opts core.Options
	}{
		{"invalid cookie name", core.Options{CookieName: "my session"}},
		{"cookie name with separator", core.Options{CookieName: "a=b"}},
		{"relative path", core.Options{Path: "admin"}},
		{"path with semicolon", core.Options{Path: "/a;b"}},
		{"bad domain", core.Options{Domain: "exa mple.com"}},
		{"SameSite=None without Secure", core.Options{SameSite: http.SameSiteNoneMode, Insecure: true}},
		{"unknown SameSite", core.Options{SameSite: 9}},
		{"Partitioned without Secure", core.Options{Partitioned: true, Insecure: true}},
		{"__Host- with a Domain", core.Options{CookieName: "__Host-s", Domain: "example.com"}},
		{"__Host- with a Path", core.Options{CookieName: "__Host-s", Path: "/app"}},
		{"__Secure- without Secure", core.Options{CookieName: "__Secure-s", Insecure: true}},
		{"negative MaxAge", core.Options{MaxAge: -time.Second}},
		{"negative AbsoluteTimeout", core.Options{AbsoluteTimeout: -time.Hour}},
		{"sub-second IdleTimeout", core.Options{IdleTimeout: time.Millisecond}},
		{"ReissueTime not below IdleTimeout", core.Options{IdleTimeout: time.Minute, ReissueTime: time.Minute}},
		{"attributes too long for a cookie", core.Options{Path: "/" + strings.Repeat("p", 4096)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := core.NewManager(mustMemstore(), &tt.opts); !errors.Is(err, core.ErrConfig) {
				t.Fatalf("NewManager(%+v) = %v; want an error matching core.ErrConfig", tt.opts, err)
			}
		})
	}
	if _, err := core.NewManager(nil, nil); !errors.Is(err, core.ErrConfig) {
		t.Fatalf("NewManager(nil store) = %v; want core.ErrConfig", err)
	}
}

// setCookie runs one request that stores a value and returns the
// Set-Cookie header it produced.
func setCookie(t *testing.T, opts *core.Options) string {
	t.Helper()
	m, err := core.NewManager(mustMemstore(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var s core.Session
	ctx := m.Begin(&s, context.Background(), nil)
	sess, err := core.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if err := m.Commit(ctx, &s, http.StatusOK, h); err != nil {
		t.Fatal(err)
	}
	return h.Get("Set-Cookie")
}

func TestCookieAttributes(t *testing.T) {
	tests := []struct {
		name string
		opts *core.Options
		want string // the header after the value
	}{
		{"defaults", nil, "; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"everything", &core.Options{
			CookieName: "__Secure-app", Path: "/app", Domain: "example.com", SameSite: http.SameSiteNoneMode,
			Partitioned: true, MaxAge: 2 * time.Hour, Clock: func() time.Time { return time.Unix(1_800_000_000, 0) },
		}, "; Path=/app; Domain=example.com; Max-Age=7200; Expires=Fri, 15 Jan 2027 10:00:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned"},
		{"development", &core.Options{Insecure: true, AllowScriptAccess: true, SameSite: http.SameSiteStrictMode}, "; Path=/; SameSite=Strict"},
		{"default SameSite mode omits it", &core.Options{SameSite: http.SameSiteDefaultMode}, "; Path=/; HttpOnly; Secure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := setCookie(t, tt.opts)
			name := "session"
			if tt.opts != nil && tt.opts.CookieName != "" {
				name = tt.opts.CookieName
			}
			value, attrs, _ := strings.Cut(strings.TrimPrefix(got, name+"="), ";")
			if len(value) != 43 || "; "+strings.TrimPrefix(attrs, " ") != tt.want {
				t.Fatalf("Set-Cookie = %q; want %s=<43-character ID>%s", got, name, tt.want)
			}
			if _, err := http.ParseSetCookie(got); err != nil {
				t.Fatalf("http.ParseSetCookie(%q) = %v", got, err)
			}
		})
	}
}
