package plot

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/timeline"
)

// timelinePanels draws, for each result that carries a timeline
// (bench.Config.Timeline), the engine's shape over time: for an LSM the
// bytes in each level and the memtables, stacked, for a B+tree its pages
// by type, stacked; beneath the curves, in a band of their own at the top
// of the chart, the flushes, compactions, checkpoints and write stalls as
// they ran, and the phases' starts as dashed lines.
func timelinePanels(rs []*bench.Result) ([]panel, error) {
	var panels []panel
	for _, r := range rs {
		tl := r.Timeline
		if tl == nil || len(tl.Samples) == 0 {
			continue
		}
		p, err := timelinePlot(r, tl)
		if err != nil {
			return nil, err
		}
		if p != nil {
			panels = append(panels, p.panelFor(r, tl))
		}
	}
	return panels, nil
}

// shapePlot is a timeline chart and what its subtitle says.
type shapePlot struct {
	*plot.Plot
	summary string
}

func (p *shapePlot) panelFor(r *bench.Result, tl *timeline.Timeline) panel {
	return panel{Plot: p.Plot, subtitle: subtitleOf([]*bench.Result{r}) + "; " + p.summary}
}

// layer is one stacked band of a timeline chart.
type layer struct {
	name string
	at   func(timeline.Sample) float64
}

// timelinePlot draws one result's timeline, nil when its samples hold no
// shape (an engine that reports no levels or pages).
func timelinePlot(r *bench.Result, tl *timeline.Timeline) (*shapePlot, error) {
	var layers []layer
	unit, scale := "MiB", 1.0/(1<<20)
	kind := "LSM"
	levels := 0
	btree := false
	for _, s := range tl.Samples {
		levels = max(levels, len(s.LevelBytes))
		btree = btree || s.LeafPages > 0
	}
	switch {
	case levels > 0:
		layers = append(layers, layer{"memtables", func(s timeline.Sample) float64 { return float64(s.MemtableBytes) }})
		for l := range levels {
			layers = append(layers, layer{fmt.Sprintf("L%d", l), func(s timeline.Sample) float64 {
				if l < len(s.LevelBytes) {
					return float64(s.LevelBytes[l])
				}
				return 0
			}})
		}
	case btree:
		kind, unit, scale = "B+tree", "pages", 1
		layers = []layer{
			{"branch pages", func(s timeline.Sample) float64 { return float64(s.BranchPages) }},
			{"leaf pages", func(s timeline.Sample) float64 { return float64(s.LeafPages) }},
			{"overflow pages", func(s timeline.Sample) float64 { return float64(s.OverflowPages) }},
			{"free pages", func(s timeline.Sample) float64 { return float64(s.FreePages) }},
		}
	default:
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s shape over time: %s %s", kind, r.Label(), r.Workload)
	p.X.Label.Text = "seconds since the engine opened"
	p.Y.Label.Text = unit + " (stacked)"
	p.Y.Tick.Marker = humanTicks{}
	p.Y.Min = 0
	p.X.Min, p.X.Max = 0, max(tl.Seconds, 1e-3)
	// Stacked bands: each layer between the sum of those below and that
	// sum plus its own.
	below := make([]float64, len(tl.Samples))
	top := 0.0
	for i, l := range layers {
		var upper, lower plotter.XYs
		nonzero := false
		for k, s := range tl.Samples {
			v := l.at(s) * scale
			nonzero = nonzero || v > 0
			lower = append(lower, plotter.XY{X: s.T, Y: below[k]})
			below[k] += v
			upper = append(upper, plotter.XY{X: s.T, Y: below[k]})
			top = max(top, below[k])
		}
		if !nonzero {
			continue
		}
		ring := append(upper, reversed(lower)...)
		poly, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		c := plotutil.Color(i)
		poly.Color = fade(c)
		poly.LineStyle.Width = vg.Points(0.5)
		poly.LineStyle.Color = c
		p.Add(poly)
		p.Legend.Add(l.name, poly)
	}
	if top == 0 {
		top = 1
	}
	// The top fifth of the chart holds the event rows, above the bands.
	p.Y.Max = top / 0.78
	rug := &eventRug{tl: tl}
	p.Add(rug)
	counts := tl.Counts()
	for _, k := range rug.kinds() {
		p.Legend.Add(fmt.Sprintf("%s (%d)", plural(k), counts[k]), &rugThumb{kind: k})
	}
	if len(tl.Phases) > 0 {
		p.Add(&phaseLines{marks: tl.Phases})
		p.Legend.Add("phase start", &phaseLines{})
	}
	summary := fmt.Sprintf("%d samples over %.1fs", len(tl.Samples), tl.Seconds)
	if kind == "B+tree" {
		last := tl.Samples[len(tl.Samples)-1]
		summary += fmt.Sprintf(", height %d at the end", last.Height)
	}
	return &shapePlot{Plot: p, summary: summary}, nil
}

// plural names an event kind's events: "flushes", "compactions".
func plural(kind string) string {
	if kind == timeline.Flush {
		return "flushes"
	}
	return kind + "s"
}

func reversed(xys plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, len(xys))
	for i, v := range xys {
		out[len(xys)-1-i] = v
	}
	return out
}

// fade returns c at half opacity.
func fade(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 150}
}

// eventKinds are the rows of the event rug, top to bottom, with colors.
var eventKinds = []struct {
	kind  string
	color color.Color
}{
	{timeline.Flush, color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 255}},
	{timeline.Compaction, color.NRGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 255}},
	{timeline.Checkpoint, color.NRGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 255}},
	{timeline.Stall, color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}},
}

func eventColor(kind string) color.Color {
	for _, k := range eventKinds {
		if k.kind == kind {
			return k.color
		}
	}
	return color.Black
}

// eventRug draws each event as a bar from its start to its end (at least
// a thin tick) in its kind's row, the rows stacked in the top fifth of the
// data area, which the stacked bands leave empty.
type eventRug struct{ tl *timeline.Timeline }

// kinds returns the event kinds present, in row order.
func (e *eventRug) kinds() []string {
	counts := e.tl.Counts()
	var ks []string
	for _, k := range eventKinds {
		if counts[k.kind] > 0 {
			ks = append(ks, k.kind)
		}
	}
	return ks
}

// Plot implements plot.Plotter.
func (e *eventRug) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	ks := e.kinds()
	if len(ks) == 0 {
		return
	}
	band := (c.Max.Y - c.Min.Y) * 0.2
	row := band / vg.Length(len(ks))
	for i, k := range ks {
		y1 := c.Max.Y - vg.Length(i)*row - row*0.15
		y0 := y1 - row*0.7
		c.SetColor(eventColor(k))
		for _, ev := range e.tl.Events {
			if ev.Kind != k {
				continue
			}
			x0, x1 := trX(ev.Start), trX(ev.End)
			if x1-x0 < vg.Points(0.8) {
				x1 = x0 + vg.Points(0.8)
			}
			c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}.Path())
		}
	}
}

// rugThumb is the legend thumbnail of an event kind.
type rugThumb struct{ kind string }

// Thumbnail implements plot.Thumbnailer.
func (t *rugThumb) Thumbnail(c *draw.Canvas) {
	c.SetColor(eventColor(t.kind))
	mid := c.Center().Y
	h := (c.Max.Y - c.Min.Y) * 0.3
	c.Fill(vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: mid - h}, Max: vg.Point{X: c.Max.X, Y: mid + h}}.Path())
}

// phaseLines draws a dashed vertical line at each phase's start, named at
// its foot.
type phaseLines struct{ marks []timeline.Mark }

var phaseStyle = draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}

// Plot implements plot.Plotter.
func (l *phaseLines) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	sty := plt.X.Tick.Label
	sty.Font.Size = vg.Points(8)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	for _, m := range l.marks {
		x := trX(m.T)
		c.StrokeLine2(phaseStyle, x, c.Min.Y, x, c.Max.Y-(c.Max.Y-c.Min.Y)*0.2)
		c.FillText(sty, vg.Point{X: x + vg.Points(2), Y: c.Min.Y + vg.Points(2)}, m.Name)
	}
}

// Thumbnail implements plot.Thumbnailer.
func (l *phaseLines) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(phaseStyle, c.Min.X, y, c.Max.X, y)
}
