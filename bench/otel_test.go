package bench_test

import (
	"log/slog"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/otelsession"
)

// observedMemory returns the Manager of the transient-memory-otel row:
// transient-memory's, with otelsession's Observer on the Manager and the
// store, so that the row minus transient-memory is what recording costs a
// request. The metrics go to OpenTelemetry's SDK, which aggregates each
// measurement as it is recorded, into a reader that nobody reads (an
// exporter's reads, once a minute or so, cost no request anything); every
// span is sampled and ended, with no processor to export it.
func observedMemory(b *testing.B) *core.Manager {
	b.Helper()
	obs, err := otelsession.New(&otelsession.Options{
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample())),
	})
	if err != nil {
		b.Fatal(err)
	}
	store, err := memstore.New(&memstore.Options{Observer: obs})
	if err != nil {
		b.Fatal(err)
	}
	m, err := core.NewManager(store, &core.Options{Logger: slog.New(slog.DiscardHandler), Clock: benchClock, Observer: obs})
	if err != nil {
		b.Fatal(err)
	}
	return m
}
