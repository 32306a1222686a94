package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
)

// MaxReadingWidth is the longest line of a reading as the tables print it
// (WriteReading wraps longer lines).
const MaxReadingWidth = 100

// ReadingLines returns the reading of one workload's results as a few
// short lines: which engine is fastest and by how much (with the p99 of
// each operation of a mix); the write, read and space amplification; each
// engine's agreement with its cost model; the no-I/O baseline; and caveats
// (why a model and a measurement differ, runs that failed or were
// interrupted). A non-persistent engine is read as the no-I/O baseline.
func ReadingLines(rs []*bench.Result) []string {
	var persistent, baseline, loaded, failed []*bench.Result
	for _, r := range rs {
		switch {
		case r.Error == "" && r.Run == nil && r.Load != nil && r.Load.Ops > 0:
			loaded = append(loaded, r) // --phase load
		case r.Error != "" || r.Run == nil || r.Run.Ops == 0:
			failed = append(failed, r)
		case r.Persistent:
			persistent = append(persistent, r)
		default:
			baseline = append(baseline, r)
		}
	}
	slices.SortStableFunc(persistent, func(a, b *bench.Result) int { return cmpDesc(a.Run.OpsPerSec, b.Run.OpsPerSec) })
	var lines, caveats []string
	verb := mixVerb(rs[0])
	switch len(persistent) {
	case 0:
	case 1:
		a := persistent[0]
		lines = append(lines, fmt.Sprintf("%s %s %s ops/s (p99 %s)", a.Label(), verbRate(verb), formatRate(a.Run.OpsPerSec), formatNanos(float64(worstP99(a.Run)))))
	default:
		a, b := persistent[0], persistent[1]
		var s string
		if a.Run.OpsPerSec < 1.05*b.Run.OpsPerSec {
			s = fmt.Sprintf("%s and %s %s about as fast (%s vs %s ops/s)", a.Label(), b.Label(), plainVerb(verb),
				formatRate(a.Run.OpsPerSec), formatRate(b.Run.OpsPerSec))
		} else {
			s = fmt.Sprintf("%s %s %s faster than %s (%s vs %s ops/s)", a.Label(), verb, formatTimes(a.Run.OpsPerSec/b.Run.OpsPerSec),
				b.Label(), formatRate(a.Run.OpsPerSec), formatRate(b.Run.OpsPerSec))
		}
		for _, c := range persistent[2:] {
			s += fmt.Sprintf(", %s %s", c.Label(), formatRate(c.Run.OpsPerSec))
		}
		lines = append(lines, s)
		if verb == "runs the mix" {
			lines = append(lines, p99Comparison(persistent)...)
		}
	}
	for _, r := range loaded {
		lines = append(lines, fmt.Sprintf("%s loaded %s keys at %s keys/s (%s MiB/s), write amp %s", r.Label(), formatCount(float64(r.Load.Ops)),
			formatRate(r.Load.OpsPerSec), formatMiBPerSec(r.Load.MiBPerSec), formatRatio(r.Load.WriteAmp)))
	}
	if s := ampComparison("writes", "bytes per user byte", persistent, func(r *bench.Result) float64 { return writeAmpOf(r) }); s != "" {
		lines = append(lines, s)
	}
	if s := ampComparison("reads", "file bytes per byte returned", persistent, func(r *bench.Result) float64 {
		if r.Run.ReadAmp < 0.01 {
			return 0 // served from memory: nothing to compare
		}
		return r.Run.ReadAmp
	}); s != "" {
		lines = append(lines, s)
	}
	if s := ampComparison("", "", persistent, func(r *bench.Result) float64 { return r.Run.SpaceAmp }); s != "" {
		lines = append(lines, "space amp "+s)
	}
	models, why := modelReading(persistent)
	lines = append(lines, models...)
	caveats = append(caveats, why...)
	for _, r := range baseline {
		s := fmt.Sprintf("%s (no-I/O baseline) %s ops/s", r.Label(), formatRate(r.Run.OpsPerSec))
		if len(persistent) > 0 && persistent[0].Run.OpsPerSec > 0 {
			s += fmt.Sprintf(" = %s %s", formatTimes(r.Run.OpsPerSec/persistent[0].Run.OpsPerSec), persistent[0].Label())
		} else {
			s += fmt.Sprintf(", p99 %s", formatNanos(float64(worstP99(r.Run))))
		}
		lines = append(lines, s)
	}
	if len(baseline) > 0 && len(persistent) == 0 {
		caveats = append(caveats, "no persistent engine ran to compare with")
	}
	for _, r := range failed {
		switch {
		case r.Interrupted():
			caveats = append(caveats, fmt.Sprintf("%s was interrupted: its figures stop where Ctrl-C came", r.Label()))
		case r.Error != "":
			caveats = append(caveats, fmt.Sprintf("%s failed: see the error above", r.Label()))
		default:
			caveats = append(caveats, fmt.Sprintf("%s measured nothing", r.Label()))
		}
	}
	for _, c := range caveats {
		lines = append(lines, "caveat: "+c)
	}
	if len(lines) == 0 {
		return []string{"no results"}
	}
	return lines
}

// Reading returns the reading of one workload's results in one line: the
// lines of ReadingLines joined by "; ".
func Reading(rs []*bench.Result) string { return strings.Join(ReadingLines(rs), "; ") }

// WriteReading writes "reading:" and the lines under it, indented, each
// wrapped at spaces to at most MaxReadingWidth characters (a single word
// longer than that is left whole).
func WriteReading(w io.Writer, lines []string) {
	fmt.Fprintln(w, "reading:")
	for _, l := range lines {
		for _, part := range wrap(l, MaxReadingWidth-2, 2) {
			fmt.Fprintln(w, "  "+part)
		}
	}
}

// wrap splits s at spaces into lines of at most width characters, the
// lines after the first indented by indent spaces.
func wrap(s string, width, indent int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
			out = append(out, line)
			line = strings.Repeat(" ", indent) + word
		default:
			line += " " + word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// mixVerb says what a workload mostly does: "writes", "reads" or "runs the
// mix".
func mixVerb(r *bench.Result) string {
	var w, rd float64
	for name, p := range r.Params.Mix {
		if op, ok := workload.OpByName(name); ok && op.IsWrite() {
			w += p
		} else {
			rd += p
		}
	}
	switch {
	case rd == 0:
		return "writes"
	case w == 0:
		return "reads"
	}
	return "runs the mix"
}

// plainVerb is the verb for a plural subject: "write", "read", "run the mix".
func plainVerb(verb string) string {
	switch verb {
	case "writes":
		return "write"
	case "reads":
		return "read"
	}
	return "run the mix"
}

func verbRate(verb string) string {
	if verb == "runs the mix" {
		return "runs"
	}
	return verb
}

// worstP99 is the highest p99 over a phase's operations.
func worstP99(p *bench.Phase) int64 {
	var m int64
	for _, o := range p.ByOp {
		m = max(m, o.Latency.P99)
	}
	return m
}

// p99Comparison compares the p99 of each operation of a mix across engines.
func p99Comparison(rs []*bench.Result) []string {
	var out []string
	for _, o := range rs[0].Run.ByOp {
		var vals []string
		for _, r := range rs {
			if ro := r.Run.Op(o.Op); ro != nil {
				v := fmt.Sprintf("%s %s", r.Label(), formatNanos(float64(ro.Latency.P99)))
				if ro.Buffered {
					v += " (buffered " + bufferedMark + ")"
				}
				vals = append(vals, v)
			}
		}
		if len(vals) > 1 {
			out = append(out, fmt.Sprintf("%s p99 %s", o.Op, strings.Join(vals, " vs ")))
		}
	}
	return out
}

// writeAmpOf is the run phase's write amplification, or the load phase's
// when the run phase wrote nothing.
func writeAmpOf(r *bench.Result) float64 {
	if r.Run.WriteAmp > 0 {
		return r.Run.WriteAmp
	}
	if r.Load != nil {
		return r.Load.WriteAmp
	}
	return 0
}

// ampComparison renders "lsm writes 9.2 bytes per user byte, btree 2.4"
// over the results that have the figure, lowest first.
func ampComparison(verb, unit string, rs []*bench.Result, f func(*bench.Result) float64) string {
	type pair struct {
		label string
		v     float64
	}
	var ps []pair
	for _, r := range rs {
		if v := f(r); v > 0 {
			ps = append(ps, pair{r.Label(), v})
		}
	}
	if len(ps) == 0 {
		return ""
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return cmpDesc(b.v, a.v) })
	var s string
	if verb != "" {
		s = fmt.Sprintf("%s %s %s %s", ps[0].label, verb, formatRatio(ps[0].v), unit)
	} else {
		s = fmt.Sprintf("%s %s", ps[0].label, formatRatio(ps[0].v))
	}
	for _, p := range ps[1:] {
		s += fmt.Sprintf(", %s %s", p.label, formatRatio(p.v))
	}
	return s
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
