package redisstore

import (
	"runtime"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestNewFromURLOptions checks the budgets and pool NewFromURL gives its
// client: the defaults, never longer than Options.Timeout, and whatever
// the URL's query sets instead.
func TestNewFromURLOptions(t *testing.T) {
	type want struct {
		dial, read, write, pool time.Duration
		size, pipelines         int
	}
	size := max(DefaultPoolSize, 10*runtime.GOMAXPROCS(0))
	tests := []struct {
		name string
		url  string
		opts *Options
		want want
	}{
		{"defaults", "redis://127.0.0.1:6379/0", nil,
			want{DefaultDialTimeout, DefaultAnswerTimeout, DefaultAnswerTimeout, DefaultTimeout, size, -1}},
		{"short call budget", "redis://127.0.0.1:6379/0", &Options{Timeout: 200 * time.Millisecond},
			want{200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond, size, -1}},
		{"the URL's settings", "redis://127.0.0.1:6379/0?dial_timeout=2s&read_timeout=3s&write_timeout=4s&pool_timeout=6s&pool_size=7&pipeline_pool_size=8", nil,
			want{2 * time.Second, 3 * time.Second, 4 * time.Second, 6 * time.Second, 7, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewFromURL(tt.url, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			o := s.client.(*redis.Client).Options()
			got := want{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout, o.PoolSize, o.PipelinePoolSize}
			if got != tt.want {
				t.Errorf("NewFromURL(%q) client options = %+v; want %+v", tt.url, got, tt.want)
			}
			// go-redis reads MaxRetries -1, no retry, as 0.
			if !o.ContextTimeoutEnabled || o.MaxRetries != 0 || o.DialerRetries != 1 {
				t.Errorf("NewFromURL(%q): ContextTimeoutEnabled %v, MaxRetries %d, DialerRetries %d; want true, 0 (no retry), 1",
					tt.url, o.ContextTimeoutEnabled, o.MaxRetries, o.DialerRetries)
			}
		})
	}
}
