package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/kvlab/kvlab/bench"
)

var percentiles = []string{"p50", "p95", "p99", "p99.9", "max"}

func latencyPoints(l bench.Latency) []float64 {
	return []float64{float64(l.P50), float64(l.P95), float64(l.P99), float64(l.P999), float64(l.Max)}
}

// latencyPanel draws one workload's latency percentiles, a line per engine
// and operation kind, on a logarithmic axis in microseconds.
func latencyPanel(g *grid, workload string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Latency: " + workload
	p.Y.Label.Text = "microseconds (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(percentiles...)
	lo, hi := math.Inf(1), 0.0
	lines := 0
	for _, e := range g.engines {
		r := g.at[[2]string{workload, e}]
		if r == nil {
			continue
		}
		for k, o := range r.Run.ByOp {
			var xys plotter.XYs
			for i, v := range latencyPoints(o.Latency) {
				us := math.Max(v/1e3, 0.001)
				xys = append(xys, plotter.XY{X: float64(i), Y: us})
				lo, hi = math.Min(lo, us), math.Max(hi, us)
			}
			l, s, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			l.Color = g.engineColor(e)
			l.Width = vg.Points(1.5)
			l.Dashes = plotutil.Dashes(k)
			s.Color = l.Color
			s.Shape = plotutil.Shape(k)
			s.Radius = vg.Points(2.5)
			p.Add(l, s)
			name := e
			if len(r.Run.ByOp) > 1 {
				name += " " + o.Op
			}
			p.Legend.Add(name, l, s)
			lines++
		}
	}
	if lines == 0 {
		return nil, nil
	}
	p.Y.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	p.Y.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return p, nil
}
