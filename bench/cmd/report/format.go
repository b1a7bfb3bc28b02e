package main

import (
	"fmt"
	"math"
	"strings"
)

// timeScale returns the unit and the factor from seconds that suit v.
func timeScale(v float64) (string, float64) {
	switch a := math.Abs(v); {
	case a < 1e-6:
		return "ns", 1e9
	case a < 1e-3:
		return "µs", 1e6
	default:
		return "ms", 1e3
	}
}

// num formats v with 3 significant digits, at most 2 decimals.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// fmtTime formats a duration in seconds: "9.48 µs".
func fmtTime(sec float64) string {
	unit, f := timeScale(sec)
	return num(sec*f) + " " + unit
}

// fmtTimePM formats a duration with its spread, in one unit:
// "9.48 ± 0.61 µs".
func fmtTimePM(sec, pm float64) string {
	unit, f := timeScale(sec)
	if math.IsNaN(pm) {
		return num(sec*f) + " " + unit
	}
	return num(sec*f) + " ± " + num(pm*f) + " " + unit
}

// fmtCI formats benchstat's confidence interval: "± 3%".
func fmtCI(ci float64) string {
	if math.IsNaN(ci) {
		return "n/a"
	}
	return fmt.Sprintf("± %.0f%%", ci*100)
}

// fmtRatio formats a ratio: "4.7×".
func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "n/a"
	}
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

// fmtCount formats an allocation or byte count, signed when it is a
// difference.
func fmtCount(v float64, signed bool) string {
	s := fmt.Sprintf("%.0f", math.Round(v))
	if signed && math.Round(v) > 0 {
		s = "+" + s
	}
	return s
}

// verdict is a target's outcome.
func verdict(ok bool) string {
	if ok {
		return "holds"
	}
	return "**missed**"
}

// table writes a Markdown table.
func table(b *strings.Builder, header []string, rows [][]string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}
