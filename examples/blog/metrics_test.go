package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestCheckMetrics(t *testing.T) {
	good := config{addr: "127.0.0.1:8080", framework: "nethttp", store: "memory"}
	for _, tt := range []struct {
		addr, want string // want in the error; "" for none
	}{
		{"127.0.0.1:9464", ""},
		{"[::1]:9464", ""},
		{"localhost:9464", ""},
		{"127.0.0.1:0", ""},
		{":9464", "serve the metrics on a loopback address"},
		{"0.0.0.0:9464", "serve the metrics on a loopback address"},
		{"192.0.2.1:9464", "serve the metrics on a loopback address"},
		{"metrics.example.com:9464", "serve the metrics on a loopback address"},
		{"9464", `-metrics "9464": want host:port`},
	} {
		cfg := good
		cfg.metrics = tt.addr
		err := cfg.check(nil)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("-metrics %s: check = %v; want nil", tt.addr, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("-metrics %s: check = %v; want an error containing %q", tt.addr, err, tt.want)
		}
	}
}

// TestMetrics serves the blog with -metrics's Observer, with the memory
// store, and reads the exposition after each step: a visit, a login, a
// logout and a forged cookie each move their numbers.
func TestMetrics(t *testing.T) {
	m, err := newMetrics()
	if err != nil {
		t.Fatal(err)
	}
	exposition := httptest.NewServer(m.handler)
	t.Cleanup(exposition.Close)
	cfg := testConfig("nethttp", "memory")
	cfg.users, cfg.observer = testUsers(t), m.observer
	st, closeStore, err := newStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeStore)
	base := serveBlog(t, cfg, st)

	c := newClient(t, base)
	c.get("/login")
	c.login("carol", carolPassword, nil)
	after := scrape(t, exposition.URL)
	for name, want := range map[string]float64{
		`transient_session_created_total`:                             1, // the login form's CSRF token
		`transient_session_renewed_total`:                             1, // the login: a new owner
		`transient_commits_total{transient_commit_outcome="written"}`: 2,
		`transient_store_record_count{transient_store="memstore"}`:    2, // the session, and the marker the renewal left
		`transient_store_operation_duration_seconds_count{transient_store="memstore",transient_store_operation="renew"}`: 1,
	} {
		if got := after[name]; got != want {
			t.Errorf("after a login, %s = %v; want %v", name, got, want)
		}
	}
	wantRedirect(t, c.post("/logout", url.Values{"csrf_token": {c.csrfToken("/dashboard")}}), "/")
	other := newClient(t, base)
	other.setCookie("forged")
	other.get("/")
	after = scrape(t, exposition.URL)
	for name, want := range map[string]float64{
		`transient_session_invalidated_total`:                                1,
		`transient_cookie_rejected_total{transient_cookie_reason="unknown"}`: 1,
	} {
		if got := after[name]; got != want {
			t.Errorf("after a logout and a forged cookie, %s = %v; want %v", name, got, want)
		}
	}
}

var sample = regexp.MustCompile(`(?m)^(transient_\S+) (\S+)$`)

// scrape returns the transient_ samples the exposition at base serves, by
// name with labels, without OpenTelemetry's scope labels.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d, %v", resp.StatusCode, err)
	}
	out := map[string]float64{}
	scope := regexp.MustCompile(`,?otel_scope_[a-z_]+="[^"]*"`)
	for _, m := range sample.FindAllStringSubmatch(string(body), -1) {
		name := strings.Replace(scope.ReplaceAllString(m[1], ""), "{,", "{", 1)
		name = strings.TrimSuffix(name, "{}")
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("%s: %v", m[0], err)
		}
		out[name] = v
	}
	return out
}
