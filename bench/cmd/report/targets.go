package main

import (
	"fmt"
	"math"
	"strings"
)

// targets checks the targets of issue 6 against this run. It reports; it
// asserts nothing.
func (r *report) targets(b *strings.Builder) {
	b.WriteString("## Targets\n\n")
	var rows [][]string
	add := func(target string, parts []string, ok bool) {
		if len(parts) > 0 {
			rows = append(rows, []string{target, strings.Join(parts, "; "), verdict(ok)})
		}
	}

	// Read-write overhead against the floor, and allocations.
	floor := r.rw("NetHTTP", "floor-hmac", "sec/op")
	var parts, allocParts []string
	okFloor, okAllocs := true, true
	for _, fw := range frameworks {
		d := r.rw(fw.key, "transient-cookie", "sec/op")
		if math.IsNaN(d.v) {
			continue
		}
		ratio := d.v / floor.v
		okFloor = okFloor && ratio <= 1.3
		parts = append(parts, fmt.Sprintf("%s %s (%s vs %s)", fw.name, fmtRatio(ratio), fmtTime(d.v), fmtTime(floor.v)))
		a := r.rw(fw.key, "transient-cookie", "allocs/op").v
		okAllocs = okAllocs && math.Round(a) <= 40
		allocParts = append(allocParts, fmt.Sprintf("%s %s", fw.name, fmtCount(a, false)))
	}
	add("Read-write overhead, cookie store, ≤ 1.3× the HMAC floor's", parts, okFloor)

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
	add("Read-write overhead, cookie store, ≤ 40 allocations", allocParts, okAllocs)

	// Untouched.
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
				okUntouched = okUntouched && math.Round(a.v) <= 0 && t.v < 50e-9
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
	add("Untouched: 0 allocations and < 50 ns added, every framework and store (added time/allocations; \"bound\" is the least any context-carrying middleware adds)", parts, okUntouched)

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
	if !okAllocs {
		b.WriteString("**Allocations, read-write, cookie store.** A memory profile (`go test -memprofile -memprofilerate=1`) puts about half of them in " +
			"gorilla/securecookie, which cookiestore uses to sign and verify: a new HMAC (`hmac.New`, five allocations) for each Encode and Decode, " +
			"`fmt.Sprintf` and `bytes.SplitN` on every cookie, and base64 into new slices twice each way. Writing securecookie's format in cookiestore itself, " +
			"with pooled HMAC states and buffers, removes them while old cookies stay valid. On Echo, one of the allocations is the closure Echo makes for every " +
			"middleware on every request, which the bound row makes too.\n\n")
	}
	if !okUntouched {
		b.WriteString("**Untouched requests.** Out of reach by construction: see [Untouched requests](#untouched-requests) for the measurement.\n\n")
	}
}
