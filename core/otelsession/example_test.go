package otelsession_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/otelsession"
)

// The application passes its MeterProvider (and TracerProvider, for
// spans) to otelsession, and the Observer it makes to both the store and
// the Manager. Here the MeterProvider has a reader that the program reads
// itself, after a login and a visit with a forged cookie; in production it
// has an exporter (OTLP, or Prometheus: see examples/blog's -metrics).
func Example() {
	reader := sdkmetric.NewManualReader()
	obs, err := otelsession.New(&otelsession.Options{
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	})
	if err != nil {
		log.Fatal(err)
	}
	store, err := memstore.New(&memstore.Options{Observer: obs})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, &core.Options{Observer: obs})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session unavailable", core.StatusCode(err))
			return
		}
		if err := s.SetOwner("alice", core.Device{UserAgent: r.UserAgent()}); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session unavailable", core.StatusCode(err))
			return
		}
		fmt.Fprintf(w, "hello %q", s.Owner())
	})
	srv := httptest.NewServer(sessionhttp.Middleware(sessions, nil)(mux))
	defer srv.Close()

	if _, err := http.Post(srv.URL+"/login", "", nil); err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.Header.Set("Cookie", "session=forged")
	if _, err := http.DefaultClient.Do(req); err != nil {
		log.Fatal(err)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s%s %d", m.Name, labels(p.Attributes.ToSlice()), p.Value))
				}
			case metricdata.Histogram[float64]: // the durations: how many
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s%s count %d", m.Name, labels(p.Attributes.ToSlice()), p.Count))
				}
			}
		}
	}
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// transient.commits{transient.commit.outcome=unchanged} 1
	// transient.commits{transient.commit.outcome=written} 1
	// transient.cookie.rejected{transient.cookie.reason=unknown} 1
	// transient.session.created 1
	// transient.store.operation.duration{transient.store=memstore,transient.store.operation=create} count 1
	// transient.store.operation.duration{transient.store=memstore,transient.store.operation=load} count 1
	// transient.store.record.count{transient.store=memstore} 1
}

// labels returns attrs as {key=value,...}, or "" for none.
func labels(attrs []attribute.KeyValue) string {
	if len(attrs) == 0 {
		return ""
	}
	var kv []string
	for _, a := range attrs {
		kv = append(kv, string(a.Key)+"="+a.Value.String())
	}
	return "{" + strings.Join(kv, ",") + "}"
}
