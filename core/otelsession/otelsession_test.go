package otelsession_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/otelsession"
)

// providers returns an Observer recording into an in-memory reader and
// span recorder.
func providers(t *testing.T) (*core.Observer, *sdkmetric.ManualReader, *tracetest.SpanRecorder, trace.Tracer) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	obs, err := otelsession.New(&otelsession.Options{
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		TracerProvider: tp,
	})
	if err != nil {
		t.Fatal(err)
	}
	return obs, reader, spans, tp.Tracer("app")
}

// points returns the data points of metric name, as "attr=value,... N"
// lines (N the sum, or the count of a histogram), sorted.
func points(t *testing.T, reader *sdkmetric.ManualReader, name string) (unit string, lines []string) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			unit = m.Unit
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s %d", attrs(p.Attributes), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s %d", attrs(p.Attributes), p.Count))
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s %d sum %d", attrs(p.Attributes), p.Count, p.Sum))
				}
			default:
				t.Fatalf("%s is a %T", name, m.Data)
			}
		}
	}
	slices.Sort(lines)
	return unit, lines
}

func attrs(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	return strings.Join(parts, ",")
}

func TestNew(t *testing.T) {
	for _, opts := range []*otelsession.Options{nil, {}} {
		if obs, err := otelsession.New(opts); obs != nil || err != nil {
			t.Errorf("New(%v) = %v, %v; want nil, nil: nothing to record", opts, obs, err)
		}
	}
	tp := sdktrace.NewTracerProvider()
	obs, err := otelsession.New(&otelsession.Options{TracerProvider: tp})
	if err != nil || obs == nil || obs.StoreCall == nil || obs.Commit != nil {
		t.Fatalf("New with a TracerProvider only = %+v, %v; want StoreCall alone", obs, err)
	}
	_, done := obs.StoreCall(context.Background(), "memstore", "load")
	done("")
}

// TestMetrics calls each of the Observer's functions and reads each
// instrument back: its name, unit and points.
func TestMetrics(t *testing.T) {
	obs, reader, _, _ := providers(t)
	ctx := context.Background()
	obs.Commit(ctx, "written", 0)
	obs.Commit(ctx, "written", 0)
	obs.Commit(ctx, "conflict_retried", 3)
	obs.Commit(ctx, "unchanged", 0)
	obs.Session(ctx, "created")
	obs.Session(ctx, "renewed")
	obs.Session(ctx, "invalidated")
	obs.Session(ctx, "ended")
	obs.Session(ctx, "ended")
	obs.Session(ctx, "no such event")
	obs.CookieRejected(ctx, "tampered")
	obs.Records("memstore", 3)
	obs.Records("memstore", -1)
	obs.Evicted("memstore", "anonymous")
	obs.Breaker("redisstore", "", "closed")
	obs.Breaker("redisstore", "closed", "open")
	for _, f := range []string{"", "", "timeout", "breaker_open"} {
		_, done := obs.StoreCall(ctx, "redisstore", "load")
		done(f)
	}
	tests := []struct {
		name, unit string
		want       []string
	}{
		{"transient.commits", "{commit}", []string{
			"transient.commit.outcome=conflict_retried 1", "transient.commit.outcome=unchanged 1", "transient.commit.outcome=written 2"}},
		{"transient.commit.conflicts", "{conflict}", []string{" 3 sum 3"}},
		{"transient.session.created", "{session}", []string{" 1"}},
		{"transient.session.renewed", "{session}", []string{" 1"}},
		{"transient.session.invalidated", "{session}", []string{" 1"}},
		{"transient.session.ended", "{session}", []string{" 2"}},
		{"transient.cookie.rejected", "{cookie}", []string{"transient.cookie.reason=tampered 1"}},
		{"transient.store.record.count", "{record}", []string{"transient.store=memstore 2"}},
		{"transient.store.evictions", "{eviction}", []string{"transient.record.kind=anonymous,transient.store=memstore 1"}},
		{"transient.store.breaker.state", "{breaker}", []string{
			"transient.breaker.state=closed,transient.store=redisstore 0",
			"transient.breaker.state=half_open,transient.store=redisstore 0",
			"transient.breaker.state=open,transient.store=redisstore 1"}},
		{"transient.store.operation.duration", "s", []string{
			"error.type=breaker_open,transient.store=redisstore,transient.store.operation=load 1",
			"error.type=timeout,transient.store=redisstore,transient.store.operation=load 1",
			"transient.store=redisstore,transient.store.operation=load 2"}},
		{"transient.store.errors", "{error}", []string{
			"error.type=breaker_open,transient.store=redisstore,transient.store.operation=load 1",
			"error.type=timeout,transient.store=redisstore,transient.store.operation=load 1"}},
	}
	for _, tt := range tests {
		unit, got := points(t, reader, tt.name)
		if unit != tt.unit || !slices.Equal(got, tt.want) {
			t.Errorf("%s: unit %q, points %q; want %q, %q", tt.name, unit, got, tt.unit, tt.want)
		}
	}
}

// TestSpans checks that a store call is a span, the child of the
// request's, and that a failed one says how it failed and nothing more.
func TestSpans(t *testing.T) {
	obs, _, spans, tracer := providers(t)
	ctx, request := tracer.Start(context.Background(), "GET /dashboard")
	callCtx, done := obs.StoreCall(ctx, "pgstore", "update_locked")
	if trace.SpanFromContext(callCtx).SpanContext().SpanID() == request.SpanContext().SpanID() {
		t.Fatal("StoreCall returned the request's context; want one with the call's span")
	}
	done("refused")
	_, done = obs.StoreCall(ctx, "pgstore", "load")
	done("")
	request.End()

	ended := spans.Ended()
	if len(ended) != 3 {
		t.Fatalf("%d spans ended; want 3", len(ended))
	}
	for i, want := range []struct {
		name   string
		status codes.Code
		desc   string
		attrs  string
	}{
		{"pgstore update_locked", codes.Error, "refused", "transient.store=pgstore,transient.store.operation=update_locked,error.type=refused"},
		{"pgstore load", codes.Unset, "", "transient.store=pgstore,transient.store.operation=load"},
	} {
		s := ended[i]
		var kv []string
		for _, a := range s.Attributes() {
			kv = append(kv, string(a.Key)+"="+a.Value.String())
		}
		got := strings.Join(kv, ",")
		if s.Name() != want.name || s.Status().Code != want.status || s.Status().Description != want.desc || got != want.attrs ||
			s.Parent().SpanID() != request.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindInternal || len(s.Events()) != 0 {
			t.Errorf("span %d: %q, status %v %q, attributes %s, parent %v, kind %v, events %v; want %q, %v %q, %s, the request's, internal, none",
				i, s.Name(), s.Status().Code, s.Status().Description, got, s.Parent().SpanID(), s.SpanKind(), s.Events(),
				want.name, want.status, want.desc, want.attrs)
		}
	}
}
