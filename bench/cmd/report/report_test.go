package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleCSV is benchstat -format csv output for a few rows, with the
// configuration lines and the geomean rows it prints.
const sampleCSV = `goos: linux
goarch: amd64
pkg: github.com/transient-go/transient/bench
cpu: AMD EPYC
,bench.txt,
,sec/op,CI
NetHTTP/bare/untouched-2,1.5e-06,3%
NetHTTP/floor-lean/read-write-2,1.15e-05,4%
NetHTTP/floor-hmac/read-write-2,1.35e-05,4%
NetHTTPRedis/floor-redis/read-only-2,1e-04,10%
NetHTTP/transient-cookie/read-write-2,9.5e-06,∞
NetHTTPRedis/transient-redis/read-only-2,1.2e-04,10%
Codec/login/decode/transient-2,2e-06,2%
Codec/login/decode/encoding-json-2,7e-06,3%
Device/off/read-only-2,3e-06,2%
Device/bound/read-only-2,3.5e-06,2%
Device/refresh-es256-2,9e-05,5%
geomean,4.1e-06,

,bench.txt,
,allocs/op,CI
NetHTTP/bare/untouched-2,10,0%
NetHTTP/floor-lean/read-write-2,38,0%
NetHTTP/floor-hmac/read-write-2,60,0%
NetHTTPRedis/floor-redis/read-only-2,33,0%
NetHTTP/transient-cookie/read-write-2,50,0%
NetHTTPRedis/transient-redis/read-only-2,34,0%
Codec/login/decode/transient-2,10,0%
Codec/login/decode/encoding-json-2,24,0%
Device/off/read-only-2,19,0%
Device/bound/read-only-2,19,0%
Device/refresh-es256-2,110,0%
geomean,,

,bench.txt,
,roundtrips/op,CI
NetHTTPRedis/transient-redis/read-only-2,1,0%

,bench.txt,
,B/session,CI
Footprint/redis-2,702.6,∞
LiveSessions-2,251,∞

,bench.txt,
,B/record,CI
MemstoreFlood-2,319.6,∞

,bench.txt,
,B/flood,CI
MemstoreFlood-2,3.196e+07,∞

,bench.txt,
,sec/request,CI
MemstoreFlood-2,4.52e-06,∞

,bench.txt,
,allocs/request,CI
MemstoreFlood-2,23,∞

,bench.txt,
,B/request,CI
MemstoreFlood-2,1967,∞

,bench.txt,
,users-lost,CI
MemstoreFlood-2,0,∞
`

func TestParseBenchstat(t *testing.T) {
	res, err := parseBenchstat(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit string
		median, ci float64 // ci NaN: none
	}{
		{"NetHTTP/bare/untouched", "sec/op", 1.5e-6, 0.03},
		{"NetHTTP/transient-cookie/read-write", "sec/op", 9.5e-6, math.NaN()},
		{"NetHTTP/transient-cookie/read-write", "allocs/op", 50, 0},
		{"NetHTTPRedis/transient-redis/read-only", "roundtrips/op", 1, 0},
	}
	for _, tt := range tests {
		got, ok := res[tt.name][tt.unit]
		if !ok || got.median != tt.median || (math.IsNaN(tt.ci) != math.IsNaN(got.ci)) || (!math.IsNaN(tt.ci) && got.ci != tt.ci) {
			t.Errorf("res[%q][%q] = %+v, %v; want median %v, ci %v", tt.name, tt.unit, got, ok, tt.median, tt.ci)
		}
	}
	if _, ok := res["geomean"]; ok {
		t.Error("geomean parsed as a benchmark")
	}
	d, ok := res.overhead("NetHTTP", "transient-cookie", "read-write", "allocs/op")
	if !ok || d.v != 40 {
		t.Errorf("overhead(allocs) = %+v, %v; want 40", d, ok)
	}
	if r := res.ratio("NetHTTP", "transient-cookie", "NetHTTP", floorKey, "read-write", "sec/op"); math.Abs(r-0.8) > 1e-9 {
		t.Errorf("ratio to the floor = %v; want 0.8", r)
	}
	if s, ok := res.get("NetHTTP", "transient-redis", "read-only", "roundtrips/op"); !ok || s.median != 1 {
		t.Errorf("get(NetHTTP, transient-redis) = %+v, %v; want the NetHTTPRedis row", s, ok)
	}
}

func TestParseLoad(t *testing.T) {
	in := `{"label":"none","path":"/articles","clients":16,"requests":100,"rps":1000,"p50_ms":1,"p99_ms":5}
{"label":"cookie","path":"/articles","clients":16,"requests":100,"rps":900,"p50_ms":2,"p99_ms":6}
{"label":"none","path":"/articles","clients":16,"requests":100,"rps":1200,"p50_ms":3,"p99_ms":7}
{"label":"none","path":"/articles","clients":16,"requests":100,"rps":1100,"p50_ms":2,"p99_ms":9}
`
	got, err := parseLoad(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].label != "none" || got[1].label != "cookie" {
		t.Fatalf("parseLoad = %+v; want none, then cookie", got)
	}
	if n := got[0]; n.rounds != 3 || n.rps != 1100 || n.rpsMin != 1000 || n.rpsMax != 1200 || n.p50 != 2 || n.p99 != 7 {
		t.Errorf("none = %+v; want 3 rounds, medians 1100 req/s, p50 2, p99 7, range 1000-1200", n)
	}
}

// TestBuild writes a report from the sample and checks its main parts.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"bench.csv": sampleCSV,
		"bench.env": "DATE=2026-01-01 00:00 UTC\nGO=go1.26 linux/amd64\nCPU=Test CPU\nNPROC=2\nCOUNT=10\nBENCHTIME=500ms\nSECONDS=600\n",
		"load.jsonl": `{"label":"anonymous","path":"/articles","clients":16,"requests":100,"rps":1000,"p50_ms":1,"p99_ms":5}` + "\n" +
			`{"label":"cookie","path":"/articles","clients":16,"requests":100,"rps":800,"p50_ms":2,"p99_ms":6}` + "\n",
		"blog.jsonl": sampleBlog,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	md, err := build(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Performance results", "Test CPU", "## Headline", "**0.80× the floor**", "## Targets",
		"| Read-write overhead, cookie store, ≤ 1.1× the lean floor's, every framework | net/http 0.80× (8.00 µs vs 10.0 µs) | holds |",
		"| Read-write, cookie store, ≤ 24 allocations added | net/http 40; (the lean floor 28) | **missed** |",
		"1.00 trips · +24 allocs · **1.20× the floor**", "**transient**, redisstore read-only 1.20×", "## Load test", "`NetHTTP/bare/untouched`",
		"## Payload codec", "| login | decode | 2.00 µs ± 2% · 10 allocs | 7.00 µs ± 3% · 24 allocs | 3.50× time, 2.40× allocs |",
		"decode 2.00 µs vs 7.00 µs (**3.50× faster**)",
		"| cookie | 800 | 800–800 | 2.000 ms | 0.000 ms | 6.000 ms | -20.0% | +1.000 ms | +1.000 ms |",
		"## The example blog under bursts and faults", "| gin | redis | 200 | 0 | 0 | 9.5 s | 6.10 s | 8.20 s | 9.40 s |",
		"| fiber | postgres | 16 | 2500 | 2.0 s | 1800 | 2.50 ms / 21.0 ms / 48.0 ms | 110 ms / 125 ms | 1.29 s / 1.35 s |",
		"| echo | 16 | 900 | 70.0 ms |",
		"**A burst of 200 logins at once**",
		"**25.1 MB for 100,000 sessions, 251 bytes per session**", "**a flood request takes 4.52 µs and 23 allocations (1967 B) through the Manager, eviction included; the store takes 32.0 MB at the end (320 bytes per record held)**", "every user's session is still there",
		"| redisstore | 703 B | Redis's used_memory",
		"## Device-bound sessions", "| memstore | a bound session, with its bound cookie | 3.50 µs ± 2% · 19 allocs | — |",
		"| memstore | 90.0 µs ± 5% · 110 allocs | — |", "a bound read-only request takes 3.50 µs ± 2%, against 3.00 µs ± 2% with binding off"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the report does not contain %q:\n%s", want, md)
		}
	}
}

// sampleBlog is what bench/blog's tests write with -results.
const sampleBlog = `{"test":"LoginBurst","result":{"framework":"gin","store":"redis","logins":200,"failed":0,"errors_5xx":0,"seconds":9.5,"p50_ms":6100,"p90_ms":8200,"max_ms":9400}}
{"test":"FaultStoreOutage","result":{"store":"postgres","framework":"fiber","visitors":16,"requests":2500,"outage_seconds":2.0,"outage_answers":1800,"outage_p50_ms":2.5,"outage_p99_ms":21,"outage_max_ms":48,"resumed_p50_ms":110,"resumed_max_ms":125,"recovery_p50_ms":1290,"recovery_max_ms":1350}}
{"test":"FaultSecretRotation","result":{"framework":"echo","visitors":16,"requests":900,"moved_seconds":0.07}}
`

func TestParseBlog(t *testing.T) {
	runs, err := parseBlog(strings.NewReader(sampleBlog))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.burst) != 1 || runs.burst[0].Maxms != 9400 || len(runs.outage) != 1 || runs.outage[0].Store != "postgres" || runs.outage[0].ResumedMaxms != 125 ||
		len(runs.rotation) != 1 || runs.rotation[0].Framework != "echo" {
		t.Errorf("parseBlog = %+v; want one run of each test, as written", runs)
	}
	if _, err := parseBlog(strings.NewReader(`{"test":"Unknown","result":{}}`)); err == nil {
		t.Error("parseBlog of an unknown test = nil error; want one")
	}
}
