package redisstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

// TestErrorsNameTheServer checks that every method's failure names the
// store and the server, with its address, and never the password of the
// URL; that the cause stays reachable with errors.Is and errors.As; and
// that every failed write returns "" as its token.
func TestErrorsNameTheServer(t *testing.T) {
	refused, quiet := freeAddr(t), silentServer(t)
	a, b := freeAddr(t), freeAddr(t)
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{a, b}, ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { cluster.Close() })
	tests := []struct {
		name         string
		store        *redisstore.Store
		server, says string // in every error
	}{
		{"refused", fromURL(t, "redis://someone:the-password@"+refused+"/0", nil), "Redis at " + refused, "refused"},
		{"silent", fromURL(t, "redis://:the-password@"+quiet+"/0?read_timeout=50ms", nil), "Redis at " + quiet, "not answer"},
		{"cluster", newStore(t, cluster, &redisstore.Options{Timeout: 200 * time.Millisecond}), "Redis Cluster at " + a + ", " + b, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, tok := tt.store, core.NewID()
			change := func([]byte) (core.Record, error) { return record(`{}`), nil }
			ops := []struct {
				name string
				op   func() (string, error)
			}{
				{"Load", func() (string, error) { _, _, err := s.Load(ctx, tok); return "", err }},
				{"Create", func() (string, error) { return s.Create(ctx, record(`{}`)) }},
				{"Update", func() (string, error) { return s.Update(ctx, tok, []byte(`{}`), record(`{}`)) }},
				{"Renew", func() (string, error) { return s.Renew(ctx, tok, []byte(`{}`), record(`{}`)) }},
				{"UpdateLocked", func() (string, error) { return s.UpdateLocked(ctx, tok, false, change) }},
				{"UpdateLocked(renew)", func() (string, error) { return s.UpdateLocked(ctx, tok, true, change) }},
				{"Delete", func() (string, error) { return "", s.Delete(ctx, tok) }},
				{"List", func() (string, error) { _, err := s.List(ctx, "alice"); return "", err }},
				{"End", func() (string, error) { return "", s.End(ctx, "alice", core.HandleOf(tok)) }},
				{"Ping", func() (string, error) { return "", s.Ping(ctx) }},
			}
			for _, o := range ops {
				got, err := o.op()
				switch {
				case err == nil || errors.Is(err, core.ErrNotFound):
					t.Errorf("%s = %v; want a store error", o.name, err)
				case got != "":
					t.Errorf("%s = %q, %v; want \"\" with the error", o.name, got, err)
				case !strings.HasPrefix(strings.TrimPrefix(err.Error(), core.ErrStore.Error()+": "), "redisstore: "),
					!strings.Contains(err.Error(), tt.server), !strings.Contains(err.Error(), tt.says):
					t.Errorf("%s = %q; want an error of the store that names %s and says %q", o.name, err, tt.server, tt.says)
				case strings.Contains(err.Error(), "the-password"):
					t.Errorf("%s = %q; want no password in it", o.name, err)
				}
			}
		})
	}
}
