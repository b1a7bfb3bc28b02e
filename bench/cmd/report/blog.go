package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/transient-go/transient/bench/internal/blogresult"
)

// blogRuns are what bench/blog's tests measured (bench/run blog): each
// test's results, one a framework, in the order they were written.
type blogRuns struct {
	burst    []blogresult.Burst
	outage   []blogresult.Outage
	hung     []blogresult.Outage
	rotation []blogresult.Rotation
}

// parseBlog reads the JSON lines bench/blog's tests append to their
// -results file: {"test": "LoginBurst", "result": {...}}.
func parseBlog(r io.Reader) (*blogRuns, error) {
	var runs blogRuns
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var line struct {
			Test   string          `json:"test"`
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, err
		}
		var err error
		switch line.Test {
		case "LoginBurst":
			var v blogresult.Burst
			err = json.Unmarshal(line.Result, &v)
			runs.burst = append(runs.burst, v)
		case "FaultStoreOutage":
			var v blogresult.Outage
			err = json.Unmarshal(line.Result, &v)
			runs.outage = append(runs.outage, v)
		case "FaultHungRedis":
			var v blogresult.Outage
			err = json.Unmarshal(line.Result, &v)
			runs.hung = append(runs.hung, v)
		case "FaultSecretRotation":
			var v blogresult.Rotation
			err = json.Unmarshal(line.Result, &v)
			runs.rotation = append(runs.rotation, v)
		default:
			err = fmt.Errorf("unknown test %q", line.Test)
		}
		if err != nil {
			return nil, err
		}
	}
	return &runs, sc.Err()
}

func (r *report) blogHeadline(b *strings.Builder) {
	if len(r.blog.burst) == 0 {
		return
	}
	failed, logins, slowest := 0, 0, 0.0
	for _, run := range r.blog.burst {
		failed += run.Failed
		logins += run.Logins
		slowest = max(slowest, run.Maxms)
	}
	fmt.Fprintf(b, "- **A burst of %d logins at once** through the example blog, on each of %d framework and store pairs (%s): %d of %d failed; the slowest took %s.\n",
		r.blog.burst[0].Logins, len(r.blog.burst), burstStores(r.blog.burst), failed, logins, fmtMs(slowest))
}

// blogTests writes what bench/blog's tests measured.
func (r *report) blogTests(b *strings.Builder) {
	b.WriteString("## The example blog under bursts and faults\n\n")
	b.WriteString("bench/blog's tests build examples/blog and run it as a process, on a free loopback port, with the flags a user gives it " +
		"(`-store redis` on a redis-server each test starts, `-store postgres` on a PostgreSQL database each test creates, or `-store cookie`), and drive it over HTTP from many visitors at once, " +
		"each with its own cookie jar and connection. They fail on any wrong page; these are the timings they logged. " +
		"The visitors, the blog and the store share the machine's CPUs.\n\n")
	if len(r.blog.burst) > 0 {
		b.WriteString("### A burst of logins (TestLoginBurst)\n\n")
		b.WriteString("Every visitor first opens the login form, then all post it at the same moment as alice or bob, " +
			"whose passwords bcrypt checks at its default cost: the CPUs stay saturated for the whole burst, and the blog's calls to the store wait for them. " +
			"Slow answers are allowed; a 5xx fails the test. Latency is from the post to the end of the answer.\n\n")
		var rows [][]string
		for _, run := range r.blog.burst {
			rows = append(rows, []string{run.Framework, run.Store, fmt.Sprint(run.Logins), fmt.Sprint(run.Failed), fmt.Sprint(run.Errors5xx),
				fmt.Sprintf("%.1f s", run.Seconds), fmtMs(run.P50ms), fmtMs(run.P90ms), fmtMs(run.Maxms)})
		}
		table(b, []string{"framework", "store", "logins", "failed", "5xx", "burst", "p50", "p90", "max"}, rows)
	}
	if len(r.blog.outage) > 0 {
		b.WriteString("### The store killed and restarted (TestFaultStoreOutage)\n\n")
		b.WriteString("Visitors, each logged in, go round the blog's pages while the store's server, redis-server or PostgreSQL, is killed (SIGKILL), kept down, and started again. " +
			"While it is down every page that needs the session must be a 503, in under a second; " +
			"within 5 seconds of its return every visitor must have gone round the pages again. " +
			"Redis restarts empty, so every visitor must have logged in again first; " +
			"PostgreSQL keeps its sessions (what it committed survives the kill), so no visitor may be sent to log in again.\n\n")
		outageTable(b, r.blog.outage)
	}
	if len(r.blog.hung) > 0 {
		b.WriteString("### Redis hung (TestFaultHungRedis)\n\n")
		b.WriteString("The same visitors while redis-server is stopped (SIGSTOP): the kernel still accepts connections, and Redis answers nothing until it goes on (SIGCONT), with every session it held. " +
			"While it is hung every page that needs the session must be a 503, in under 1.5 seconds; " +
			"within 5 seconds of its going on every visitor must have gone round the pages again, without logging in again.\n\n")
		outageTable(b, r.blog.hung)
	}
	if len(r.blog.rotation) > 0 {
		b.WriteString("### Secret rotation (TestFaultSecretRotation)\n\n")
		b.WriteString("Visitors, each logged in, move from a blog started with `-secret A` to one started with `-secret B,A`; " +
			"each must stay logged in, its cookie re-issued under B.\n\n")
		var rows [][]string
		for _, run := range r.blog.rotation {
			rows = append(rows, []string{run.Framework, fmt.Sprint(run.Visitors), fmt.Sprint(run.Requests), fmtMs(run.MovedSeconds * 1000)})
		}
		table(b, []string{"framework", "visitors", "requests", "all on the new blog within"}, rows)
	}
}

// outageTable writes the table of TestFaultStoreOutage's or
// TestFaultHungRedis's runs.
func outageTable(b *strings.Builder, runs []blogresult.Outage) {
	var rows [][]string
	for _, run := range runs {
		rows = append(rows, []string{run.Framework, run.Store, fmt.Sprint(run.Visitors), fmt.Sprint(run.Requests),
			fmt.Sprintf("%.1f s", run.OutageSeconds), fmt.Sprint(run.OutageAnswers),
			fmtMs(run.OutageP50ms) + " / " + fmtMs(run.OutageP99ms) + " / " + fmtMs(run.OutageMaxms),
			fmtMs(run.ResumedP50ms) + " / " + fmtMs(run.ResumedMaxms),
			fmtMs(run.RecoveryP50ms) + " / " + fmtMs(run.RecoveryMaxms)})
	}
	table(b, []string{"framework", "store", "visitors", "requests", "down for", "answers while down",
		"their latency (p50 / p99 / max)", "first page after it is back (p50 / max)", "full round after it is back (p50 / max)"}, rows)
}

// fmtMs formats milliseconds: "812 ms", "2.41 s".
func fmtMs(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.2f s", ms/1000)
	}
	return num(ms) + " ms"
}

// burstStores names the stores of runs, in the order they were run:
// "redis and postgres".
func burstStores(runs []blogresult.Burst) string {
	var stores []string
	for _, run := range runs {
		if !slices.Contains(stores, run.Store) {
			stores = append(stores, run.Store)
		}
	}
	return strings.Join(stores, " and ")
}
