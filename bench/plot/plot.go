// Package plot draws charts of kvlab benchmark results with gonum/plot:
// throughput by engine and workload, latency percentiles, write, read and
// space amplification, and, for sweeps, each figure against the swept
// option; for results with a timeline (bench --timeline), the engine's
// shape over time (timeline.go: an LSM's bytes per level, flushes,
// compactions and stalls; a B+tree's pages and checkpoints); and a
// B+tree store's shape (treeshape.go: height, fill factors, pages by
// type). Every chart has a subtitle with the fixed settings and record
// count, and its legend in a band beside the axes, never over the data
// (panel.go); an axis whose values span more than 10× is logarithmic. Where a result carries the cost model's prediction
// (bench.Phase.Model), the write, space and blocks-per-Get charts show it
// beside the measurement: a dashed mark across each bar, a dashed line
// beside each sweep curve. All charts of a results file go into one SVG,
// PNG or PDF image, tiled two to a row.
//
//	results, _ := report.ReadJSON(f)
//	err := plot.Render(out, results, "svg", plot.Options{})
package plot

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // registers png
	_ "gonum.org/v1/plot/vg/vgpdf" // registers pdf
	_ "gonum.org/v1/plot/vg/vgsvg" // registers svg

	"github.com/kvlab/kvlab/bench"
)

// Options size the charts.
type Options struct {
	// PanelWidth and PanelHeight are the size of one chart; zero means
	// 6 × 4 inches.
	PanelWidth, PanelHeight vg.Length
	// Columns is the number of charts per row; zero means 2.
	Columns int
}

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.PanelWidth == 0 {
		o.PanelWidth = 6 * vg.Inch
	}
	if o.PanelHeight == 0 {
		o.PanelHeight = 4 * vg.Inch
	}
	if o.Columns == 0 {
		o.Columns = 2
	}
	return o
}

// ErrNothingToPlot is returned when the results hold no measured phase.
var ErrNothingToPlot = errors.New("plot: no measured results to plot")

// FormatOf returns the image format for a file name: svg, png or pdf.
func FormatOf(path string) (string, error) {
	switch ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")); ext {
	case "svg", "png", "pdf":
		return ext, nil
	default:
		return "", fmt.Errorf("plot: %s: want a .svg, .png or .pdf file name", path)
	}
}

// Render draws every chart that applies to the results into one image of
// the given format (svg, png or pdf) and writes it to w.
func Render(w io.Writer, results []*bench.Result, format string, o Options) error {
	o = o.withDefaults()
	var measured []*bench.Result
	for _, r := range results {
		if r.Run != nil && r.Run.Ops > 0 {
			measured = append(measured, r)
		}
	}
	if len(measured) == 0 {
		return ErrNothingToPlot
	}
	var sweeps, plain []*bench.Result
	for _, r := range measured {
		if len(r.Sweep) > 0 {
			sweeps = append(sweeps, r)
		} else {
			plain = append(plain, r)
		}
	}
	var panels []panel
	sub := subtitleOf(measured)
	if len(plain) > 0 {
		ps, err := benchPanels(plain, o)
		if err != nil {
			return err
		}
		for _, p := range ps {
			panels = append(panels, panel{Plot: p, subtitle: sub})
		}
	}
	if len(sweeps) > 0 {
		ps, err := sweepPanels(sweeps)
		if err != nil {
			return err
		}
		for _, p := range ps {
			panels = append(panels, panel{Plot: p, subtitle: sub})
		}
	}
	tps, err := timelinePanels(measured)
	if err != nil {
		return err
	}
	panels = append(panels, tps...)
	return tile(w, panels, format, o)
}

// tile lays the panels out in a grid and writes the image.
func tile(w io.Writer, panels []panel, format string, o Options) error {
	cols := min(o.Columns, len(panels))
	rows := (len(panels) + cols - 1) / cols
	c, err := draw.NewFormattedCanvas(vg.Length(cols)*o.PanelWidth, vg.Length(rows)*o.PanelHeight, format)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	t := draw.Tiles{Rows: rows, Cols: cols, PadTop: vg.Points(8), PadBottom: vg.Points(8), PadLeft: vg.Points(8),
		PadRight: vg.Points(8), PadX: vg.Points(24), PadY: vg.Points(24)}
	dc := draw.New(c)
	for i, p := range panels {
		drawPanel(t.At(dc, i%cols, i/cols), p)
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("plot: write %s: %w", format, err)
	}
	return nil
}
