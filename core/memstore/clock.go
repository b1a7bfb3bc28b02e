package memstore

import "time"

// unixNano returns clock, or the default clock when it is nil, as a
// function that returns Unix nanoseconds, the store's time.
//
// The default reads the wall clock once, and from then on adds to it how
// long the monotonic clock says has passed (time.Since), which is one
// read of the system's clocks where time.Now makes two, on every Load and
// every write. A TTL is a duration: a record lasts it whatever happens to
// the wall clock meanwhile, such as a step that NTP makes. (The Manager
// checks its own timeouts on the wall clock as well.)
func unixNano(clock func() time.Time) func() int64 {
	if clock != nil {
		return func() int64 { return clock().UnixNano() }
	}
	start := time.Now()
	wall := start.UnixNano()
	return func() int64 { return wall + int64(time.Since(start)) }
}
