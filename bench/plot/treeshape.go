package plot

import (
	"fmt"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/kvlab/kvlab/btree"
)

// RenderTreeShape draws a B+tree store's shape (btree.ReadShape) into one
// image of the given format: its pages per level (the height), the fill
// factor histograms of its leaf and branch pages, and its pages by type.
// name labels the store in the titles (its directory); the subtitle gives
// the page size, key count and checkpoint.
func RenderTreeShape(w io.Writer, s *btree.TreeShape, name, format string, o Options) error {
	o = o.withDefaults()
	sub := fmt.Sprintf("%s: %d B pages, %s keys, checkpoint %d, %s pages in the file", name, s.PageSize, short(float64(s.Keys)),
		s.Checkpoint, short(float64(s.FilePages)))
	var panels []panel
	add := func(p *plot.Plot, err error) error {
		if err != nil {
			return err
		}
		panels = append(panels, panel{Plot: p, subtitle: sub})
		return nil
	}
	levels := make([]string, len(s.LevelPages))
	vals := make([]float64, len(s.LevelPages))
	for i, n := range s.LevelPages {
		levels[i] = fmt.Sprintf("depth %d", i)
		vals[i] = float64(n)
	}
	if len(levels) > 0 {
		levels[0] = "root"
		if len(levels) > 1 {
			levels[len(levels)-1] = "leaves"
		}
	}
	if err := add(groupedBars(fmt.Sprintf("B+tree pages per level (height %d)", s.Height), "pages", levels,
		[]barData{{"pages", vals}})); err != nil {
		return err
	}
	buckets := make([]string, btree.FillBuckets)
	leaf, branch := make([]float64, btree.FillBuckets), make([]float64, btree.FillBuckets)
	for i := range buckets {
		buckets[i] = fmt.Sprintf("%d%%", i*100/btree.FillBuckets)
		leaf[i], branch[i] = float64(s.LeafFill[i]), float64(s.BranchFill[i])
	}
	fill, err := groupedBars("B+tree fill factor: pages by used fraction", "pages", buckets,
		[]barData{{"leaf pages", leaf}, {"branch pages", branch}})
	if err != nil {
		return err
	}
	fill.X.Label.Text = fmt.Sprintf("used fraction of the page (buckets of %d%% from the value shown)", 100/btree.FillBuckets)
	add(fill, nil)
	if err := add(groupedBars("B+tree pages by type", "pages", []string{"leaf", "branch", "overflow", "free-list", "free", "unused"},
		[]barData{{"pages", []float64{float64(s.Leaf), float64(s.Branch), float64(s.Overflow), float64(s.FreeList),
			float64(s.Free), float64(s.Unused)}}})); err != nil {
		return err
	}
	return tile(w, panels, format, o)
}

// barData is one series of a grouped bar chart: a value per category.
type barData struct {
	name string
	vals []float64
}

// groupedBars draws a bar per series in each category, each labelled with
// its value, on a logarithmic axis where the values span more than 10×.
// A lone series gets no legend.
func groupedBars(title, ylabel string, cats []string, series []barData) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.Y.Tick.Marker = humanTicks{}
	width := vg.Points(min(40, 300/float64(max(1, len(cats)*len(series)))))
	minV, maxV := 0.0, 0.0
	for i, sr := range series {
		offset := width * (vg.Length(i) - vg.Length(len(series)-1)/2)
		b := &barSeries{vals: sr.vals, width: width, offset: offset, color: plotutil.Color(i)}
		p.Add(b)
		if len(series) > 1 {
			p.Legend.Add(sr.name, b)
		}
		var xys plotter.XYs
		var texts []string
		for j, v := range sr.vals {
			if v > 0 {
				minV, maxV = positiveMin(minV, v), max(maxV, v)
				xys = append(xys, plotter.XY{X: float64(j), Y: v})
				texts = append(texts, short(v))
			}
		}
		if err := addValueLabels(p, xys, texts, offset); err != nil {
			return nil, err
		}
	}
	if maxV == 0 {
		maxV = 1
	}
	p.Y.Max = maxV * 1.15
	if minV > 0 && maxV/minV > 10 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = minV/2, maxV*2
		p.Y.Label.Text += " (log scale)"
	}
	p.NominalX(cats...)
	return p, nil
}
