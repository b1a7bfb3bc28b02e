// Command report writes bench/RESULTS.md from what bench/run measured: the
// output of benchstat -format csv for the benchmarks, the JSON lines of
// cmd/load for the load test, the JSON lines bench/blog's tests write with
// -results, and the KEY=value files bench/run writes beside them (machine,
// parameters, run times). Any part may be missing; its sections are then
// left out.
//
//	report -dir results -o RESULTS.md
//
// It reads, in -dir: bench.csv and bench.env, load.jsonl and load.env,
// blog.jsonl and blog.env.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "results", "`directory` of bench/run's results")
	out := flag.String("o", "", "`file` to write; default standard output")
	flag.Parse()
	md, err := build(*dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
		os.Exit(1)
	}
	if *out == "" {
		_, err = os.Stdout.Write(md)
	} else {
		err = os.WriteFile(*out, md, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
		os.Exit(1)
	}
}

// build reads the results in dir and returns RESULTS.md.
func build(dir string) ([]byte, error) {
	var rep report
	var err error
	if rep.benchEnv, err = readEnv(filepath.Join(dir, "bench.env")); err != nil {
		return nil, err
	}
	if rep.loadEnv, err = readEnv(filepath.Join(dir, "load.env")); err != nil {
		return nil, err
	}
	if rep.blogEnv, err = readEnv(filepath.Join(dir, "blog.env")); err != nil {
		return nil, err
	}
	if f, err := os.Open(filepath.Join(dir, "bench.csv")); err == nil {
		rep.res, err = parseBenchstat(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if f, err := os.Open(filepath.Join(dir, "load.jsonl")); err == nil {
		rep.load, err = parseLoad(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("load.jsonl: %w", err)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if f, err := os.Open(filepath.Join(dir, "blog.jsonl")); err == nil {
		rep.blog, err = parseBlog(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("blog.jsonl: %w", err)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if rep.res == nil && rep.load == nil && rep.blog == nil {
		return nil, fmt.Errorf("no results in %s: run bench/run first", dir)
	}
	var b strings.Builder
	rep.write(&b)
	return []byte(b.String()), nil
}
