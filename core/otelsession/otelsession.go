package otelsession

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/transient-go/transient/core"
)

// ScopeName is the instrumentation scope of the meter and the tracer that
// New takes from the providers: the package's import path.
const ScopeName = "github.com/transient-go/transient/core/otelsession"

// Options configures New. A nil *Options and the zero value record
// nothing.
type Options struct {
	// MeterProvider makes the meter of the metrics (the package
	// documentation lists them). Default nil: no metrics. The global
	// provider (otel.GetMeterProvider) is never read: pass it here if it
	// is the one to use.
	MeterProvider metric.MeterProvider

	// TracerProvider makes the tracer of the spans of store calls.
	// Default nil: no spans. The global provider is never read.
	TracerProvider trace.TracerProvider
}

// New returns a core.Observer that records what a Manager and its store
// do as OpenTelemetry metrics, with opts.MeterProvider, and the stores'
// calls as spans, with opts.TracerProvider. Give it to core.Options and to
// the store's options. It returns nil, which records nothing at no cost,
// when opts gives neither provider, and an error when the meter refuses
// an instrument. The Observer is safe for concurrent use.
func New(opts *Options) (*core.Observer, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MeterProvider == nil && o.TracerProvider == nil {
		return nil, nil
	}
	r := &recorder{}
	if o.TracerProvider != nil {
		r.tracer = o.TracerProvider.Tracer(ScopeName)
	}
	if o.MeterProvider != nil {
		if err := r.instruments(o.MeterProvider.Meter(ScopeName)); err != nil {
			return nil, fmt.Errorf("otelsession: %w", err)
		}
	}
	obs := &core.Observer{StoreCall: r.storeCall}
	if o.MeterProvider != nil {
		obs.Commit = r.commit
		obs.Session = r.session
		obs.CookieRejected = r.cookieRejected
		obs.Records = r.records
		obs.Evicted = r.evicted
		obs.Breaker = r.breaker
	}
	return obs, nil
}

// recorder holds the instruments and the tracer of an Observer.
type recorder struct {
	tracer trace.Tracer // nil: no spans
	meter  bool         // the instruments are set: a MeterProvider was given

	duration    metric.Float64Histogram
	errors      metric.Int64Counter
	commits     metric.Int64Counter
	conflicts   metric.Int64Histogram
	sessions    map[string]metric.Int64Counter // by event
	rejected    metric.Int64Counter
	recordCount metric.Int64UpDownCounter
	evictions   metric.Int64Counter
	breakers    metric.Int64UpDownCounter

	calls sync.Map // callKey -> *call: what a store call records, made once
	sets  sync.Map // attrKey -> metric.MeasurementOption
}

// attrKey names an attribute set of one or two attributes.
type attrKey struct{ k1, v1, k2, v2 string }

// set returns the measurement option that records the attributes k1=v1
// and, unless k2 is "", k2=v2, made once.
func (r *recorder) set(k1, v1, k2, v2 string) metric.MeasurementOption {
	key := attrKey{k1, v1, k2, v2}
	if o, ok := r.sets.Load(key); ok {
		return o.(metric.MeasurementOption)
	}
	attrs := []attribute.KeyValue{attribute.String(k1, v1)}
	if k2 != "" {
		attrs = append(attrs, attribute.String(k2, v2))
	}
	o, _ := r.sets.LoadOrStore(key, metric.WithAttributeSet(attribute.NewSet(attrs...)))
	return o.(metric.MeasurementOption)
}

func (r *recorder) commit(ctx context.Context, outcome string, conflicts int) {
	r.commits.Add(ctx, 1, r.set(KeyCommitOutcome, outcome, "", ""))
	if outcome != "unchanged" {
		r.conflicts.Record(ctx, int64(conflicts))
	}
}

func (r *recorder) session(ctx context.Context, event string) {
	if c, ok := r.sessions[event]; ok {
		c.Add(ctx, 1)
	}
}

func (r *recorder) cookieRejected(ctx context.Context, reason string) {
	r.rejected.Add(ctx, 1, r.set(KeyCookieReason, reason, "", ""))
}

func (r *recorder) records(store string, delta int) {
	r.recordCount.Add(context.Background(), int64(delta), r.set(KeyStore, store, "", ""))
}

func (r *recorder) evicted(store, kind string) {
	r.evictions.Add(context.Background(), 1, r.set(KeyStore, store, KeyRecordKind, kind))
}

func (r *recorder) breaker(store, from, to string) {
	ctx := context.Background()
	if from == "" {
		// A new breaker: every state gets its series, at 0 but to's.
		for _, s := range []string{"closed", "open", "half_open"} {
			r.breakers.Add(ctx, 0, r.set(KeyStore, store, KeyBreakerState, s))
		}
	} else {
		r.breakers.Add(ctx, -1, r.set(KeyStore, store, KeyBreakerState, from))
	}
	r.breakers.Add(ctx, 1, r.set(KeyStore, store, KeyBreakerState, to))
}
