package report

import (
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteSweepTable writes one row per sweep point: the swept values, then
// throughput, latency and amplification, the best of each column marked,
// and a one-line reading.
func WriteSweepTable(w io.Writer, results []*bench.Result) error {
	ew := &errWriter{w: w}
	if len(results) == 0 {
		return nil
	}
	keys := sweepKeys(results)
	var engines []string
	for _, r := range results {
		if !slices.Contains(engines, r.Engine) {
			engines = append(engines, r.Engine)
		}
	}
	fmt.Fprintf(ew, "sweep: %s on %s: %s\n", strings.Join(engines, ", "), results[0].Workload, describeParams(results[0]))
	if len(engines) == 1 {
		if s := settingsText(results[0], true); s != "" {
			fmt.Fprintf(ew, "fixed settings: %s\n", s)
		}
	} else {
		var set []string
		for _, e := range engines {
			r := results[slices.IndexFunc(results, func(r *bench.Result) bool { return r.Engine == e })]
			if s := settingsText(r, true); s != "" {
				set = append(set, e+" "+s)
			}
		}
		if len(set) > 0 {
			fmt.Fprintf(ew, "fixed settings: %s\n", strings.Join(set, "; "))
		}
		keys = append([]string{"engine"}, keys...)
	}
	writeDeviceHeader(ew, results)
	writeSteadyHeader(ew, results)
	cols := sweepColumns(results)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s \t", k)
	}
	for _, c := range cols {
		fmt.Fprintf(tw, "%s \t", c.label)
	}
	fmt.Fprintln(tw)
	cells := make([][]string, len(cols))
	for i, c := range cols {
		cells[i], _ = renderRow(c, results)
	}
	for j, r := range results {
		for _, k := range keys {
			if k == "engine" {
				fmt.Fprintf(tw, "%s \t", r.Engine)
				continue
			}
			fmt.Fprintf(tw, "%s \t", r.Sweep[k])
		}
		for i := range cols {
			fmt.Fprintf(tw, "%s\t", cells[i][j])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for _, r := range results {
		if r.Error != "" {
			fmt.Fprintf(ew, "error: %s (figures so far shown)\n", r.Error)
		}
	}
	WriteReading(ew, SweepReadingLines(results))
	return ew.err
}

// sweepColumns are the figures a sweep table shows, those no point has
// left out.
func sweepColumns(rs []*bench.Result) []row {
	all := []row{
		phaseRow("ops/s", "run", +1, formatRate, false, func(p *bench.Phase) float64 { return p.OpsPerSec }),
		phaseRow("p50", "run", -1, formatNanos, false, func(p *bench.Phase) float64 { return float64(medianP50(p)) }),
		phaseRow("p99", "run", -1, formatNanos, false, func(p *bench.Phase) float64 { return float64(worstP99(p)) }),
		phaseRow("ops/s dev", "run", +1, formatRate, false, func(p *bench.Phase) float64 {
			if p.Device == nil {
				return 0
			}
			return p.Device.OpsPerSec
		}),
		phaseRow("p99 dev", "run", -1, formatNanos, false, func(p *bench.Phase) float64 { return float64(worstDeviceP99(p)) }),
		phaseRow("write amp", "run", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.WriteAmp }),
		modelRow("model", "run", func(p *bench.Phase) float64 { return p.WriteAmp }, func(m *bench.Model) float64 { return m.WriteAmp }),
		phaseRow("load write amp", "load", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.WriteAmp }),
		modelRow("model", "load", func(p *bench.Phase) float64 { return p.WriteAmp }, func(m *bench.Model) float64 { return m.WriteAmp }),
		phaseRow("read amp", "run", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.ReadAmp }),
		phaseRow("blocks/get", "run", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.BlocksPerGet }),
		modelRow("model", "run", func(p *bench.Phase) float64 { return p.BlocksPerGet }, func(m *bench.Model) float64 { return m.BlocksPerGet }),
		phaseRow("space amp", "run", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.SpaceAmp }),
		modelRow("model", "run", func(p *bench.Phase) float64 { return p.SpaceAmp }, func(m *bench.Model) float64 { return m.SpaceAmp }),
		phaseRow("disk", "run", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.DiskBytes) }),
		structRow("levels", "", 0, formatCount, func(p *bench.Phase) bool { return p.Stats.LSM != nil }, func(p *bench.Phase) float64 { return float64(levelsOf(p)) }),
		structRow("compactions", "", 0, formatCount, func(p *bench.Phase) bool { return p.Stats.LSM != nil && p.Background != nil },
			func(p *bench.Phase) float64 { return float64(p.Background.Compactions) }),
		structRow("checkpoints", "", 0, formatCount, func(p *bench.Phase) bool { return p.Stats.BTree != nil && p.Background != nil },
			func(p *bench.Phase) float64 { return float64(p.Background.Checkpoints) }),
		phaseRow("peak RSS", "run", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.PeakRSS) }),
		phaseRow("  private (not mapped files)", "run", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.PeakPrivateRSS) }),
	}
	var out []row
	for _, c := range all {
		if _, ok := renderRow(c, rs); ok {
			out = append(out, c)
		}
	}
	return out
}

// medianP50 is the p50 of the phase's most frequent operation.
func medianP50(p *bench.Phase) int64 {
	var best bench.OpResult
	for _, o := range p.ByOp {
		if o.Count > best.Count {
			best = o
		}
	}
	return best.Latency.P50
}

// sweepKeys returns the swept option names, in a stable order.
func sweepKeys(rs []*bench.Result) []string {
	seen := map[string]bool{}
	var keys []string
	for _, r := range rs {
		for _, k := range slices.Sorted(maps.Keys(r.Sweep)) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// SweepReading returns the reading of a sweep in one line: the lines of
// SweepReadingLines joined by "; ".
func SweepReading(rs []*bench.Result) string { return strings.Join(SweepReadingLines(rs), "; ") }

// SweepReadingLines returns the reading of a sweep in a few short lines:
// where throughput peaks and how each amplification moves across the
// points, beside the cost model's.
func SweepReadingLines(rs []*bench.Result) []string {
	var ok []*bench.Result
	for _, r := range rs {
		if r.Run != nil && r.Run.Ops > 0 {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		return []string{"no point measured anything"}
	}
	gap := sweepModelGap(ok)
	if enginesShareAPoint(ok) {
		lines := crossoverLines(ok)
		if gap != "" {
			lines = append(lines, "caveat: "+gap)
		}
		return lines
	}
	point := func(r *bench.Result) string {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(r.Sweep)) {
			_, opt, _ := strings.Cut(k, ".")
			parts = append(parts, opt+"="+r.Sweep[k])
		}
		return strings.Join(parts, " ")
	}
	best, worst := ok[0], ok[0]
	for _, r := range ok {
		if r.Run.OpsPerSec > best.Run.OpsPerSec {
			best = r
		}
		if r.Run.OpsPerSec < worst.Run.OpsPerSec {
			worst = r
		}
	}
	parts := []string{fmt.Sprintf("throughput peaks at %s (%s ops/s, %s the slowest point %s)",
		point(best), formatRate(best.Run.OpsPerSec), formatTimes(best.Run.OpsPerSec/worst.Run.OpsPerSec), point(worst))}
	span := func(name string, f func(*bench.Result) float64, model func(*bench.Result) float64) {
		lo, hi := ok[0], ok[0]
		for _, r := range ok {
			if f(r) < f(lo) {
				lo = r
			}
			if f(r) > f(hi) {
				hi = r
			}
		}
		if f(hi) < 0.01 || formatRatio(f(lo)) == formatRatio(f(hi)) {
			return
		}
		s := fmt.Sprintf("%s from %s at %s to %s at %s", name, formatRatio(f(lo)), point(lo), formatRatio(f(hi)), point(hi))
		if model != nil && model(lo) > 0 && model(hi) > 0 {
			s += fmt.Sprintf(" (model %s and %s)", formatRatio(model(lo)), formatRatio(model(hi)))
		}
		parts = append(parts, s)
	}
	span("write amp", func(r *bench.Result) float64 { return writeAmpOf(r) }, func(r *bench.Result) float64 {
		if m := writeModelOf(r); m != nil {
			return m.WriteAmp
		}
		return 0
	})
	span("read amp", func(r *bench.Result) float64 { return r.Run.ReadAmp }, nil)
	span("blocks per get", func(r *bench.Result) float64 { return r.Run.BlocksPerGet }, func(r *bench.Result) float64 {
		if m := r.Run.Model; m != nil && r.Run.BlocksPerGet > 0 {
			return m.BlocksPerGet
		}
		return 0
	})
	span("space amp", func(r *bench.Result) float64 { return r.Run.SpaceAmp }, func(r *bench.Result) float64 {
		if m := r.Run.Model; m != nil && r.Run.SpaceAmp > 0 {
			return m.SpaceAmp
		}
		return 0
	})
	if gap != "" {
		parts = append(parts, "caveat: "+gap)
	}
	return parts
}

// levelsOf returns the LSM levels below L0 holding tables at the end of
// the phase.
func levelsOf(p *bench.Phase) int {
	n := 0
	for _, l := range p.Stats.LSM.Levels {
		if l.Level > 0 && l.Files > 0 {
			n++
		}
	}
	return n
}

// worstDeviceP99 is the highest modelled p99 on a simulated device of the
// phase's operation kinds (0 without a device).
func worstDeviceP99(p *bench.Phase) int64 {
	var w int64
	if p.Device != nil {
		for _, o := range p.Device.ByOp {
			w = max(w, o.Latency.P99)
		}
	}
	return w
}

// enginesShareAPoint reports whether several engines ran at one sweep
// point: a sweep of engines against each other (--mix), whose reading is
// where one overtakes another.
func enginesShareAPoint(rs []*bench.Result) bool {
	at := map[string]string{}
	for _, r := range rs {
		k := fmt.Sprint(r.Sweep)
		if e, ok := at[k]; ok && e != r.Engine {
			return true
		}
		at[k] = r.Engine
	}
	return false
}
