package blog_test

import (
	"encoding/json"
	"flag"
	"os"
	"sync"
	"testing"
	"time"
)

// resultsFile is where bench/run has the tests append what they measured,
// one JSON object a line, for RESULTS.md (bench/cmd/report reads it).
var resultsFile = flag.String("results", "", "append each test's measurements to this `file` as JSON lines")

var resultsMu sync.Mutex

// report appends one measurement of test to the -results file, if any.
func report(t *testing.T, test string, v any) {
	t.Helper()
	if *resultsFile == "" {
		return
	}
	b, err := json.Marshal(map[string]any{"test": test, "result": v})
	if err != nil {
		t.Fatal(err)
	}
	resultsMu.Lock()
	defer resultsMu.Unlock()
	f, err := os.OpenFile(*resultsFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// percentile returns the p-th percentile of sorted durations, or 0.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)].Round(100 * time.Microsecond)
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
