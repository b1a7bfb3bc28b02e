package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/transient-go/transient/core"
)

func TestSetOwner(t *testing.T) {
	tests := []struct {
		name, owner string
		ok          bool
	}{
		{"plain", "alice", true},
		{"email", "alice+tag@example.com", true},
		{"non-ASCII", "zoë-日本-😀", true},
		{"quotes and braces", `{"o":"x"}'\`, true},
		{"at the bound", strings.Repeat("é", core.MaxOwnerLength/2), true},
		{"empty: anonymous", "", true},
		{"invalid UTF-8", "user-\xff\xfe\x00\x80", false},
		{"a lone continuation byte", "user\x80", false},
		{"NUL", "user\x00admin", false},
		{"newline", "alice\nbob", false},
		{"DEL", "alice\x7f", false},
		{"C1 control", "alice\u0085", false},
		{"over the bound", strings.Repeat("a", core.MaxOwnerLength+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, nil, nil)
			r := begin(m)
			s := r.session(t)
			s.Set("k", "v")
			err := s.SetOwner(tt.owner, core.Device{UserAgent: "UA"})
			switch {
			case tt.ok && err != nil:
				t.Fatalf("SetOwner(%.40q) = %v; want nil", tt.owner, err)
			case !tt.ok && !errors.Is(err, core.ErrInvalidValue):
				t.Fatalf("SetOwner(%.40q) = %v; want an error matching core.ErrInvalidValue", tt.owner, err)
			case !tt.ok && s.Owner() != "":
				t.Fatalf("a refused SetOwner left the owner %q", s.Owner())
			case tt.ok && s.Owner() != tt.owner:
				t.Fatalf("Owner() = %.40q; want %.40q", s.Owner(), tt.owner)
			}
			if err != nil && strings.Contains(err.Error(), "user") {
				t.Fatalf("the error %q quotes the owner; it may be logged", err)
			}
		})
	}
}

// TestSetOwnerDevice checks that a device's fields, which come from the
// client, are cleaned rather than refused.
func TestSetOwnerDevice(t *testing.T) {
	long := strings.Repeat("é", core.MaxDeviceLength) // twice the bound, in bytes
	tests := []struct {
		name, in, want string
	}{
		{"clean", "Firefox on Linux", "Firefox on Linux"},
		{"invalid UTF-8", "Mozilla\xff/5.0", "Mozilla\uFFFD/5.0"},
		{"control characters", "a\x00b\nc\u0085", "a\uFFFDb\uFFFDc\uFFFD"},
		{"too long", long, long[:core.MaxDeviceLength]},
		{"cut at a character", "x" + long, "x" + long[:core.MaxDeviceLength-2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, nil, nil)
			r := begin(m)
			if err := r.session(t).SetOwner("alice", core.Device{UserAgent: tt.in, Address: tt.in}); err != nil {
				t.Fatalf("SetOwner with a hostile device = %v; want nil", err)
			}
			r.commit(t)
			infos, err := m.Sessions(context.Background(), "alice")
			if err != nil || len(infos) != 1 {
				t.Fatalf("Sessions = %v, %v; want the one session", infos, err)
			}
			if infos[0].UserAgent != tt.want || infos[0].Address != tt.want {
				t.Fatalf("device = %q, %q; want %q", infos[0].UserAgent, infos[0].Address, tt.want)
			}
			if !utf8.ValidString(infos[0].UserAgent) || len(infos[0].UserAgent) > core.MaxDeviceLength {
				t.Fatalf("device %q is not clean", infos[0].UserAgent)
			}
		})
	}
}
