package main

import (
	"fmt"
	"strings"
)

// deviceGroups are BenchmarkDevice's stores, and deviceRows its rows of
// requests.
var (
	deviceGroups = []struct{ key, label string }{{"Device", "memstore"}, {"DeviceRedis", "redisstore"}}
	deviceRows   = []struct{ key, label string }{
		{"off", "binding off"},
		{"unbound", "binding on, a browser without DBSC"},
		{"bound", "a bound session, with its bound cookie"},
	}
)

// deviceStat returns a BenchmarkDevice row's stat in unit.
func (r results) deviceStat(group, row, unit string) (stat, bool) {
	s, ok := r[group+"/"+row][unit]
	return s, ok
}

// deviceCell describes one row: time, allocations and, on Redis, round
// trips.
func (r results) deviceCell(group, row string) string {
	t, ok := r.deviceStat(group, row, "sec/op")
	if !ok {
		return "—"
	}
	a, _ := r.deviceStat(group, row, "allocs/op")
	cell := fmt.Sprintf("%s %s · %s allocs", fmtTime(t.median), fmtCI(t.ci), fmtCount(a.median, false))
	if rt, ok := r.deviceStat(group, row, "roundtrips/op"); ok {
		cell += fmt.Sprintf(" · %.0f round trips", rt.median)
	}
	return cell
}

func (r *report) deviceHeadline(b *strings.Builder) {
	refresh, ok1 := r.res.deviceStat("Device", "refresh-es256", "sec/op")
	bound, ok2 := r.res.deviceStat("Device", "bound/read-only", "sec/op")
	off, ok3 := r.res.deviceStat("Device", "off/read-only", "sec/op")
	if !ok1 || !ok2 || !ok3 {
		return
	}
	fmt.Fprintf(b, "- **Device-bound sessions (DBSC)**, memstore, net/http: a bound read-only request takes %s %s, against %s %s with binding off; "+
		"a refresh (an ES256 proof verified, the session written, a new bound cookie) takes **%s**, once per bound cookie lifetime (5 minutes).\n",
		fmtTime(bound.median), fmtCI(bound.ci), fmtTime(off.median), fmtCI(off.ci), fmtTime(refresh.median))
}

// device writes BenchmarkDevice's rows.
func (r *report) device(b *strings.Builder) {
	if _, ok := r.res.deviceStat("Device", "refresh-es256", "sec/op"); !ok {
		return
	}
	b.WriteString("## Device-bound sessions\n\n")
	b.WriteString("BenchmarkDevice serves the same logged-in session (net/http, through the middleware, as the other rows) with device binding off, " +
		"with binding on for a browser that never registered (a browser without DBSC), and bound, each request carrying its bound cookie, " +
		"which the Manager checks (an HMAC-SHA256 that allocates nothing); and the refresh endpoint, answering a proof of the challenge the previous " +
		"refresh left: the proof parsed and verified, the session written, a new bound cookie and the next challenge issued (the browser's signing is not timed). " +
		"Times are per request, not overheads.\n\n")
	var rows [][]string
	for _, g := range deviceGroups {
		for _, row := range deviceRows {
			if _, ok := r.res.deviceStat(g.key, row.key+"/read-only", "sec/op"); !ok {
				continue
			}
			rows = append(rows, []string{g.label, row.label, r.res.deviceCell(g.key, row.key+"/read-only"), r.res.deviceCell(g.key, row.key+"/read-write")})
		}
	}
	table(b, []string{"store", "session", "read-only", "read-write"}, rows)
	rows = nil
	for _, g := range deviceGroups {
		if _, ok := r.res.deviceStat(g.key, "refresh-es256", "sec/op"); ok {
			rows = append(rows, []string{g.label, r.res.deviceCell(g.key, "refresh-es256"), r.res.deviceCell(g.key, "refresh-rs256")})
		}
	}
	table(b, []string{"store", "refresh, ES256 key", "refresh, RS256 key (2048 bits)"}, rows)
}
