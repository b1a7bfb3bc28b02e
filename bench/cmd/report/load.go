package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
)

// loadRun is one line of cmd/load's output.
type loadRun struct {
	Label    string  `json:"label"`
	Path     string  `json:"path"`
	Clients  int     `json:"clients"`
	Requests int     `json:"requests"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P90ms    float64 `json:"p90_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`

	CPUus map[string]float64 `json:"cpu_us_per_request"`
}

// loadSummary is the rounds of one label: medians, and the range of the
// requests per second.
type loadSummary struct {
	label, path         string
	clients, requests   int
	rounds              int
	rps, rpsMin, rpsMax float64
	p50, p90, p99       float64 // milliseconds
	blogCPU, storeCPU   float64 // µs of CPU time per request; 0 if not measured
}

// parseLoad reads cmd/load's JSON lines and summarizes them by label, in
// the order labels first appear.
func parseLoad(r io.Reader) ([]loadSummary, error) {
	var order []string
	runs := map[string][]loadRun{}
	dec := json.NewDecoder(r)
	for {
		var run loadRun
		if err := dec.Decode(&run); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if _, ok := runs[run.Label]; !ok {
			order = append(order, run.Label)
		}
		runs[run.Label] = append(runs[run.Label], run)
	}
	var out []loadSummary
	for _, label := range order {
		rs := runs[label]
		pick := func(f func(loadRun) float64) []float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)
			}
			return v
		}
		rps := pick(func(r loadRun) float64 { return r.RPS })
		out = append(out, loadSummary{
			label:    label,
			path:     rs[0].Path,
			clients:  rs[0].Clients,
			requests: rs[0].Requests,
			rounds:   len(rs),
			rps:      median(rps),
			rpsMin:   slices.Min(rps),
			rpsMax:   slices.Max(rps),
			p50:      median(pick(func(r loadRun) float64 { return r.P50ms })),
			p90:      median(pick(func(r loadRun) float64 { return r.P90ms })),
			p99:      median(pick(func(r loadRun) float64 { return r.P99ms })),
			blogCPU:  median(pick(func(r loadRun) float64 { return r.CPUus["blog"] })),
			storeCPU: median(pick(func(r loadRun) float64 { return r.CPUus["store"] })),
		})
	}
	return out, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// readEnv reads the KEY=value lines bench/run writes beside its results.
// A missing file is an empty map.
func readEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env, sc.Err()
}
