package main

import (
	"fmt"
	"math"
	"strings"
)

// codecDocs are BenchmarkCodec's documents, and codecOps its operations.
var (
	codecDocs = []struct{ key, label string }{
		{"login", "a login's session (user_id, username, one flash message, a CSRF token; 167 bytes)"},
		{"rich", "a richer session (8 values, nested ones among them, 4 flash messages in 3 queues; 475 bytes)"},
	}
	codecOps = []string{"decode", "round-trip"}
)

// codecStat returns a BenchmarkCodec row's stat in unit.
func (r results) codecStat(doc, op, impl, unit string) (stat, bool) {
	s, ok := r["Codec/"+doc+"/"+op+"/"+impl][unit]
	return s, ok
}

// codecRatio returns encoding/json's median ÷ transient's in unit, or NaN.
func (r results) codecRatio(doc, op, unit string) float64 {
	ours, ok1 := r.codecStat(doc, op, "transient", unit)
	theirs, ok2 := r.codecStat(doc, op, "encoding-json", unit)
	if !ok1 || !ok2 || ours.median <= 0 {
		return math.NaN()
	}
	return theirs.median / ours.median
}

func (r *report) codecHeadline(b *strings.Builder) {
	var parts []string
	for _, op := range codecOps {
		if ratio := r.res.codecRatio("login", op, "sec/op"); !math.IsNaN(ratio) {
			ours, _ := r.res.codecStat("login", op, "transient", "sec/op")
			theirs, _ := r.res.codecStat("login", op, "encoding-json", "sec/op")
			parts = append(parts, fmt.Sprintf("%s %s vs %s (**%s faster**)", op, fmtTime(ours.median), fmtTime(theirs.median), fmtRatio(ratio)))
		}
	}
	if parts != nil {
		fmt.Fprintf(b, "- **Payload codec** (core/payload.go, through the Manager) against encoding/json, a login's session: %s.\n", strings.Join(parts, "; "))
	}
}

// codec writes BenchmarkCodec's rows.
func (r *report) codec(b *strings.Builder) {
	var rows [][]string
	for _, doc := range codecDocs {
		for _, op := range codecOps {
			ours, ok1 := r.res.codecStat(doc.key, op, "transient", "sec/op")
			theirs, ok2 := r.res.codecStat(doc.key, op, "encoding-json", "sec/op")
			if !ok1 || !ok2 {
				continue
			}
			oa, _ := r.res.codecStat(doc.key, op, "transient", "allocs/op")
			ta, _ := r.res.codecStat(doc.key, op, "encoding-json", "allocs/op")
			rows = append(rows, []string{doc.key, op,
				fmt.Sprintf("%s %s · %s allocs", fmtTime(ours.median), fmtCI(ours.ci), fmtCount(oa.median, false)),
				fmt.Sprintf("%s %s · %s allocs", fmtTime(theirs.median), fmtCI(theirs.ci), fmtCount(ta.median, false)),
				fmt.Sprintf("%s time, %s allocs", fmtRatio(r.res.codecRatio(doc.key, op, "sec/op")), fmtRatio(r.res.codecRatio(doc.key, op, "allocs/op")))})
		}
	}
	if rows == nil {
		return
	}
	b.WriteString("## Payload codec\n\n")
	b.WriteString("core/payload.go says how much faster its hand-written codec is than encoding/json through reflection. " +
		"BenchmarkCodec checks it from outside the library, on the same JSON documents: ")
	for i, doc := range codecDocs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(b, "%s, %s", doc.key, doc.label)
	}
	b.WriteString(".\n\n" +
		"- **decode**, transient: Manager.Begin and core.FromContext on a request whose cookie names the document, which a store local to the benchmark hands over: " +
		"the first use of a session, so the row also pays for reading the cookie and checking the token and the timestamps, and overstates the codec; " +
		"encoding/json: json.Unmarshal into the same document as a Go struct whose stored values stay raw (json.RawMessage), as core keeps them until they are read, the least it can do.\n" +
		"- **round-trip**: the same, then the session is marked changed and committed, which encodes it for the store's Save; " +
		"encoding/json: json.Unmarshal, then a json.Encoder without HTML escaping into a reused buffer.\n\n")
	table(b, []string{"document", "operation", "transient", "encoding/json", "encoding/json ÷ transient"}, rows)
}
