package otelsession

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// callKey names a store's call.
type callKey struct{ store, op string }

// call is what the calls of one store and operation record, made on the
// first such call.
type call struct {
	name  string                   // the span's: "redisstore load"
	start []trace.SpanStartOption  // the span's kind and attributes
	ok    metric.MeasurementOption // the duration's attributes
	attrs []attribute.KeyValue     // transient.store and transient.store.operation
	fail  map[string]fail          // by failure; read only once made
}

// fail is what a failed call records besides.
type fail struct {
	attr attribute.KeyValue
	opt  metric.MeasurementOption
}

func (r *recorder) call(store, op string) *call {
	key := callKey{store, op}
	if c, ok := r.calls.Load(key); ok {
		return c.(*call)
	}
	attrs := []attribute.KeyValue{attribute.String(KeyStore, store), attribute.String(KeyOperation, op)}
	c := &call{
		name:  store + " " + op,
		start: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...)},
		ok:    metric.WithAttributeSet(attribute.NewSet(attrs...)),
		attrs: attrs,
		fail:  map[string]fail{},
	}
	for _, f := range []string{"timeout", "refused", "breaker_open", "other"} {
		c.fail[f] = failOf(attrs, f)
	}
	got, _ := r.calls.LoadOrStore(key, c)
	return got.(*call)
}

func failOf(attrs []attribute.KeyValue, failure string) fail {
	a := attribute.String(KeyErrorType, failure)
	return fail{attr: a, opt: metric.WithAttributeSet(attribute.NewSet(append(attrs[:len(attrs):len(attrs)], a)...))}
}

// storeCall starts the span of a store's call, a child of ctx's, and
// returns the function that ends it and records the call's duration and
// failure.
func (r *recorder) storeCall(ctx context.Context, store, op string) (context.Context, func(string)) {
	c := r.call(store, op)
	start := time.Now()
	var span trace.Span
	if r.tracer != nil {
		ctx, span = r.tracer.Start(ctx, c.name, c.start...)
	}
	return ctx, func(failure string) {
		elapsed := time.Since(start).Seconds()
		var f fail
		if failure != "" {
			var ok bool
			if f, ok = c.fail[failure]; !ok {
				f = failOf(c.attrs, failure) // not one the core lists
			}
		}
		if r.meter {
			if failure == "" {
				r.duration.Record(ctx, elapsed, c.ok)
			} else {
				r.duration.Record(ctx, elapsed, f.opt)
				r.errors.Add(ctx, 1, f.opt)
			}
		}
		if span != nil {
			if failure != "" {
				span.SetAttributes(f.attr)
				span.SetStatus(codes.Error, failure)
			}
			span.End()
		}
	}
}
