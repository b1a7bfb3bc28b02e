package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// A stat is benchstat's summary of one benchmark in one unit: the median
// of the runs and the relative half-width of its 95% confidence interval
// (NaN when benchstat gives none: fewer than 6 runs).
type stat struct {
	median float64
	ci     float64
}

// abs is the confidence interval's half-width, in the stat's unit.
func (s stat) abs() float64 { return s.ci * math.Abs(s.median) }

// results are the benchmarks, by name without the "Benchmark" prefix and
// the GOMAXPROCS suffix ("NetHTTP/bare/untouched"), then by unit
// ("sec/op", "B/op", "allocs/op", "roundtrips/op", ...).
type results map[string]map[string]stat

// procSuffix is the "-8" that go test appends to names for GOMAXPROCS.
var procSuffix = regexp.MustCompile(`-\d+$`)

// parseBenchstat reads the output of benchstat -format csv for one input
// file: for each unit a header row ",unit,CI" followed by rows
// "name,median,CI%", the tables separated by blank lines and headed by the
// input's name and by configuration lines ("goos: linux"), which it skips.
func parseBenchstat(r io.Reader) (results, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	res := results{}
	unit := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch {
		case len(rec) < 2:
			continue // a configuration line
		case rec[0] == "" && len(rec) >= 3 && rec[2] == "CI":
			unit = rec[1]
			continue
		case rec[0] == "" || rec[0] == "geomean" || unit == "":
			continue // a table's file header, or the geomean row
		}
		median, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			return nil, fmt.Errorf("benchstat CSV: %s %s: %v", rec[0], unit, err)
		}
		ci := math.NaN()
		if len(rec) >= 3 {
			if p, err := strconv.ParseFloat(strings.TrimSuffix(rec[2], "%"), 64); err == nil {
				ci = p / 100
			}
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(rec[0], "Benchmark"), "")
		if res[name] == nil {
			res[name] = map[string]stat{}
		}
		res[name][unit] = stat{median: median, ci: ci}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("benchstat CSV: no benchmarks")
	}
	return res, nil
}
