package pgstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

// TestEmptyURL checks that an empty URL is refused, with a message that
// says what to set, even when libpq's environment variables would make
// one: it is what an unset DATABASE_URL reads as.
func TestEmptyURL(t *testing.T) {
	t.Setenv("PGHOST", "127.0.0.1")
	t.Setenv("PGDATABASE", "app")
	for _, url := range []string{"", " \t\n"} {
		_, err := pgstore.PoolConfig(url, nil)
		if !errors.Is(err, core.ErrConfig) || !strings.Contains(err.Error(), "the database URL is empty") || !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("PoolConfig(%q) = %v; want an error matching core.ErrConfig that says what to set", url, err)
		}
		if s, err := pgstore.NewFromURL(url, nil); !errors.Is(err, core.ErrConfig) {
			if s != nil {
				_ = s.Close()
			}
			t.Errorf("NewFromURL(%q) = %v; want an error matching core.ErrConfig", url, err)
		}
	}
	cfg, err := pgstore.PoolConfig("postgres://", nil)
	if err != nil || cfg.ConnConfig.Host != "127.0.0.1" || cfg.ConnConfig.Database != "app" {
		t.Errorf("PoolConfig(\"postgres://\") = %v; want the configuration of the PG* variables", err)
	}
}

// TestPoolConfig checks the budgets PoolConfig gives a pool unless its URL
// sets them.
func TestPoolConfig(t *testing.T) {
	cfg, err := pgstore.PoolConfig("postgres://app@127.0.0.1:5432/app", &pgstore.Options{QueryTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ConnConfig.ConnectTimeout; got != pgstore.DefaultConnectTimeout {
		t.Errorf("ConnectTimeout = %v; want %v", got, pgstore.DefaultConnectTimeout)
	}
	if cfg.PingTimeout != 2*time.Second {
		t.Errorf("PingTimeout = %v; want the QueryTimeout, 2s", cfg.PingTimeout)
	}
	cfg, err = pgstore.PoolConfig("postgres://app@127.0.0.1:5432/app?connect_timeout=2", nil)
	if err != nil || cfg.ConnConfig.ConnectTimeout != 2*time.Second {
		t.Errorf("ConnectTimeout with connect_timeout=2 in the URL = %v, %v; want 2s", cfg.ConnConfig.ConnectTimeout, err)
	}
}
