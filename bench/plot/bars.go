package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/kvlab/kvlab/bench"
)

// grid indexes results by workload and engine, each in order of first
// appearance.
type grid struct {
	workloads, engines []string
	at                 map[[2]string]*bench.Result
}

func newGrid(rs []*bench.Result) *grid {
	g := &grid{at: map[[2]string]*bench.Result{}}
	seenW, seenE := map[string]bool{}, map[string]bool{}
	reps := map[[2]string][]*bench.Result{}
	for _, r := range rs {
		if !seenW[r.Workload] {
			seenW[r.Workload] = true
			g.workloads = append(g.workloads, r.Workload)
		}
		if !seenE[r.Engine] {
			seenE[r.Engine] = true
			g.engines = append(g.engines, r.Engine)
		}
		k := [2]string{r.Workload, r.Engine}
		reps[k] = append(reps[k], r)
	}
	for k, rs := range reps {
		g.at[k] = medianRun(rs)
	}
	return g
}

// medianRun returns, of the repetitions of one engine and workload
// (--count), the one with the median run-phase throughput, as the
// table's figures are medians.
func medianRun(rs []*bench.Result) *bench.Result {
	s := slices.Clone(rs)
	slices.SortStableFunc(s, func(a, b *bench.Result) int { return cmp.Compare(a.Run.OpsPerSec, b.Run.OpsPerSec) })
	return s[(len(s)-1)/2]
}

// engineColor gives each engine the same color in every chart.
func (g *grid) engineColor(engine string) color.Color {
	for i, e := range g.engines {
		if e == engine {
			return plotutil.Color(i)
		}
	}
	return color.Black
}

// benchPanels are the charts of a side-by-side benchmark: throughput, the
// amplifications that any engine has, and latency percentiles per workload.
func benchPanels(rs []*bench.Result, o Options) ([]*plot.Plot, error) {
	g := newGrid(rs)
	var panels []*plot.Plot
	add := func(p *plot.Plot, err error) error {
		if err != nil {
			return err
		}
		if p != nil {
			panels = append(panels, p)
		}
		return nil
	}
	// model, where set, is the cost model's prediction of the figure, marked
	// across each bar.
	charts := []struct {
		title, ylabel string
		value, model  func(*bench.Result) float64
		label         func(float64) string
	}{
		{"Throughput (run phase)", "operations per second", func(r *bench.Result) float64 { return r.Run.OpsPerSec }, nil, rate},
		{"Write amplification (run phase, else load)", "file bytes written per user byte", writeAmp, modelWriteAmp, ratio},
		{"Read amplification", "file bytes read per byte returned", readAmp, nil, ratio},
		{"Space amplification", "disk bytes per live byte", func(r *bench.Result) float64 { return r.Run.SpaceAmp },
			runModel(func(p *bench.Phase) float64 { return p.SpaceAmp }, func(m *bench.Model) float64 { return m.SpaceAmp }), ratio},
		{"Blocks or pages touched per Get", "blocks per get", func(r *bench.Result) float64 { return r.Run.BlocksPerGet },
			runModel(func(p *bench.Phase) float64 { return p.BlocksPerGet }, func(m *bench.Model) float64 { return m.BlocksPerGet }), ratio},
	}
	for _, c := range charts {
		if err := add(barPanel(g, c.title, c.ylabel, c.value, c.model, c.label, o)); err != nil {
			return nil, err
		}
	}
	for _, w := range g.workloads {
		if err := add(latencyPanel(g, w)); err != nil {
			return nil, err
		}
	}
	return panels, nil
}

// readAmp is the run phase's read amplification, 0 below 0.01: reads
// served from memory leave nothing worth a chart.
func readAmp(r *bench.Result) float64 {
	if r.Run.ReadAmp < 0.01 {
		return 0
	}
	return r.Run.ReadAmp
}

// writeAmp is the run phase's write amplification, or the load phase's
// when the run phase wrote nothing.
func writeAmp(r *bench.Result) float64 {
	if r.Run.WriteAmp > 0 || r.Load == nil {
		return r.Run.WriteAmp
	}
	return r.Load.WriteAmp
}

// barPanel draws a grouped bar chart: a group per workload, a bar per
// engine, and where model is set and gives a figure, a dashed black mark
// across the bar at the cost model's prediction. Engines without the figure
// anywhere are left out; nil when no engine has it.
func barPanel(g *grid, title, ylabel string, value, model func(*bench.Result) float64, label func(float64) string, o Options) (*plot.Plot, error) {
	var engines []string
	for _, e := range g.engines {
		for _, w := range g.workloads {
			if r := g.at[[2]string{w, e}]; r != nil && value(r) > 0 {
				engines = append(engines, e)
				break
			}
		}
	}
	if len(engines) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.Y.Tick.Marker = humanTicks{}
	p.Legend.Top = true
	p.Legend.Left = false
	groupWidth := (o.PanelWidth - vg.Inch) / vg.Length(len(g.workloads))
	barWidth := groupWidth * 0.8 / vg.Length(len(engines))
	if barWidth > vg.Points(40) {
		barWidth = vg.Points(40)
	}
	maxV, minV := 0.0, 0.0
	var marks *modelMarks
	for i, e := range engines {
		vals := make(plotter.Values, len(g.workloads))
		var xys plotter.XYs
		var texts []string
		offset := barWidth * (vg.Length(i) - vg.Length(len(engines)-1)/2)
		for j, w := range g.workloads {
			if r := g.at[[2]string{w, e}]; r != nil {
				vals[j] = value(r)
				maxV = max(maxV, vals[j])
				if vals[j] > 0 {
					minV = positiveMin(minV, vals[j])
					xys = append(xys, plotter.XY{X: float64(j), Y: vals[j]})
					texts = append(texts, label(vals[j]))
				}
				if model == nil || vals[j] == 0 {
					continue
				}
				if m := model(r); m > 0 {
					if marks == nil {
						marks = &modelMarks{width: barWidth}
					}
					marks.marks = append(marks.marks, modelMark{x: float64(j), y: m, offset: offset})
					maxV, minV = max(maxV, m), positiveMin(minV, m)
				}
			}
		}
		bars := &barSeries{vals: vals, width: barWidth, offset: offset, color: g.engineColor(e)}
		p.Add(bars)
		p.Legend.Add(e, bars)
		if err := addValueLabels(p, xys, texts, offset); err != nil {
			return nil, err
		}
	}
	if marks != nil {
		p.Add(marks)
		p.Legend.Add("model", marks)
	}
	p.Y.Max = maxV * 1.15 // room for the value labels; the legend has its own band
	if minV > 0 && maxV/minV > 10 {
		// Values spanning more than 10×: a logarithmic axis, the bars
		// rising from its bottom.
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = minV/2, maxV*2
		p.Y.Label.Text += " (log scale)"
	}
	p.NominalX(g.workloads...)
	return p, nil
}

// addValueLabels writes each bar's value in small type above it.
func addValueLabels(p *plot.Plot, xys plotter.XYs, texts []string, offset vg.Length) error {
	if len(xys) == 0 {
		return nil
	}
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	for k := range lbl.TextStyle {
		lbl.TextStyle[k].Font.Size = vg.Points(7)
		lbl.TextStyle[k].XAlign = draw.XCenter
	}
	lbl.Offset = vg.Point{X: offset, Y: vg.Points(2)}
	p.Add(lbl)
	return nil
}

// positiveMin returns the smaller of a running minimum m (0: none yet)
// and a positive v.
func positiveMin(m, v float64) float64 {
	if m == 0 || v < m {
		return v
	}
	return m
}

// barSeries draws one engine's bars, a bar per workload, from the bottom
// of the data area (so that a logarithmic axis, which has no zero, draws
// them too), and its legend thumbnail.
type barSeries struct {
	vals   []float64
	width  vg.Length
	offset vg.Length
	color  color.Color
}

// Plot implements plot.Plotter.
func (b *barSeries) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	c.SetColor(b.color)
	for i, v := range b.vals {
		if v <= 0 {
			continue
		}
		x := trX(float64(i)) + b.offset
		r := vg.Rectangle{Min: vg.Point{X: x - b.width/2, Y: c.Min.Y}, Max: vg.Point{X: x + b.width/2, Y: trY(v)}}
		c.Fill(r.Path())
	}
}

// DataRange implements plot.DataRanger: the workloads' indexes, and the
// values.
func (b *barSeries) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = -0.5, float64(len(b.vals))-0.5
	for _, v := range b.vals {
		if v > 0 {
			ymin, ymax = positiveMin(ymin, v), max(ymax, v)
		}
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer, for the legend.
func (b *barSeries) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.color)
	c.Fill(c.Rectangle.Path())
}

// modelMark is the cost model's prediction for one bar: workload index x,
// the predicted value y, and the bar's offset from the group's centre.
type modelMark struct {
	x, y   float64
	offset vg.Length
}

// modelMarks draws a dashed black line across each bar at the model's
// prediction (plot.Plotter), and its legend thumbnail.
type modelMarks struct {
	marks []modelMark
	width vg.Length
}

var modelStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(2), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}

// Plot implements plot.Plotter.
func (m *modelMarks) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for _, k := range m.marks {
		x, y := trX(k.x)+k.offset, trY(k.y)
		c.StrokeLine2(modelStyle, x-m.width/2, y, x+m.width/2, y)
	}
}

// Thumbnail implements plot.Thumbnailer, for the legend.
func (m *modelMarks) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(modelStyle, c.Min.X, y, c.Max.X, y)
}

// writeAmpTitle says which phase a write amplification chart shows.
func writeAmpTitle(rs []*bench.Result) string {
	for _, r := range rs {
		if r.Run.WriteAmp > 0 {
			return "Write amplification"
		}
	}
	return "Write amplification (load phase)"
}
