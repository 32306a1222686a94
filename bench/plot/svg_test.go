package plot

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/timeline"
	"github.com/kvlab/kvlab/btree"
)

// svgText is a text element of an SVG drawn by gonum: its position in the
// drawing's coordinates (y up, as gonum draws) and its content.
type svgText struct {
	x, y float64
	text string
}

var (
	textRE = regexp.MustCompile(`<text x="([-0-9.e]+)" y="([-0-9.e]+)"[^>]*>([^<]*)</text>`)
	lineRE = regexp.MustCompile(`<path d="M([-0-9.e]+),([-0-9.e]+)L([-0-9.e]+),([-0-9.e]+)" style="fill:none;stroke:#000000;stroke-width:0.5" />`)
)

// svgTexts returns the SVG's text elements outside rotated groups.
func svgTexts(svg string) []svgText {
	var out []svgText
	for _, m := range textRE.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		out = append(out, svgText{x: x, y: -y, text: m[3]}) // drawn with scale(1, -1)
	}
	return out
}

// dataRect returns the data rectangle of a one-panel SVG: the axis lines
// are its longest horizontal and vertical black lines.
func dataRect(t *testing.T, svg string) (x0, y0, x1, y1 float64) {
	t.Helper()
	var bestH, bestV float64
	for _, m := range lineRE.FindAllStringSubmatch(svg, -1) {
		var f [4]float64
		for i := range f {
			f[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		switch {
		case f[1] == f[3] && f[2]-f[0] > bestH:
			bestH, x0, x1 = f[2]-f[0], f[0], f[2]
		case f[0] == f[2] && f[3]-f[1] > bestV:
			bestV, y0, y1 = f[3]-f[1], f[1], f[3]
		}
	}
	if bestH == 0 || bestV == 0 {
		t.Fatalf("no axis lines in the SVG")
	}
	return x0, y0, x1, y1
}

// renderOne draws one panel alone as SVG.
func renderOne(t *testing.T, pn panel) string {
	t.Helper()
	var buf bytes.Buffer
	if err := tile(&buf, []panel{pn}, "svg", Options{PanelWidth: 6 * vg.Inch, PanelHeight: 4 * vg.Inch, Columns: 1}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkLegendOutside fails unless every named legend entry is drawn right
// of the data rectangle (in the legend band), and the subtitle, if given,
// above it.
func checkLegendOutside(t *testing.T, svg string, entries []string, subtitle string) {
	t.Helper()
	x0, y0, x1, y1 := dataRect(t, svg)
	texts := svgTexts(svg)
	for _, e := range entries {
		found := false
		for _, tx := range texts {
			if tx.text != e {
				continue
			}
			if tx.x > x1 {
				found = true
			}
		}
		if !found {
			t.Errorf("legend entry %q not drawn right of the data rectangle [%.0f,%.0f]×[%.0f,%.0f]", e, x0, x1, y0, y1)
		}
	}
	if subtitle != "" {
		found := false
		for _, tx := range texts {
			if strings.Contains(subtitle, tx.text) && len(tx.text) > 10 && tx.y > y1 {
				found = true
			}
		}
		if !found {
			t.Errorf("subtitle %q not above the data", subtitle)
		}
	}
}

// TestLegendsOutsideData draws every chart of a benchmark and of a sweep
// one at a time: each legend entry lies right of the data rectangle, the
// subtitle (record count, fixed settings) above it, and the axes are
// logarithmic exactly where a panel's values span more than 10×.
func TestLegendsOutsideData(t *testing.T) {
	var rs []*bench.Result
	for _, w := range []string{"fillrandom", "ycsb-a"} {
		rs = append(rs, fakeResult("lsm", w, 400e3, 9.2, nil), fakeResult("btree", w, 130e3, 2.4, nil))
	}
	for _, r := range rs {
		r.Params.Num = 20000
		r.Settings = map[string]string{"memtable-size": "256KiB"}
	}
	sub := subtitleOf(rs)
	if !strings.Contains(sub, "20k records") || !strings.Contains(sub, "lsm memtable-size=256KiB") {
		t.Fatalf("subtitle %q lacks the record count or settings", sub)
	}
	ps, err := benchPanels(rs, Options{PanelWidth: 6 * vg.Inch})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		svg := renderOne(t, panel{Plot: p, subtitle: sub})
		entries := []string{"lsm", "btree"}
		if strings.HasPrefix(p.Title.Text, "Latency") {
			entries = []string{"lsm read", "btree update"}
		}
		checkLegendOutside(t, svg, entries, sub)
		if !strings.Contains(svg, ">"+p.Y.Label.Text+"<") {
			t.Errorf("%s: no y label %q", p.Title.Text, p.Y.Label.Text)
		}
	}
	// Write amp 9.2 vs 2.4 and throughput 400k vs 130k span less than
	// 10×: linear; add the no-I/O baseline at 2M/s: throughput goes log.
	if strings.Contains(ps[0].Y.Label.Text, "log") || strings.Contains(ps[1].Y.Label.Text, "log") {
		t.Errorf("log axis for values within 10×: %q, %q", ps[0].Y.Label.Text, ps[1].Y.Label.Text)
	}
	rs = append(rs, fakeResult("memory", "ycsb-a", 2e6, 0, nil))
	ps, _ = benchPanels(rs, Options{PanelWidth: 6 * vg.Inch})
	if !strings.Contains(ps[0].Y.Label.Text, "(log scale)") {
		t.Errorf("throughput from 130k to 2M: y label %q, want a log scale", ps[0].Y.Label.Text)
	}

	var sw []*bench.Result
	for _, bits := range []string{"0", "5", "10"} {
		for _, bs := range []string{"4KiB", "16KiB"} {
			sw = append(sw, fakeResult("lsm", "readrandom", 1e5, 3, map[string]string{"lsm.bloom-bits": bits, "lsm.block-size": bs}))
		}
	}
	sps, err := sweepPanels(sw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range sps {
		checkLegendOutside(t, renderOne(t, panel{Plot: p, subtitle: subtitleOf(sw)}), []string{"lsm.block-size=4KiB", "lsm.block-size=16KiB"}, "")
	}
}

// TestTimelineChart draws a result's timeline: the chart names each level
// and event kind with its count in a legend right of the data, labels its
// axes, and marks the phases.
func TestTimelineChart(t *testing.T) {
	r := fakeResult("lsm", "fillrandom", 1e5, 3, nil)
	r.Timeline = &timeline.Timeline{Engine: "lsm", Seconds: 2,
		Phases: []timeline.Mark{{Name: "load", T: 0}, {Name: "run", T: 1}},
		Events: []timeline.Event{{Kind: timeline.Flush, Start: 0.1, End: 0.2}, {Kind: timeline.Flush, Start: 0.5, End: 0.6},
			{Kind: timeline.Compaction, Start: 0.6, End: 1.1, FromLevel: 0, ToLevel: 1}, {Kind: timeline.Stall, Start: 0.55, End: 0.58}}}
	for i := range 21 {
		f := float64(i) / 10
		r.Timeline.Samples = append(r.Timeline.Samples, timeline.Sample{T: f, MemtableBytes: 1 << 20,
			LevelBytes: []int64{int64(f * (4 << 20)), int64(f * (16 << 20))}})
	}
	ps, err := timelinePanels([]*bench.Result{r})
	if err != nil || len(ps) != 1 {
		t.Fatalf("%d panels, %v", len(ps), err)
	}
	svg := renderOne(t, ps[0])
	checkLegendOutside(t, svg, []string{"memtables", "L0", "L1", "flushes (2)", "compactions (1)", "stalls (1)", "phase start"}, ps[0].subtitle)
	for _, want := range []string{">LSM shape over time: lsm fillrandom<", ">seconds since the engine opened<", ">MiB (stacked)<", ">load<", ">run<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	// Through Render: a results file with a timeline gets the chart.
	var buf bytes.Buffer
	if err := Render(&buf, []*bench.Result{r}, "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "LSM shape over time") {
		t.Error("Render drew no timeline chart")
	}
}

// TestTreeShapeChart draws a B+tree's shape: the three charts, their
// series and a logarithmic axis for the pages per level (1 root, 900
// leaves).
func TestTreeShapeChart(t *testing.T) {
	s := &btree.TreeShape{PageSize: 4096, Height: 3, Keys: 50000, LevelPages: []int64{1, 9, 900}, Leaf: 900, Branch: 10,
		Free: 40, FreeList: 1, FilePages: 951}
	s.LeafFill[5], s.LeafFill[9] = 400, 500
	s.BranchFill[7] = 10
	var buf bytes.Buffer
	if err := RenderTreeShape(&buf, s, "db", "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	for _, want := range []string{">B+tree pages per level (height 3)<", ">B+tree fill factor: pages by used fraction<", ">B+tree pages by type<",
		">leaf pages<", ">branch pages<", ">root<", ">leaves<", ">pages (log scale)<", ">900<", "4096 B pages, 50k keys"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	p, err := groupedBars("fill", "pages", []string{"a", "b"}, []barData{{"leaf pages", []float64{3, 4}}, {"branch pages", []float64{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	checkLegendOutside(t, renderOne(t, panel{Plot: p}), []string{"leaf pages", "branch pages"}, "")
}

// TestRepetitionsPlotTheMedian: with --count 3 the bars show the median
// repetition, as the table does, and the subtitle says so.
func TestRepetitionsPlotTheMedian(t *testing.T) {
	var rs []*bench.Result
	for _, ops := range []float64{100e3, 900e3, 300e3} {
		rs = append(rs, fakeResult("lsm", "readrandom", ops, 2, nil))
	}
	g := newGrid(rs)
	if r := g.at[[2]string{"readrandom", "lsm"}]; r.Run.OpsPerSec != 300e3 {
		t.Errorf("plotted %.0f ops/s, want the median 300000", r.Run.OpsPerSec)
	}
	if sub := subtitleOf(rs); !strings.Contains(sub, "the median of 3 repetitions") {
		t.Errorf("subtitle %q", sub)
	}
}
