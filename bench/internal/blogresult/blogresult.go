// Package blogresult declares the records bench/blog's tests write to
// their -results file, one a framework (and store) as JSON, and
// bench/cmd/report reads back for RESULTS.md. Both sides use these types,
// so a field and its JSON name are written once.
package blogresult

// Burst is what TestLoginBurst (bench/blog/burst_test.go) measured on one
// framework and store; bench/cmd/report reads it as a "LoginBurst" line.
type Burst struct {
	Framework string  `json:"framework"`
	Store     string  `json:"store"`
	Logins    int     `json:"logins"`
	Failed    int     `json:"failed"`
	Errors5xx int     `json:"errors_5xx"`
	Seconds   float64 `json:"seconds"`
	P50ms     float64 `json:"p50_ms"`
	P90ms     float64 `json:"p90_ms"`
	Maxms     float64 `json:"max_ms"`
}

// Outage is what TestFaultStoreOutage (bench/blog/outage_test.go)
// measured on one store and framework; bench/cmd/report reads it as a
// "FaultStoreOutage" line, and as a "FaultHungRedis" line what
// TestFaultHungRedis (bench/blog/hung_redis_test.go) measured, whose
// outage is the time Redis was stopped.
type Outage struct {
	Store         string  `json:"store"`
	Framework     string  `json:"framework"`
	Visitors      int     `json:"visitors"`
	Requests      int     `json:"requests"`
	OutageSeconds float64 `json:"outage_seconds"` // from the kill until the server was back, its restart included
	OutageAnswers int     `json:"outage_answers"` // the answers of that window, whose latencies follow
	OutageP50ms   float64 `json:"outage_p50_ms"`
	OutageP99ms   float64 `json:"outage_p99_ms"`
	OutageMaxms   float64 `json:"outage_max_ms"`
	ResumedP50ms  float64 `json:"resumed_p50_ms"`
	ResumedMaxms  float64 `json:"resumed_max_ms"`
	RecoveryP50ms float64 `json:"recovery_p50_ms"`
	RecoveryMaxms float64 `json:"recovery_max_ms"`
}

// Rotation is what TestFaultSecretRotation (bench/blog/fault_test.go)
// measured on one framework; bench/cmd/report reads it as a
// "FaultSecretRotation" line.
type Rotation struct {
	Framework    string  `json:"framework"`
	Visitors     int     `json:"visitors"`
	Requests     int     `json:"requests"`
	MovedSeconds float64 `json:"moved_seconds"`
}
