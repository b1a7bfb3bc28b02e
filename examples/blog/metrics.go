package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/otelsession"
)

// checkMetrics reports a -metrics address that is not a loopback one.
// The metrics say how the blog is used (logins, logouts, failures, how
// many sessions memory holds) to anyone who reads them, without a
// password: the blog serves them to this machine only, whatever
// -metrics says, and never on the blog's own address. A Prometheus on
// another machine reaches them through what the operator puts beside the
// blog (a collector, an agent, or a proxy with authentication).
func checkMetrics(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-metrics %q: want host:port, such as 127.0.0.1:9464", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-metrics %q: serve the metrics on a loopback address, such as 127.0.0.1:9464 or [::1]:9464: "+
			"they tell whoever reads them how the blog is used, so the blog keeps them to this machine; "+
			"a Prometheus elsewhere reaches them through an agent or a proxy beside the blog", addr)
	}
	return nil
}

// metrics is what -metrics serves: the blog's session metrics, recorded
// with OpenTelemetry (package otelsession) and exposed for Prometheus by
// OpenTelemetry's exporter, on an address of their own.
type metrics struct {
	observer *core.Observer // for the Manager's and the store's options
	handler  http.Handler   // serves the exposition at /metrics
}

// newMetrics returns the blog's metrics. Nothing global is touched: the
// exporter registers with a registry of the blog's own, not Prometheus's
// default one, and the MeterProvider is passed to otelsession, not set as
// OpenTelemetry's global one.
func newMetrics() (*metrics, error) {
	reg := prometheus.NewRegistry()
	// One scope records them all: its labels on every line would say
	// nothing.
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	obs, err := otelsession.New(&otelsession.Options{MeterProvider: mp})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &metrics{observer: obs, handler: mux}, nil
}

// server returns the HTTP server of the metrics.
func (m *metrics) server() *http.Server {
	return &http.Server{Handler: m.handler, ReadHeaderTimeout: 10 * time.Second}
}
