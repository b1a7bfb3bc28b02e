package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

func TestDeviceConfig(t *testing.T) {
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		store core.Store
		opts  core.Options
		want  string // in the error; "" for none
	}{
		{"defaults", nil, core.Options{}, ""},
		{"local development", nil, core.Options{Insecure: true}, ""},
		{"__Host- names", nil, core.Options{CookieName: "__Host-session"}, ""},
		{"paths within the cookie's", nil, core.Options{Path: "/app", DeviceBinding: &core.DeviceBinding{RegistrationPath: "/app/r", RefreshPath: "/app/f"}}, ""},
		{"cookie store", cookies, core.Options{}, "need a server-side store"},
		{"partitioned", nil, core.Options{Partitioned: true}, "Partitioned"},
		{"default paths outside the cookie's", nil, core.Options{Path: "/app"}, "RegistrationPath"},
		{"path prefix is not a path", nil, core.Options{Path: "/app", DeviceBinding: &core.DeviceBinding{RegistrationPath: "/apple", RefreshPath: "/app/f"}}, "RegistrationPath"},
		{"relative path", nil, core.Options{DeviceBinding: &core.DeviceBinding{RefreshPath: "refresh"}}, "RefreshPath"},
		{"path with a quote", nil, core.Options{DeviceBinding: &core.DeviceBinding{RefreshPath: `/a"b`}}, "RefreshPath"},
		{"path with a query", nil, core.Options{DeviceBinding: &core.DeviceBinding{RefreshPath: "/a?b"}}, "RefreshPath"},
		{"same paths", nil, core.Options{DeviceBinding: &core.DeviceBinding{RegistrationPath: "/d", RefreshPath: "/d"}}, "both"},
		{"session cookie's name", nil, core.Options{DeviceBinding: &core.DeviceBinding{CookieName: "session"}}, "CookieName"},
		{"bad name", nil, core.Options{DeviceBinding: &core.DeviceBinding{CookieName: "a;b"}}, "CookieName"},
		{"__Host- over HTTP", nil, core.Options{Insecure: true, DeviceBinding: &core.DeviceBinding{CookieName: "__Host-bound"}}, "__Host-"},
		{"__Secure- over HTTP", nil, core.Options{Insecure: true, DeviceBinding: &core.DeviceBinding{CookieName: "__Secure-bound"}}, "__Secure-"},
		{"short lifetime", nil, core.Options{DeviceBinding: &core.DeviceBinding{Lifetime: time.Second}}, "MinBoundLifetime"},
		{"negative lifetime", nil, core.Options{DeviceBinding: &core.DeviceBinding{Lifetime: -time.Minute}}, "MinBoundLifetime"},
		{"lifetime past the absolute timeout", nil, core.Options{AbsoluteTimeout: time.Hour, DeviceBinding: &core.DeviceBinding{Lifetime: 2 * time.Hour}}, "AbsoluteTimeout"},
		{"unknown Unbound", nil, core.Options{DeviceBinding: &core.DeviceBinding{Unbound: 9}}, "Unbound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := tt.store
			if store == nil {
				store = mustMemstore()
			}
			opts := tt.opts
			if opts.DeviceBinding == nil {
				opts.DeviceBinding = &core.DeviceBinding{}
			}
			_, err := core.NewManager(store, &opts)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("NewManager = %v; want nil", err)
			case tt.want != "" && (!errors.Is(err, core.ErrConfig) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("NewManager = %v; want an ErrConfig about %s", err, tt.want)
			}
		})
	}
}

func TestDeviceEndpoint(t *testing.T) {
	off := newManager(t, nil, nil)
	on := newManager(t, nil, &core.Options{DeviceBinding: &core.DeviceBinding{}})
	for _, path := range []string{core.DefaultRegistrationPath, core.DefaultRefreshPath} {
		if off.DeviceEndpoint(path) || !on.DeviceEndpoint(path) {
			t.Errorf("DeviceEndpoint(%s) = %v off, %v on; want false, true", path, off.DeviceEndpoint(path), on.DeviceEndpoint(path))
		}
	}
	for _, path := range []string{"/", "/dbsc", core.DefaultRefreshPath + "/", strings.ToUpper(core.DefaultRefreshPath)} {
		if on.DeviceEndpoint(path) {
			t.Errorf("DeviceEndpoint(%s) = true; want false", path)
		}
	}
}
