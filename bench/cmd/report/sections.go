package main

import (
	"fmt"
	"sort"
	"strings"
)

// overheads writes, per framework, what each row adds to bare.
func (r *report) overheads(b *strings.Builder) {
	b.WriteString("## Overhead per request\n\n")
	b.WriteString("What each row adds to its framework's bare row: time ± spread, allocations, bytes allocated. " +
		"Untouched: the handler never touches the session; read-only: it reads user_id and username; " +
		"read-write: it also pops the previous flash message and adds one, and the session is committed.\n\n")
	for _, fw := range frameworks {
		bare, ok := r.res.get(fw.key, "bare", "untouched", "sec/op")
		if !ok {
			continue
		}
		ba, _ := r.res.get(fw.key, "bare", "untouched", "allocs/op")
		bb, _ := r.res.get(fw.key, "bare", "untouched", "B/op")
		fmt.Fprintf(b, "### %s\n\nbare: %s %s, %s allocs, %s B per request.\n\n", fw.name,
			fmtTime(bare.median), fmtCI(bare.ci), fmtCount(ba.median, false), fmtCount(bb.median, false))
		var rows [][]string
		for _, im := range impls {
			if im.key == "bare" || !r.res.has(fw.key, im.key) {
				continue
			}
			cells := []string{im.label}
			for _, sh := range shapes {
				t, ok := r.res.overhead(fw.key, im.key, sh, "sec/op")
				if !ok {
					cells = append(cells, "—")
					continue
				}
				a, _ := r.res.overhead(fw.key, im.key, sh, "allocs/op")
				by, _ := r.res.overhead(fw.key, im.key, sh, "B/op")
				cells = append(cells, fmt.Sprintf("%s · %s allocs · %s B", fmtTimePM(t.v, t.pm), fmtCount(a.v, true), fmtCount(by.v, true)))
			}
			rows = append(rows, cells)
		}
		table(b, []string{"row", "untouched", "read-only", "read-write"}, rows)
	}
}

// ratios writes our overheads against the floor's and the peers'.
func (r *report) ratios(b *strings.Builder) {
	b.WriteString("## Ratios\n\n### To the floor\n\n")
	b.WriteString("Our overhead ÷ the floor's (net/http), for the same request: below 1× means transient does less than the inline standard-library code. " +
		"The lean floor, which every claim is made against, decodes into a typed struct and checks only its expiry; the map floor decodes into a map[string]any, " +
		"which costs more. Neither keeps a creation or issue time, a CSRF token or an owner, nor handles an error the way a library must.\n\n")
	var rows [][]string
	for _, fw := range frameworks {
		for _, p := range []struct{ ours, floor string }{{"transient-cookie", floorKey}, {"transient-cookie", "floor-hmac"}, {"transient-cookie-encrypt", "floor-gcm"}} {
			if !r.res.has(fw.key, p.ours) {
				continue
			}
			if !r.res.has("NetHTTP", p.floor) {
				continue
			}
			row := []string{fw.name, label(p.ours), label(p.floor)}
			for _, sh := range []string{"read-only", "read-write"} {
				row = append(row, fmt.Sprintf("%s time, %s allocs", fmtRatio(r.res.ratio(fw.key, p.ours, "NetHTTP", p.floor, sh, "sec/op")),
					fmtRatio(r.res.ratio(fw.key, p.ours, "NetHTTP", p.floor, sh, "allocs/op"))))
			}
			rows = append(rows, row)
		}
	}
	table(b, []string{"framework", "ours", "floor", "read-only", "read-write"}, rows)

	b.WriteString("### To each peer\n\n")
	b.WriteString("The peer's overhead ÷ ours, on the same framework with the same kind of store (how many times more the peer adds); " +
		"for untouched requests, where overheads are near zero, the two overheads themselves.\n\n")
	rows = nil
	for _, p := range peers {
		if !r.res.has(p.fw, p.peer) || !r.res.has(p.fw, p.ours) {
			continue
		}
		row := []string{fwName(p.fw), label(p.peer), label(p.ours)}
		pu, _ := r.res.overhead(p.fw, p.peer, "untouched", "sec/op")
		ou, _ := r.res.overhead(p.fw, p.ours, "untouched", "sec/op")
		row = append(row, fmt.Sprintf("%s vs %s", fmtTime(pu.v), fmtTime(ou.v)))
		for _, sh := range []string{"read-only", "read-write"} {
			t := r.res.ratio(p.fw, p.peer, p.fw, p.ours, sh, "sec/op")
			a := r.res.ratio(p.fw, p.peer, p.fw, p.ours, sh, "allocs/op")
			row = append(row, fmt.Sprintf("%s time, %s allocs", fmtRatio(t), fmtRatio(a)))
		}
		rows = append(rows, row)
	}
	table(b, []string{"framework", "peer", "ours", "untouched (peer vs ours)", "read-only", "read-write"}, rows)
}

func fwName(key string) string {
	for _, fw := range frameworks {
		if fw.key == key {
			return fw.name
		}
	}
	return key
}

// untouched writes the isolated measurement of an untouched request.
func (r *report) untouched(b *strings.Builder) {
	if _, ok := r.res.get("Untouched", "bare", "untouched", "sec/op"); !ok {
		return
	}
	b.WriteString("## Untouched requests\n\n")
	b.WriteString("BenchmarkUntouched isolates what a middleware adds to a request whose handler never touches the session: " +
		"net/http, no mux, no recorder, a handler that does nothing. (adapters/internal/drivers/allocs_test.go holds each adapter to its allocation count.)\n\n")
	var rows [][]string
	for _, im := range []string{"bare", "withcontext", "transient-cookie"} {
		t, ok := r.res.get("Untouched", im, "untouched", "sec/op")
		if !ok {
			continue
		}
		a, _ := r.res.get("Untouched", im, "untouched", "allocs/op")
		by, _ := r.res.get("Untouched", im, "untouched", "B/op")
		d, _ := r.res.overhead("Untouched", im, "untouched", "sec/op")
		rows = append(rows, []string{label(im), fmtTime(t.median) + " " + fmtCI(t.ci), fmtTimePM(d.v, d.pm),
			fmtCount(a.median, false), fmtCount(by.median, false)})
	}
	table(b, []string{"row", "time/op", "added", "allocs/op", "B/op"}, rows)
	b.WriteString("**The target of 0 allocations and under 50 ns added is out of reach, and this is the measurement that shows it.** " +
		"A net/http middleware can only hand a value to the handlers below it through the request's context, and " +
		"`r.WithContext` must return a new `*http.Request` (a ~250-byte copy on the heap) around a new context (`context.WithValue`, one more allocation): " +
		"that alone, the \"bound\" row, costs 2 allocations and a few hundred nanoseconds before any session work. " +
		"Gin and Echo hand `c.Request` to the handlers and go through the same copy. transient's middleware does all it needs in one allocation " +
		"(the request copy, the commit writer and the unloaded session in one struct), no more than the bound: " +
		"it reads no cookie, calls no store and writes no header for an untouched request. " +
		"On Fiber, which keeps the request's context.Context in its own context (`SetUserContext`), the bound is one allocation (the context value), and transient makes one too.\n\n")
}

// servers writes the rows of a store on a server (Redis, PostgreSQL): time,
// round trips and bytes on the wire per request.
func (r *report) servers(b *strings.Builder, title, intro string, ims []string) {
	var rows [][]string
	for _, fw := range frameworks {
		for _, im := range ims {
			if !r.res.has(fw.key, im) {
				continue
			}
			row := []string{fw.name, label(im)}
			for _, sh := range shapes {
				t, _ := r.res.get(fw.key, im, sh, "sec/op")
				rt, _ := r.res.get(fw.key, im, sh, "roundtrips/op")
				cell := fmt.Sprintf("%s %s · %.2f trips", fmtTime(t.median), fmtCI(t.ci), rt.median)
				if w, ok := r.res.get(fw.key, im, sh, "wire-B/op"); ok {
					cell += fmt.Sprintf(" · %.0f B", w.median)
				}
				if c, ok := r.res.get(fw.key, im, sh, "server-us/op"); ok {
					cell += fmt.Sprintf(" · %.1f µs server", c.median)
				}
				if w, ok := r.res.get(fw.key, im, sh, "wal-B/op"); ok && w.median > 0 {
					cell += fmt.Sprintf(" · %.0f B WAL", w.median)
				}
				if a, ok := r.res.overhead(fw.key, im, sh, "allocs/op"); ok {
					cell += fmt.Sprintf(" · %s allocs", fmtCount(a.v, true))
				}
				if f, ok := r.res.floorRatio(fw.key, im, sh); ok {
					cell += fmt.Sprintf(" · **%s the floor**", fmtRatio(f))
				}
				if t.median == 0 {
					cell = "—"
				}
				row = append(row, cell)
			}
			rows = append(rows, row)
		}
	}
	if rows == nil {
		return
	}
	b.WriteString("## " + title + "\n\n" + intro + "\n\n")
	table(b, []string{"framework", "row", "untouched", "read-only", "read-write"}, rows)
}

// redis writes the Redis rows.
func (r *report) redis(b *strings.Builder) {
	r.servers(b, "Redis", "Time per request (not overhead), round trips to Redis per request, counted by a go-redis hook "+
		"(redigo: a wrapped connection), and bytes on the wire both ways per request, counted on the connection, "+
		"on a redis-server the benchmark started on a loopback port; on net/http, the CPU time the redis-server process used per request (INFO cpu). "+
		"Allocations are added to the framework's bare row. "+
		"The floor is the least a Redis session can do, inline in a handler on transient's own client: a bare GET to read, and for a write that GET, "+
		"then one script that writes the new record only if the record still holds what the GET found (by SHA-1); transient's time ÷ the floor's, on net/http. "+
		"A round trip on this VM costs tens of microseconds, so Redis rows are dominated by it, and noisy.",
		[]string{"floor-redis", "transient-redis", "scs-redis", "fiber-redis"})
}

// postgres writes the PostgreSQL rows.
func (r *report) postgres(b *strings.Builder) {
	r.servers(b, "PostgreSQL", "Time per request (not overhead), round trips (queries, counted by a pgx tracer on a pool of one warmed "+
		"connection, so prepared statements are not counted), bytes on the wire both ways, the CPU time of the connection's backend process "+
		"(/proc/PID/schedstat) and the write-ahead log written (pg_current_wal_insert_lsn), per request, on a database of their own "+
		"on a PostgreSQL the benchmark started (pgtest). transient's pgstore runs on a pgx pool; scs's postgresstore on database/sql through "+
		"pgx's driver, on the table its README creates. Both read with one query and write with one more. "+
		"The floor, on transient's own connection, reads with one SELECT and writes with that SELECT and one UPDATE that checks the row still holds what it read (by SHA-256); "+
		"transient's time ÷ the floor's, on net/http.",
		[]string{"floor-postgres", "transient-postgres", "scs-postgres"})
}

func (r *report) memory(b *strings.Builder) {
	s, ok := r.res["LiveSessions"]
	if !ok {
		return
	}
	b.WriteString("## Memory\n\n")
	fmt.Fprintf(b, "BenchmarkLiveSessions puts 100,000 sessions holding {user_id: 42, username: \"alice\"} into memstore through the Manager "+
		"(Begin, first use, two Sets, Commit, Finish: what a login request does), then measures the live heap after a full GC, before and after: "+
		"**%.1f MB for 100,000 sessions, %.0f bytes per session** (the median of bench/run's 3 runs, as in the rest of this section). "+
		"Each session is a 43-byte ID, a map entry, a record and a ~70-byte JSON payload.\n\n",
		s["B/session"].median*1e5/1e6, s["B/session"].median)
	if f, ok := r.res["MemstoreFlood"]; ok {
		kept := "every user's session is still there"
		if lost := f["users-lost"].median; lost > 0 {
			kept = fmt.Sprintf("**%.0f users lost their session**", lost)
		}
		fmt.Fprintf(b, "BenchmarkMemstoreFlood logs 80,000 users in, each with a session as the example blog makes it, then sends 500,000 "+
			"cookieless requests to a login form, each of which starts a session for its CSRF token, to a memstore with its default bound "+
			"of 100,000 sessions, so that nearly every request evicts a record: **a flood request takes %s and %.0f allocations "+
			"(%.0f B) through the Manager, eviction included; the store takes %.1f MB at the end (%.0f bytes per record held)**. "+
			"The store evicts anonymous sessions first, and %s.\n\n",
			fmtTime(f["sec/request"].median), f["allocs/request"].median, f["B/request"].median,
			f["B/flood"].median/1e6, f["B/record"].median, kept) // benchstat scales MB/flood to B/flood, ns/request to sec/request
	}
	var rows [][]string
	if s, ok := r.res["Footprint/cookie"]; ok {
		rows = append(rows, []string{"cookiestore", "0 B", fmt.Sprintf("nothing on the server; the cookie, %.0f B, comes with every request", s["B/cookie"].median)})
	}
	for _, st := range []struct{ key, name, what string }{
		{"Footprint/memory", "memstore", "the live heap after a full GC: the record, its ID and the user's index"},
		{"Footprint/redis", "redisstore", "Redis's used_memory: the session's key and the user's index"},
		{"Footprint/postgres", "pgstore", "pg_total_relation_size: the table, its indexes and TOAST"},
	} {
		if s, ok := r.res[st.key]; ok {
			rows = append(rows, []string{st.name, fmt.Sprintf("%.0f B", s["B/session"].median), st.what})
		}
	}
	if rows != nil {
		b.WriteString("BenchmarkFootprint logs 50,000 users in, each with a session of their own as the example blog makes it " +
			"(SetOwner with a device, user_id, username, a CSRF token: about 250 bytes of payload), and measures what the server holds per live session:\n\n")
		table(b, []string{"store", "per live session", "measured as"}, rows)
	}
}

// loadBaseline is the label of the load test's baseline.
const loadBaseline = "anonymous"

func (r *report) loadTest(b *strings.Builder) {
	b.WriteString("## Load test: the example blog\n\n")
	env := r.loadEnv
	fmt.Fprintf(b, "`bench/run load` builds examples/blog and serves it on loopback ports (-framework %s) four ways, "+
		"`-store cookie`, `-store memory`, `-store redis` and `-store postgres` (on a redis-server and a PostgreSQL the script started). "+
		"bench/cmd/load then sends GET %s from %s concurrent clients, "+
		"each with its own cookie jar and connection, %s warm-up requests each and then %s measured requests between them, to each in turn, %s rounds:\n\n"+
		"- **anonymous**, the baseline: the cookie-store blog's page for visitors who are not logged in and so carry no cookie. "+
		"Nothing is loaded from a store, decoded or saved, and no cookie is set: the page costs what it would without sessions, "+
		"plus the session middleware's bookkeeping for a new, empty session, far below this test's noise (see the untouched rows above);\n"+
		"- **cookie**, **memory**, **redis**, **postgres**: visitors logged in as alice or bob through the login form, each with a session of their own; "+
		"the page reads it (the user's name, the CSRF token of the logout form, the flash queues).\n\n"+
		"Medians over the rounds; the load generator shares the 2 CPUs with the blog, Redis and PostgreSQL.\n\n",
		env["FRAMEWORK"], env["PAGE"], env["CLIENTS"], env["WARMUP"], env["REQUESTS"], env["ROUNDS"])
	var base *loadSummary
	for i := range r.load {
		if r.load[i].label == loadBaseline {
			base = &r.load[i]
		}
	}
	var rows [][]string
	for _, l := range r.load {
		row := []string{l.label, fmt.Sprintf("%.0f", l.rps), fmt.Sprintf("%.0f–%.0f", l.rpsMin, l.rpsMax),
			fmt.Sprintf("%.3f ms", l.p50), fmt.Sprintf("%.3f ms", l.p90), fmt.Sprintf("%.3f ms", l.p99)}
		if base != nil && l.label != base.label {
			row = append(row, fmt.Sprintf("%+.1f%%", (l.rps/base.rps-1)*100), fmt.Sprintf("%+.3f ms", l.p50-base.p50), fmt.Sprintf("%+.3f ms", l.p99-base.p99))
		} else {
			row = append(row, "—", "—", "—")
		}
		row = append(row, fmtCPU(l.blogCPU), fmtCPU(l.storeCPU))
		rows = append(rows, row)
	}
	table(b, []string{"visitors", "req/s", "req/s range", "p50", "p90", "p99", "req/s vs anonymous", "p50 vs anonymous", "p99 vs anonymous",
		"blog CPU/req", "store CPU/req"}, rows)
	b.WriteString("CPU/req is the CPU time (user and system, from /proc) that the blog's process, and the store's server with its child processes, " +
		"used per measured request: what sizes app servers and store servers, whatever the load generator takes of the same CPUs.\n\n")
	b.WriteString("Logged-in visitors get a larger page than anonymous ones (the user's links and the logout form with its CSRF token), " +
		"rendered by more template code: part of the gap between anonymous and cookie is that page, not the session.\n\n")
}

// allRows writes every benchmark.
func (r *report) allRows(b *strings.Builder) {
	b.WriteString("## All rows\n\n")
	names := make([]string, 0, len(r.res))
	for name := range r.res {
		names = append(names, name)
	}
	order := func(name string) (int, int, int) {
		parts := strings.Split(name, "/")
		g, i, s := 99, 99, 99
		for k, fw := range append(frameworks, framework{"Untouched", ""}) {
			if parts[0] == fw.key || parts[0] == fw.key+"Redis" {
				g = k
			}
		}
		if len(parts) == 3 {
			for k, im := range impls {
				if parts[1] == im.key {
					i = k
				}
			}
			for k, sh := range shapes {
				if parts[2] == sh {
					s = k
				}
			}
		}
		return g, i, s
	}
	sort.Slice(names, func(a, c int) bool {
		ga, ia, sa := order(names[a])
		gc, ic, sc := order(names[c])
		if ga != gc {
			return ga < gc
		}
		if ia != ic {
			return ia < ic
		}
		if sa != sc {
			return sa < sc
		}
		return names[a] < names[c]
	})
	var rows [][]string
	for _, name := range names {
		u := r.res[name]
		t, ok := u["sec/op"]
		if !ok {
			continue
		}
		trips := ""
		if rt, ok := u["roundtrips/op"]; ok {
			trips = fmt.Sprintf("%.2f", rt.median)
		}
		rows = append(rows, []string{"`" + name + "`", fmtTime(t.median), fmtCI(t.ci),
			fmtCount(u["B/op"].median, false), fmtCount(u["allocs/op"].median, false), trips})
	}
	table(b, []string{"benchmark", "time/op", "±", "B/op", "allocs/op", "round trips/op"}, rows)
}

func (r *report) method(b *strings.Builder) {
	b.WriteString("## How this is measured\n\n")
	b.WriteString("- Every row serves real requests through real middleware, in process: `ServeHTTP` with an `httptest.ResponseRecorder` for net/http, Gin and Echo, " +
		"and a Fiber app's fasthttp handler with a reused `RequestCtx` whose request is re-read from the wire each time, as fasthttp's server does. " +
		"Each iteration gets a fresh shallow copy of the request (gorilla/sessions caches the session in the request it is given).\n")
	b.WriteString("- Every session holds {user_id: 42, username: \"alice\"}, made by POST /login before the timer starts. " +
		"A read-write request pops the previous flash message and adds \"Article saved successfully!\": every iteration starts from a session holding one flash message " +
		"(cookie stores: the same cookie, taken after one warm-up write; server-side stores: the record rewritten in place). " +
		"transient's sessions are made by Managers whose clock runs a minute behind, so that each read-write request issues its session anew and sends its new cookie, " +
		"as a request that comes seconds after the last does and as the floors and peers always do. Handlers check what they read and fail on a wrong value or on accumulating flashes.\n")
	b.WriteString("- Peers are used as their READMEs show: gorilla/sessions, gin-contrib and echo-contrib call Save after a change; scs's LoadAndSave saves by itself; " +
		"Fiber's session is saved with Save. scs and Fiber have no flash messages: their rows keep the message under a key and pop it (PopString; Get and Delete), as scs's README does.\n")
	b.WriteString("- Runs are interleaved: bench/run runs the whole suite once per count, so a slow minute of the shared VM spreads over all rows instead of skewing one. " +
		"Overheads and ratios use medians of the same run; their ± is the sum of the two rows' 95% confidence intervals (n/a under 6 runs).\n")
	b.WriteString("- Redis rows use a redis-server started by the benchmark on a free loopback port (redistest.StartLocal), never a shared one.\n")
}

// fmtCPU formats a CPU time per request in microseconds; "—" for none.
func fmtCPU(us float64) string {
	if us == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f µs", us)
}
