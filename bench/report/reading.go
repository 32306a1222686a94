package report

import (
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
	"slices"
	"strings"
)

// Reading returns a one-line reading of one workload's results, e.g.
// "lsm writes 3.1× faster than btree (412k vs 133k ops/s); lsm writes 9.2
// bytes per user byte, btree 2.4; space amp lsm 1.10, btree 1.62". A
// non-persistent engine is read as the no-I/O baseline.
func Reading(rs []*bench.Result) string {
	var persistent, baseline, failed []*bench.Result
	for _, r := range rs {
		switch {
		case r.Error != "" || r.Run == nil || r.Run.Ops == 0:
			failed = append(failed, r)
		case r.Persistent:
			persistent = append(persistent, r)
		default:
			baseline = append(baseline, r)
		}
	}
	slices.SortStableFunc(persistent, func(a, b *bench.Result) int { return cmpDesc(a.Run.OpsPerSec, b.Run.OpsPerSec) })
	var parts []string
	verb := mixVerb(rs[0])
	switch len(persistent) {
	case 0:
	case 1:
		a := persistent[0]
		parts = append(parts, fmt.Sprintf("%s %s %s ops/s (p99 %s)", a.Label(), verbRate(verb), formatRate(a.Run.OpsPerSec), formatNanos(float64(worstP99(a.Run)))))
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
		parts = append(parts, s)
		if verb == "runs the mix" {
			parts = append(parts, p99Comparison(persistent)...)
		}
	}
	if s := ampComparison("writes", "bytes per user byte", persistent, func(r *bench.Result) float64 { return writeAmpOf(r) }); s != "" {
		parts = append(parts, s)
	}
	if s := ampComparison("reads", "file bytes per byte returned", persistent, func(r *bench.Result) float64 {
		if r.Run.ReadAmp < 0.01 {
			return 0 // served from memory: nothing to compare
		}
		return r.Run.ReadAmp
	}); s != "" {
		parts = append(parts, s)
	}
	if s := ampComparison("", "", persistent, func(r *bench.Result) float64 { return r.Run.SpaceAmp }); s != "" {
		parts = append(parts, "space amp "+s)
	}
	parts = append(parts, modelReading(persistent)...)
	for _, r := range baseline {
		s := fmt.Sprintf("%s (no-I/O baseline) %s ops/s", r.Label(), formatRate(r.Run.OpsPerSec))
		if len(persistent) > 0 && persistent[0].Run.OpsPerSec > 0 {
			s += fmt.Sprintf(" = %s %s", formatTimes(r.Run.OpsPerSec/persistent[0].Run.OpsPerSec), persistent[0].Label())
		} else {
			s += fmt.Sprintf(", p99 %s", formatNanos(float64(worstP99(r.Run))))
		}
		parts = append(parts, s)
	}
	if len(baseline) > 0 && len(persistent) == 0 {
		parts = append(parts, "no persistent engine ran to compare with")
	}
	for _, r := range failed {
		if r.Error != "" {
			parts = append(parts, fmt.Sprintf("%s failed: see the error above", r.Label()))
		} else {
			parts = append(parts, fmt.Sprintf("%s measured nothing", r.Label()))
		}
	}
	if len(parts) == 0 {
		return "no results"
	}
	return strings.Join(parts, "; ")
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
				vals = append(vals, fmt.Sprintf("%s %s", r.Label(), formatNanos(float64(ro.Latency.P99))))
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
