package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// SweepAxis is one engine option varied over a list of values.
type SweepAxis struct {
	Engine, Option string
	Values         []string
}

// Key returns "engine.option".
func (a SweepAxis) Key() string { return a.Engine + "." + a.Option }

// ParseSweepAxis parses "lsm.bloom-bits=0,2,5,10,20". A single value is an
// axis of one point (a fixed setting). Errors match ErrConfig.
func ParseSweepAxis(s string) (SweepAxis, error) {
	name, list, ok := strings.Cut(s, "=")
	engine, opt, ok2 := strings.Cut(name, ".")
	if !ok || !ok2 || engine == "" || opt == "" {
		return SweepAxis{}, configErrorf("bad --set %q: want ENGINE.NAME=V1,V2,..., e.g. lsm.bloom-bits=0,5,10", s)
	}
	var vals []string
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return SweepAxis{}, configErrorf("--set %q: empty value in the list", s)
		}
		vals = append(vals, v)
	}
	return SweepAxis{Engine: engine, Option: opt, Values: vals}, nil
}

// SweepPoints returns every combination of the axes' values, the first
// axis varying slowest, each as "engine.option" -> value.
func SweepPoints(axes []SweepAxis) []map[string]string {
	points := []map[string]string{{}}
	for _, a := range axes {
		var next []map[string]string
		for _, p := range points {
			for _, v := range a.Values {
				q := make(map[string]string, len(p)+1)
				for k, x := range p {
					q[k] = x
				}
				q[a.Key()] = v
				next = append(next, q)
			}
		}
		points = next
	}
	return points
}

// WriteSweepTable writes one row per sweep point: the swept values, then
// throughput, latency and amplification, the best of each column marked,
// and a one-line reading.
func WriteSweepTable(w io.Writer, results []*Result) error {
	ew := &errWriter{w: w}
	if len(results) == 0 {
		return nil
	}
	keys := sweepKeys(results)
	fmt.Fprintf(ew, "sweep: %s on %s: %s\n", results[0].Engine, results[0].Workload, describeParams(results[0]))
	if s := settingsText(results[0], true); s != "" {
		fmt.Fprintf(ew, "fixed settings: %s\n", s)
	}
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
	fmt.Fprintf(ew, "reading: %s\n", SweepReading(results))
	return ew.err
}

// sweepColumns are the figures a sweep table shows, those no point has
// left out.
func sweepColumns(rs []*Result) []row {
	all := []row{
		phaseRow("ops/s", "run", +1, formatRate, false, func(p *Phase) float64 { return p.OpsPerSec }),
		phaseRow("p50", "run", -1, formatNanos, false, func(p *Phase) float64 { return float64(medianP50(p)) }),
		phaseRow("p99", "run", -1, formatNanos, false, func(p *Phase) float64 { return float64(worstP99(p)) }),
		phaseRow("write amp", "run", -1, formatRatio, false, func(p *Phase) float64 { return p.WriteAmp }),
		modelRow("model", "run", func(p *Phase) float64 { return p.WriteAmp }, func(m *Model) float64 { return m.WriteAmp }),
		phaseRow("load write amp", "load", -1, formatRatio, false, func(p *Phase) float64 { return p.WriteAmp }),
		modelRow("model", "load", func(p *Phase) float64 { return p.WriteAmp }, func(m *Model) float64 { return m.WriteAmp }),
		phaseRow("read amp", "run", -1, formatRatio, false, func(p *Phase) float64 { return p.ReadAmp }),
		phaseRow("blocks/get", "run", -1, formatRatio, false, func(p *Phase) float64 { return p.BlocksPerGet }),
		modelRow("model", "run", func(p *Phase) float64 { return p.BlocksPerGet }, func(m *Model) float64 { return m.BlocksPerGet }),
		phaseRow("space amp", "run", -1, formatRatio, false, func(p *Phase) float64 { return p.SpaceAmp }),
		modelRow("model", "run", func(p *Phase) float64 { return p.SpaceAmp }, func(m *Model) float64 { return m.SpaceAmp }),
		phaseRow("disk", "run", -1, formatBytes, false, func(p *Phase) float64 { return float64(p.DiskBytes) }),
		phaseRow("peak RSS", "run", -1, formatBytes, false, func(p *Phase) float64 { return float64(p.PeakRSS) }),
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
func medianP50(p *Phase) int64 {
	var best OpResult
	for _, o := range p.ByOp {
		if o.Count > best.Count {
			best = o
		}
	}
	return best.Latency.P50
}

// sweepKeys returns the swept option names, in a stable order.
func sweepKeys(rs []*Result) []string {
	seen := map[string]bool{}
	var keys []string
	for _, r := range rs {
		for _, k := range sortedKeys(r.Sweep) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// SweepReading returns a one-line reading of a sweep: where throughput
// peaks and how each amplification moves across the points.
func SweepReading(rs []*Result) string {
	var ok []*Result
	for _, r := range rs {
		if r.Run != nil && r.Run.Ops > 0 {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		return "no point measured anything"
	}
	point := func(r *Result) string {
		var parts []string
		for _, k := range sortedKeys(r.Sweep) {
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
	span := func(name string, f func(*Result) float64, model func(*Result) float64) {
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
	span("write amp", func(r *Result) float64 { return writeAmpOf(r) }, func(r *Result) float64 {
		if m := writeModelOf(r); m != nil {
			return m.WriteAmp
		}
		return 0
	})
	span("read amp", func(r *Result) float64 { return r.Run.ReadAmp }, nil)
	span("blocks per get", func(r *Result) float64 { return r.Run.BlocksPerGet }, func(r *Result) float64 {
		if m := r.Run.Model; m != nil && r.Run.BlocksPerGet > 0 {
			return m.BlocksPerGet
		}
		return 0
	})
	span("space amp", func(r *Result) float64 { return r.Run.SpaceAmp }, func(r *Result) float64 {
		if m := r.Run.Model; m != nil && r.Run.SpaceAmp > 0 {
			return m.SpaceAmp
		}
		return 0
	})
	if s := sweepModelGap(ok); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
