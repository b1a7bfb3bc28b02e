package main

import "math"

// A framework is a group of benchmarks: Benchmark<key>,
// Benchmark<key>Redis and Benchmark<key>Postgres.
type framework struct{ key, name string }

var frameworks = []framework{
	{"NetHTTP", "net/http"},
	{"Gin", "Gin"},
	{"Echo", "Echo v4"},
	{"Echo5", "Echo v5"},
	{"Fiber", "Fiber v2"},
}

// An impl is a row of the scenario set, in the order tables show them.
type impl struct{ key, label string }

var impls = []impl{
	{"bare", "bare: no session middleware"},
	{"withcontext", "bound: context.WithValue + request copy (Fiber: SetUserContext)"},
	{"floor-lean", "floor: base64url + HMAC-SHA256 over name and payload + encoding/json into a struct"},
	{"floor-hmac", "floor, map: base64 + HMAC-SHA256 + encoding/json into a map[string]any"},
	{"floor-gcm", "floor: base64 + AES-256-GCM + encoding/json"},
	{"floor-redis", "floor: GET, then one compare-and-set script (Redis)"},
	{"floor-postgres", "floor: SELECT, then one compare-and-set UPDATE (PostgreSQL)"},
	{"transient-cookie", "**transient**, cookiestore"},
	{"transient-cookie-encrypt", "**transient**, cookiestore, Encrypt"},
	{"transient-memory", "**transient**, memstore"},
	{"transient-memory-otel", "**transient**, memstore, recording OpenTelemetry metrics and spans (otelsession)"},
	{"transient-redis", "**transient**, redisstore"},
	{"transient-postgres", "**transient**, pgstore"},
	{"gorilla-hash", "gorilla/sessions CookieStore, hash key"},
	{"gorilla-hash-block", "gorilla/sessions CookieStore, hash + block key"},
	{"scs-memory", "alexedwards/scs v2, memstore"},
	{"scs-redis", "alexedwards/scs v2, redisstore (redigo)"},
	{"scs-postgres", "alexedwards/scs v2, postgresstore (database/sql, pgx driver)"},
	{"gin-contrib-cookie", "gin-contrib/sessions, cookie store"},
	{"echo-contrib-cookie", "echo-contrib/session, gorilla CookieStore"},
	{"fiber-memory", "Fiber middleware/session, memory storage"},
	{"fiber-redis", "Fiber middleware/session, gofiber/storage redis"},
}

func label(key string) string {
	for _, im := range impls {
		if im.key == key {
			return im.label
		}
	}
	return key
}

var shapes = []string{"untouched", "read-only", "read-write"}

// peers pairs each peer row with the row of ours that keeps the session
// the same way, on the same framework.
var peers = []struct{ fw, peer, ours string }{
	{"NetHTTP", "gorilla-hash", "transient-cookie"},
	{"NetHTTP", "gorilla-hash-block", "transient-cookie-encrypt"},
	{"NetHTTP", "scs-memory", "transient-memory"},
	{"NetHTTP", "scs-redis", "transient-redis"},
	{"NetHTTP", "scs-postgres", "transient-postgres"},
	{"Gin", "gin-contrib-cookie", "transient-cookie"},
	{"Echo", "echo-contrib-cookie", "transient-cookie"},
	{"Echo5", "gorilla-hash", "transient-cookie"},
	{"Fiber", "fiber-memory", "transient-memory"},
	{"Fiber", "fiber-redis", "transient-redis"},
}

// get returns a row's stat in unit.
func (r results) get(fw, im, shape, unit string) (stat, bool) {
	for _, group := range []string{fw, fw + "Redis", fw + "Postgres"} {
		if units, ok := r[group+"/"+im+"/"+shape]; ok {
			s, ok := units[unit]
			return s, ok
		}
	}
	return stat{}, false
}

// has reports whether the row was measured.
func (r results) has(fw, im string) bool {
	for _, sh := range shapes {
		if _, ok := r.get(fw, im, sh, "sec/op"); ok {
			return true
		}
	}
	return false
}

// floorKey is the row every claim about the cookie store is made
// against: the lean floor (issue 23).
const floorKey = "floor-lean"

// storeFloors pairs each server-side row of ours with its floor, on the
// same client and server.
var storeFloors = []struct{ ours, floor string }{
	{"transient-redis", "floor-redis"},
	{"transient-postgres", "floor-postgres"},
}

// A delta is a difference of medians, with the sum of their confidence
// intervals' half-widths as its spread (NaN when unknown).
type delta struct{ v, pm float64 }

// overhead is what a row adds to its framework's bare row in unit.
func (r results) overhead(fw, im, shape, unit string) (delta, bool) {
	s, ok := r.get(fw, im, shape, unit)
	bare, okBare := r.get(fw, "bare", "untouched", unit)
	if !ok || !okBare {
		return delta{}, false
	}
	return delta{v: s.median - bare.median, pm: s.abs() + bare.abs()}, true
}

// ratio returns a / b of two overheads in unit, or NaN.
func (r results) ratio(fwA, imA, fwB, imB, shape, unit string) float64 {
	a, okA := r.overhead(fwA, imA, shape, unit)
	b, okB := r.overhead(fwB, imB, shape, unit)
	if !okA || !okB || b.v <= 0 {
		return math.NaN()
	}
	return a.v / b.v
}

// floorRatio returns, for a row of ours on a server-side store, its time
// per request ÷ its floor's on net/http, for a read-only or read-write
// request.
func (r results) floorRatio(fw, im, shape string) (float64, bool) {
	for _, p := range storeFloors {
		if p.ours != im {
			continue
		}
		ours, ok1 := r.get(fw, im, shape, "sec/op")
		floor, ok2 := r.get("NetHTTP", p.floor, shape, "sec/op")
		if !ok1 || !ok2 || floor.median <= 0 {
			return 0, false
		}
		return ours.median / floor.median, true
	}
	return 0, false
}
