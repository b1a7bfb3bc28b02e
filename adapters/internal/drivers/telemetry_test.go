package drivers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/otelsession"
)

// This file is what the observability tests share: an Observer that
// records into OpenTelemetry's in-memory reader and span recorder, sums of
// what it recorded, and the scan of every recorded attribute for a
// session's identifiers.

// telemetry is an Observer and what it records into.
type telemetry struct {
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	obs    *core.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tm := &telemetry{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	tm.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.spans))
	var err error
	tm.obs, err = otelsession.New(&otelsession.Options{
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.reader)),
		TracerProvider: tm.tp,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// collect returns every metric recorded so far.
func (tm *telemetry) collect(t *testing.T) []metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tm.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []metricdata.Metrics
	for _, sm := range rm.ScopeMetrics {
		out = append(out, sm.Metrics...)
	}
	return out
}

// sum returns the sum of the points of metric name (the count, for a
// histogram) whose attributes hold every one of attrs, "key=value".
func (tm *telemetry) sum(t *testing.T, name string, attrs ...string) int64 {
	t.Helper()
	match := func(s attribute.Set) bool {
		for _, a := range attrs {
			k, v, _ := strings.Cut(a, "=")
			if got, ok := s.Value(attribute.Key(k)); !ok || got.String() != v {
				return false
			}
		}
		return true
	}
	var n int64
	for _, m := range tm.collect(t) {
		if m.Name != name {
			continue
		}
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				if match(p.Attributes) {
					n += p.Value
				}
			}
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				if match(p.Attributes) {
					n += int64(p.Count)
				}
			}
		case metricdata.Histogram[int64]:
			for _, p := range d.DataPoints {
				if match(p.Attributes) {
					n += int64(p.Count)
				}
			}
		}
	}
	return n
}

// moved is one instrument that a scenario must have moved: at least one
// point of metric with attrs.
type moved struct {
	what   string // the scenario
	metric string
	attrs  []string
}

func (tm *telemetry) wantMoved(t *testing.T, ms ...moved) {
	t.Helper()
	for _, m := range ms {
		if n := tm.sum(t, m.metric, m.attrs...); n == 0 {
			t.Errorf("%s: %s%v recorded nothing", m.what, m.metric, m.attrs)
		}
	}
}

// The forms of a session's identifiers: an ID or a CSRF token (a word of
// 43 characters of base64url), and a handle, or the hex of a key (a word
// of 64 hex digits). The suite's users are alice and bob (as owners, with
// a random suffix), on devices at 192.0.2.0.
var (
	idLike     = regexp.MustCompile(`[A-Za-z0-9_-]+`)
	handleLike = regexp.MustCompile(`[0-9a-fA-F]+`)
	people     = []string{"alice", "bob", "192.0.2.0"}
)

// identifies returns what in v looks like a session's identifier or a
// person, or "".
func identifies(v string) string {
	for _, run := range idLike.FindAllString(v, -1) {
		if len(run) == 43 && core.ValidID(run) {
			return run
		}
	}
	for _, run := range handleLike.FindAllString(v, -1) {
		if len(run) == 64 {
			return run
		}
	}
	for _, p := range people {
		if strings.Contains(strings.ToLower(v), p) {
			return p
		}
	}
	return ""
}

// scan fails t for every attribute of every metric point and span (span
// names, status descriptions and events included) that holds a session's
// identifier or names a person, and returns how many attributes it read.
func (tm *telemetry) scan(t *testing.T) int {
	t.Helper()
	var n int
	check := func(where, v string) {
		n++
		if id := identifies(v); id != "" {
			t.Errorf("%s = %.120q holds %q, a session's identifier or a person", where, v, id)
		}
	}
	checkSet := func(where string, s attribute.Set) {
		for _, kv := range s.ToSlice() {
			check(where+" "+string(kv.Key), kv.Value.String())
		}
	}
	for _, m := range tm.collect(t) {
		where := "metric " + m.Name
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				checkSet(where, p.Attributes)
			}
		case metricdata.Sum[float64]:
			for _, p := range d.DataPoints {
				checkSet(where, p.Attributes)
			}
		case metricdata.Gauge[int64]:
			for _, p := range d.DataPoints {
				checkSet(where, p.Attributes)
			}
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				checkSet(where, p.Attributes)
			}
		case metricdata.Histogram[int64]:
			for _, p := range d.DataPoints {
				checkSet(where, p.Attributes)
			}
		default:
			t.Errorf("%s: %T, which the scan cannot read", where, m.Data)
		}
	}
	for _, s := range tm.spans.Ended() {
		where := fmt.Sprintf("span %q (%s)", s.Name(), s.InstrumentationScope().Name)
		check(where+" name", s.Name())
		check(where+" status", s.Status().Description)
		checkSet(where, attribute.NewSet(s.Attributes()...))
		for _, e := range s.Events() {
			check(where+" event", e.Name)
			checkSet(where+" event "+e.Name, attribute.NewSet(e.Attributes...))
		}
		for _, l := range s.Links() {
			checkSet(where+" link", attribute.NewSet(l.Attributes...))
		}
		checkSet(where+" resource", attribute.NewSet(s.Resource().Attributes()...))
	}
	return n
}

// scopes returns the instrumentation scopes of the spans recorded, as a
// set.
func (tm *telemetry) scopes() map[string]bool {
	out := map[string]bool{}
	for _, s := range tm.spans.Ended() {
		out[s.InstrumentationScope().Name] = true
	}
	return out
}

// TestScan checks that the scan finds what it looks for.
func TestScan(t *testing.T) {
	id := core.NewID()
	for _, v := range []string{id, "session:" + core.HandleOf(id), `{"o":"alice-1234abcd"}`, "SET session:x " + id + " PX 60000", "Bob", "192.0.2.0"} {
		if identifies(v) == "" {
			t.Errorf("identifies(%q) = \"\"; want what it holds", v)
		}
	}
	for _, v := range []string{"memstore", "load", "stmtcache_6b0733d1afbde9cd8d8c4321e33cd2de0b8d8f7db807d509", "redis://127.0.0.1:40123", "SELECT payload FROM \"sessions\" WHERE key = $1 AND expires > $2",
		"github.com/transient-go/transient/core/otelsession", "breaker_open", "redisstore.(*Store).Load"} {
		if got := identifies(v); got != "" {
			t.Errorf("identifies(%q) = %q; want \"\"", v, got)
		}
	}
}

// app is a net/http application of m's sessions: POST /login?user=NAME
// makes the session NAME's, GET / answers its owner.
func app(t *testing.T, m *core.Manager) string {
	t.Helper()
	mux := http.NewServeMux()
	session := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session unavailable", core.StatusCode(err))
			return nil
		}
		return s
	}
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			fmt.Fprint(w, s.Owner())
		}
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			if err := s.SetOwner(r.FormValue("user"), core.Device{UserAgent: "Firefox", Address: "192.0.2.0"}); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
			}
		}
	})
	srv := httptest.NewServer(sessionhttp.Middleware(m, nil)(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

// visit sends a request to the app at base with cookie, and returns its
// status and the session cookie it set.
func visit(t *testing.T, base, method, path, cookie string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", "session="+cookie)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			return resp.StatusCode, c.Value
		}
	}
	return resp.StatusCode, ""
}

// login makes a new session of user in the app at base, and returns its
// cookie.
func loginAs(t *testing.T, base, user string) string {
	t.Helper()
	code, cookie := visit(t, base, "POST", "/login?"+url.Values{"user": {user}}.Encode(), "")
	if code != http.StatusOK || cookie == "" {
		t.Fatalf("logging in %s: %d, cookie %q", user, code, cookie)
	}
	return cookie
}
