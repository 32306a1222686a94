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
		logX = lo > 0 && hi/lo > 10
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
	// model, where set, is the cost model's prediction of the figure,
	// drawn dashed beside the measured line.
	figures := []struct {
		title, ylabel string
		f             func(*bench.Result) float64
		model         func(*bench.Result) float64
	}{
		{"Throughput on the simulated device", "modelled operations per second", func(r *bench.Result) float64 {
			if r.Run.Device == nil {
				return 0
			}
			return r.Run.Device.OpsPerSec
		}, nil},
		{"p99 latency on the simulated device", "modelled microseconds", func(r *bench.Result) float64 {
			var w int64
			if d := r.Run.Device; d != nil {
				for _, o := range d.ByOp {
					w = max(w, o.Latency.P99)
				}
			}
			return float64(w) / 1e3
		}, nil},
		{"Throughput", "operations per second", func(r *bench.Result) float64 { return r.Run.OpsPerSec }, nil},
		{"p99 latency", "microseconds", func(r *bench.Result) float64 { return float64(worstP99(r.Run)) / 1e3 }, nil},
		{writeAmpTitle(rs), "file bytes written per user byte", writeAmp, modelWriteAmp},
		{"Read amplification", "file bytes read per byte returned", readAmp, nil},
		{"Blocks or pages touched per Get", "blocks per get", func(r *bench.Result) float64 { return r.Run.BlocksPerGet },
			runModel(func(p *bench.Phase) float64 { return p.BlocksPerGet }, func(m *bench.Model) float64 { return m.BlocksPerGet })},
		{"Space amplification", "disk bytes per live byte", func(r *bench.Result) float64 { return r.Run.SpaceAmp },
			runModel(func(p *bench.Phase) float64 { return p.SpaceAmp }, func(m *bench.Model) float64 { return m.SpaceAmp })},
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
		maxY, minY := 0.0, 0.0
		points := func(s series, f func(*bench.Result) float64) plotter.XYs {
			var xys plotter.XYs
			for _, x := range xs {
				var at []*bench.Result // the repetitions (--count) at x
				for _, r := range s.rs {
					if r.Sweep[xKey] == x {
						at = append(at, r)
					}
				}
				if len(at) == 0 {
					continue
				}
				if y := f(medianRun(at)); y > 0 {
					xys = append(xys, plotter.XY{X: xOf(x), Y: y})
					maxY = max(maxY, y)
					if minY == 0 || y < minY {
						minY = y
					}
				}
			}
			return xys
		}
		for k, s := range ss {
			xys := points(s, fig.f)
			if len(xys) == 0 {
				continue
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
			name := s.name
			if fig.model != nil {
				if mxys := points(s, fig.model); len(mxys) > 0 {
					ml, err := plotter.NewLine(mxys)
					if err != nil {
						return nil, fmt.Errorf("plot: %w", err)
					}
					ml.Color = l.Color
					ml.Width = vg.Points(1.5)
					ml.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
					p.Add(ml)
					p.Legend.Add(strings.TrimSpace(name+" model"), ml)
					name = strings.TrimSpace(name + " measured")
				}
			}
			if name != "" {
				p.Legend.Add(name, l, pts)
			}
		}
		p.Y.Max = maxY * 1.1 // the legend has its own band
		if minY > 0 && maxY/minY > 10 {
			// Values spanning more than 10×: a logarithmic axis.
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = logTicks{}
			p.Y.Min = minY / 1.5
			p.Y.Max = maxY * 1.5
			p.Y.Label.Text += " (log scale)"
		}
		panels = append(panels, p)
	}
	return panels, nil
}

// modelWriteAmp is the cost model's prediction of writeAmp (0 without a
// model).
func modelWriteAmp(r *bench.Result) float64 {
	p := r.Run
	if p.WriteAmp == 0 && r.Load != nil {
		p = r.Load
	}
	if p.Model == nil || p.WriteAmp == 0 {
		return 0
	}
	return p.Model.WriteAmp
}

// runModel returns the run phase's model prediction of a figure, where the
// figure was measured.
func runModel(measured func(*bench.Phase) float64, f func(*bench.Model) float64) func(*bench.Result) float64 {
	return func(r *bench.Result) float64 {
		if r.Run.Model == nil || measured(r.Run) == 0 {
			return 0
		}
		return f(r.Run.Model)
	}
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
