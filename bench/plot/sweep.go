package plot

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/internal/units"
)

// sweepAxes picks the swept option to put on the x axis (the one with the
// most values) and the one, if any, that tells the lines apart.
func sweepAxes(rs []*bench.Result) (x, series string) {
	distinct := map[string]map[string]bool{}
	for _, r := range rs {
		for k, v := range r.Sweep {
			if distinct[k] == nil {
				distinct[k] = map[string]bool{}
			}
			distinct[k][v] = true
		}
	}
	keys := make([]string, 0, len(distinct))
	for k := range distinct {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.SortStableFunc(keys, func(a, b string) int { return len(distinct[b]) - len(distinct[a]) })
	x = keys[0]
	if len(keys) > 1 {
		series = keys[1]
	}
	return x, series
}

// numeric parses a swept value as a number or a size ("4KiB").
func numeric(s string) (float64, bool) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, true
	}
	if v, err := units.ParseSize(s); err == nil {
		return float64(v), true
	}
	return 0, false
}

// sweepPanels draws each figure of a sweep against the swept option: a
// line per value of a second swept option (and per engine and workload).
func sweepPanels(rs []*bench.Result) ([]*plot.Plot, error) {
	xKey, seriesKey := sweepAxes(rs)
	var xs []string
	allNumeric := true
	for _, r := range rs {
		v := r.Sweep[xKey]
		if !slices.Contains(xs, v) {
			xs = append(xs, v)
			if _, ok := numeric(v); !ok {
				allNumeric = false
			}
		}
	}
	logX := false
	if allNumeric {
		slices.SortFunc(xs, func(a, b string) int {
			x, _ := numeric(a)
			y, _ := numeric(b)
			return cmp.Compare(x, y)
		})
		lo, _ := numeric(xs[0])
		hi, _ := numeric(xs[len(xs)-1])
		logX = lo > 0 && hi/lo >= 16
	}
	xOf := func(v string) float64 {
		if !allNumeric {
			return float64(slices.Index(xs, v))
		}
		f, _ := numeric(v)
		return f
	}
	type series struct {
		name string
		rs   []*bench.Result
	}
	var ss []series
	several := func(f func(*bench.Result) string) bool {
		return slices.ContainsFunc(rs, func(r *bench.Result) bool { return f(r) != f(rs[0]) })
	}
	manyEngines := several(func(r *bench.Result) string { return r.Engine })
	manyWorkloads := several(func(r *bench.Result) string { return r.Workload })
	for _, r := range rs {
		var parts []string
		if manyEngines {
			parts = append(parts, r.Engine)
		}
		if manyWorkloads {
			parts = append(parts, r.Workload)
		}
		if seriesKey != "" {
			parts = append(parts, seriesKey+"="+r.Sweep[seriesKey])
		}
		name := strings.Join(parts, " ")
		i := slices.IndexFunc(ss, func(s series) bool { return s.name == name })
		if i < 0 {
			ss = append(ss, series{name: name})
			i = len(ss) - 1
		}
		ss[i].rs = append(ss[i].rs, r)
	}
	figures := []struct {
		title, ylabel string
		f             func(*bench.Result) float64
		log           bool
	}{
		{"Throughput", "operations per second", func(r *bench.Result) float64 { return r.Run.OpsPerSec }, false},
		{"p99 latency", "microseconds", func(r *bench.Result) float64 { return float64(worstP99(r.Run)) / 1e3 }, false},
		{writeAmpTitle(rs), "file bytes written per user byte", writeAmp, false},
		{"Read amplification", "file bytes read per byte returned", readAmp, false},
		{"Blocks or pages touched per Get", "blocks per get", func(r *bench.Result) float64 { return r.Run.BlocksPerGet }, false},
		{"Space amplification", "disk bytes per live byte", func(r *bench.Result) float64 { return r.Run.SpaceAmp }, false},
	}
	var panels []*plot.Plot
	for _, fig := range figures {
		if !slices.ContainsFunc(rs, func(r *bench.Result) bool { return fig.f(r) > 0 }) {
			continue
		}
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s vs %s (%s)", fig.title, xKey, rs[0].Workload)
		if manyWorkloads {
			p.Title.Text = fmt.Sprintf("%s vs %s", fig.title, xKey)
		}
		p.X.Label.Text = xKey
		p.Y.Label.Text = fig.ylabel
		p.Y.Min = 0
		p.Y.Tick.Marker = humanTicks{}
		p.Legend.Top = true
		if logX {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = valueTicks{xs: xs, xOf: xOf}
		} else if !allNumeric {
			p.NominalX(xs...)
		} else {
			p.X.Tick.Marker = valueTicks{xs: xs, xOf: xOf}
		}
		maxY := 0.0
		for k, s := range ss {
			var xys plotter.XYs
			for _, x := range xs {
				for _, r := range s.rs {
					if r.Sweep[xKey] == x {
						y := fig.f(r)
						xys = append(xys, plotter.XY{X: xOf(x), Y: y})
						maxY = max(maxY, y)
					}
				}
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			l.Color = plotutil.Color(k)
			l.Width = vg.Points(1.5)
			pts.Color = l.Color
			pts.Shape = plotutil.Shape(k)
			pts.Radius = vg.Points(3)
			p.Add(l, pts)
			if s.name != "" {
				p.Legend.Add(s.name, l, pts)
			}
		}
		p.Y.Max = maxY * 1.15
		if len(ss) > 1 {
			p.Y.Max = maxY * (1.1 + 0.08*float64(len(ss)))
		}
		panels = append(panels, p)
	}
	return panels, nil
}

// worstP99 is the highest p99 over a phase's operations, in nanoseconds.
func worstP99(p *bench.Phase) int64 {
	var m int64
	for _, o := range p.ByOp {
		m = max(m, o.Latency.P99)
	}
	return m
}

// valueTicks puts a labelled tick at each swept value, as it was written.
type valueTicks struct {
	xs  []string
	xOf func(string) float64
}

func (t valueTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, x := range t.xs {
		ticks = append(ticks, plot.Tick{Value: t.xOf(x), Label: x})
	}
	return ticks
}
