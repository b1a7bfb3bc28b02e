package main

import (
	"fmt"
	"math"
	"strings"
)

// issue23Base is what issue 23 started from (bench/RESULTS.md of
// 2026-12-02, net/http): the stores' bytes on the wire and allocations
// added per request, which its targets want lower.
var issue23Base = map[string]struct{ wire, allocs float64 }{
	"transient-redis/read-only":     {177, 17},
	"transient-redis/read-write":    {588, 43},
	"transient-postgres/read-only":  {245, 40},
	"transient-postgres/read-write": {664, 85},
}

// targets checks the targets of issues 23 and 6 against this run. It
// reports; it asserts nothing.
func (r *report) targets(b *strings.Builder) {
	b.WriteString("## Targets\n\n")
	var rows [][]string
	add := func(target string, parts []string, ok bool) {
		if len(parts) > 0 {
			rows = append(rows, []string{target, strings.Join(parts, "; "), verdict(ok)})
		}
	}

	// Issue 23: the cookie store against the lean floor, and allocations.
	floor := r.rw("NetHTTP", floorKey, "sec/op")
	var parts, allocParts, roParts []string
	okFloor, okAllocs, okRO := true, true, true
	for _, fw := range frameworks {
		d := r.rw(fw.key, "transient-cookie", "sec/op")
		if math.IsNaN(d.v) {
			continue
		}
		ratio := d.v / floor.v
		okFloor = okFloor && ratio <= 1.1
		parts = append(parts, fmt.Sprintf("%s %s (%s vs %s)", fw.name, fmtRatio(ratio), fmtTime(d.v), fmtTime(floor.v)))
		a := r.rw(fw.key, "transient-cookie", "allocs/op").v
		okAllocs = okAllocs && math.Round(a) <= 24
		allocParts = append(allocParts, fmt.Sprintf("%s %s", fw.name, fmtCount(a, false)))
		if ro, ok := r.res.overhead(fw.key, "transient-cookie", "read-only", "allocs/op"); ok {
			okRO = okRO && math.Round(ro.v) <= 12
			roParts = append(roParts, fmt.Sprintf("%s %s", fw.name, fmtCount(ro.v, false)))
		}
	}
	if !math.IsNaN(floor.v) {
		add("Read-write overhead, cookie store, ≤ 1.1× the lean floor's, every framework", parts, okFloor)
	}
	if fa := r.rw("NetHTTP", floorKey, "allocs/op"); !math.IsNaN(fa.v) {
		allocParts = append(allocParts, fmt.Sprintf("(the lean floor %s)", fmtCount(fa.v, false)))
	}
	add("Read-write, cookie store, ≤ 24 allocations added", allocParts, okAllocs)
	add("Read-only, cookie store, ≤ 12 allocations added", roParts, okRO)

	// Issue 23: the memory store.
	parts = nil
	okMem := true
	for _, fw := range []string{"NetHTTP", "Fiber"} {
		t, ok := r.res.overhead(fw, "transient-memory", "read-write", "sec/op")
		a, _ := r.res.overhead(fw, "transient-memory", "read-write", "allocs/op")
		if !ok {
			continue
		}
		okMem = okMem && t.v <= 2e-6 && math.Round(a.v) <= 8
		parts = append(parts, fmt.Sprintf("%s %s, %s allocs", fwName(fw), fmtTime(t.v), fmtCount(a.v, false)))
	}
	add("Read-write, memory store, ≤ 2.0 µs and ≤ 8 allocations added (net/http, Fiber)", parts, okMem)
	for _, f := range []struct {
		key, store string
		most       float64
	}{{"Footprint/memory", "memory", 450}, {"Footprint/redis", "Redis", 550}} {
		if s, ok := r.res[f.key]; ok {
			v := s["B/session"].median
			add(fmt.Sprintf("Bytes per live session, %s store, the user's index included, ≤ %.0f", f.store, f.most),
				[]string{fmt.Sprintf("%.0f B", v)}, v <= f.most)
		}
	}

	// Issue 23: the stores on a server against their floors.
	parts = nil
	okStores, floors := true, false
	var lessParts []string
	okLess := true
	for _, p := range storeFloors {
		for _, sh := range []string{"read-only", "read-write"} {
			if f, ok := r.res.floorRatio("NetHTTP", p.ours, sh); ok {
				okStores, floors = okStores && f <= 1.1, true
				parts = append(parts, fmt.Sprintf("%s %s %s", label(p.ours), sh, fmtRatio(f)))
			}
			base, ok := issue23Base[p.ours+"/"+sh]
			w, okW := r.res.get("NetHTTP", p.ours, sh, "wire-B/op")
			a, okA := r.res.overhead("NetHTTP", p.ours, sh, "allocs/op")
			if ok && okW && okA {
				okLess = okLess && w.median < base.wire && math.Round(a.v) < base.allocs
				lessParts = append(lessParts, fmt.Sprintf("%s %s: %.0f B (was %.0f), %s allocs (was %.0f)",
					label(p.ours), sh, w.median, base.wire, fmtCount(a.v, false), base.allocs))
			}
		}
		if t, ok := r.res.get("NetHTTP", p.ours, "untouched", "roundtrips/op"); ok {
			okStores = okStores && t.median == 0
			parts = append(parts, fmt.Sprintf("%s untouched %.0f round trips", label(p.ours), t.median))
		}
	}
	if floors {
		add("Redis and PostgreSQL, net/http: time per request ≤ 1.1× the floor's on the same client and server (0, 1 and 2 round trips)", parts, okStores)
	}
	add("Redis and PostgreSQL, net/http: fewer bytes on the wire and allocations than issue 23's baseline", lessParts, okLess)

	// Untouched requests (issues 23 and 6).
	parts = nil
	okUntouched := true
	for _, fw := range frameworks {
		var cells []string
		for _, im := range []string{"withcontext", "transient-cookie", "transient-memory", "transient-redis"} {
			t, ok := r.res.overhead(fw.key, im, "untouched", "sec/op")
			a, _ := r.res.overhead(fw.key, im, "untouched", "allocs/op")
			if !ok {
				continue
			}
			name := strings.TrimPrefix(im, "transient-")
			if im == "withcontext" {
				name = "bound"
			} else {
				want := 1.0
				if fw.key == "Echo" {
					want = 2 // Echo v4's closure per middleware per request
				}
				okUntouched = okUntouched && math.Round(a.v) <= want
			}
			cells = append(cells, fmt.Sprintf("%s %s/%s allocs", name, fmtTime(t.v), fmtCount(a.v, false)))
		}
		if len(cells) > 0 {
			parts = append(parts, fw.name+": "+strings.Join(cells, ", "))
		}
	}
	if t, ok := r.res.overhead("Untouched", "transient-cookie", "untouched", "sec/op"); ok {
		a, _ := r.res.overhead("Untouched", "transient-cookie", "untouched", "allocs/op")
		bt, _ := r.res.overhead("Untouched", "withcontext", "untouched", "sec/op")
		ba, _ := r.res.overhead("Untouched", "withcontext", "untouched", "allocs/op")
		parts = append(parts, fmt.Sprintf("isolated (net/http, no mux): transient %s/%s allocs, bound %s/%s allocs",
			fmtTime(t.v), fmtCount(a.v, false), fmtTime(bt.v), fmtCount(ba.v, false)))
	}
	add("Untouched: unchanged, 1 allocation added (Echo v4: 2) and nothing read, every framework and store (added time/allocations; \"bound\" is the least any context-carrying middleware adds)", parts, okUntouched)

	// Issue 6.
	parts = nil
	okPeers := true
	for _, p := range []struct{ fw, peer string }{{"NetHTTP", "gorilla-hash"}, {"Gin", "gin-contrib-cookie"}, {"Echo", "echo-contrib-cookie"}} {
		if !r.res.has(p.fw, p.peer) {
			continue
		}
		ratio := r.res.ratio(p.fw, p.peer, p.fw, "transient-cookie", "read-write", "sec/op")
		okPeers = okPeers && ratio >= 5
		parts = append(parts, fmt.Sprintf("%s %s", label(p.peer), fmtRatio(ratio)))
	}
	add("Read-write overhead ≥ 5× below gorilla/sessions, gin-contrib, echo-contrib", parts, okPeers)

	// Redis.
	parts = nil
	okRO, okRW := true, true
	var rwParts []string
	for _, fw := range frameworks {
		if ro, ok := r.res.get(fw.key, "transient-redis", "read-only", "roundtrips/op"); ok {
			okRO = okRO && ro.median == 1
			parts = append(parts, fmt.Sprintf("%s %.2f", fw.name, ro.median))
		}
		if rw, ok := r.res.get(fw.key, "transient-redis", "read-write", "roundtrips/op"); ok {
			okRW = okRW && rw.median <= 2
			rwParts = append(rwParts, fmt.Sprintf("%s %.2f", fw.name, rw.median))
		}
	}
	add("Redis read-only: exactly 1 round trip", parts, okRO)
	add("Redis read-write: at most 2 round trips", rwParts, okRW)

	parts = nil
	okFaster := true
	noisy := false
	for _, p := range []struct{ fw, peer string }{{"NetHTTP", "scs-redis"}, {"Fiber", "fiber-redis"}} {
		for _, sh := range []string{"read-only", "read-write"} {
			ours, ok1 := r.res.get(p.fw, "transient-redis", sh, "sec/op")
			peer, ok2 := r.res.get(p.fw, p.peer, sh, "sec/op")
			if !ok1 || !ok2 {
				continue
			}
			faster := ours.median < peer.median
			okFaster = okFaster && faster
			note := ""
			if math.Abs(peer.median-ours.median) <= ours.abs()+peer.abs() {
				note = ", within noise"
				noisy = true
			}
			parts = append(parts, fmt.Sprintf("%s %s: %s vs %s (%s%s)", label(p.peer), sh,
				fmtTime(ours.median), fmtTime(peer.median), fmtRatio(peer.median/ours.median), note))
		}
	}
	v := verdict(okFaster)
	if okFaster && noisy {
		v = "holds (some within noise)"
	}
	if len(parts) > 0 {
		rows = append(rows, []string{"Redis: faster than scs's and Fiber's Redis stores (time per request, theirs ÷ ours)", strings.Join(parts, "; "), v})
	}

	if s, ok := r.res["LiveSessions"]; ok {
		mb := s["B/session"].median * 1e5 / 1e6
		add("100,000 live memstore sessions under 100 MB", []string{fmt.Sprintf("%.1f MB, %.0f B/session", mb, s["B/session"].median)}, mb < 100)
	}
	table(b, []string{"target", "measured", "verdict"}, rows)
	if !okAllocs || !okRO {
		b.WriteString("**Allocations, cookie store.** See docs/performance.md for the memory profile of a read-write request and what is left in it.\n\n")
	}
}
