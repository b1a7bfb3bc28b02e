package core_test

import (
	"context"
	"testing"

	"github.com/transient-go/transient/core"
)

// TestRecordBoundToCookieName runs two Managers over one store, under the
// cookie names "session" (the default) and "prefs": the ID of either's
// session, sent under the other's cookie name, reads nothing, and each
// lists only its own sessions of a user.
func TestRecordBoundToCookieName(t *testing.T) {
	store := mustMemstore()
	login := newManager(t, store, nil)
	prefs := newManager(t, store, &core.Options{CookieName: "prefs"})
	ids := map[string]string{}
	for name, m := range map[string]*core.Manager{"session": login, "prefs": prefs} {
		r := begin(m)
		s := r.session(t)
		if err := s.SetOwner("alice", core.Device{UserAgent: name}); err != nil {
			t.Fatal(err)
		}
		_ = s.Set("kind", name)
		for _, c := range r.commit(t)["Set-Cookie"] {
			ids[name] = c[len(name)+1 : len(name)+1+core.IDLength]
		}
	}
	for _, tt := range []struct {
		m           *core.Manager
		name, other string
	}{{login, "session", "prefs"}, {prefs, "prefs", "session"}} {
		own := begin(tt.m, tt.name+"="+ids[tt.name]).session(t)
		if v, _ := own.String("kind"); v != tt.name {
			t.Fatalf("%s's own cookie reads kind %q; want %q", tt.name, v, tt.name)
		}
		r := begin(tt.m, tt.name+"="+ids[tt.other])
		s := r.session(t)
		if !s.IsNew() || s.Len() != 0 || s.Owner() != "" {
			t.Fatalf("%s's ID sent as the %s cookie reads %q, owner %q; want a new, empty session", tt.other, tt.name, s.Keys(), s.Owner())
		}
		infos, err := tt.m.Sessions(context.Background(), "alice")
		if err != nil || len(infos) != 1 || infos[0].UserAgent != tt.name {
			t.Fatalf("%s's Sessions = %+v, %v; want its own one session", tt.name, infos, err)
		}
	}
}
