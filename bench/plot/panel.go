package plot

import (
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panel is one chart: a gonum plot, drawn with its title, a subtitle of
// the fixed settings under it, and its legend in a band of its own to the
// right of the axes, so that no legend entry covers the data.
type panel struct {
	*plot.Plot
	// subtitle is drawn in small type under the title, wrapped to the
	// panel's width.
	subtitle string
}

// subtitleSize is the type size of subtitles.
var subtitleSize = vg.Points(8)

// layout is where drawPanel puts a panel's parts in canvas c.
type layout struct {
	title, subtitle []string // lines
	plot, legend    draw.Canvas
	hasLegend       bool
}

// legendGap separates the plot from the legend band.
var legendGap = vg.Points(10)

// layoutPanel places the title and the subtitle lines at the top of c,
// the legend band at the right (as wide as its widest entry) and the plot
// (axes and data) in the rest.
func layoutPanel(c draw.Canvas, pn panel) layout {
	var l layout
	top := c.Max.Y
	if pn.Title.Text != "" {
		l.title = []string{pn.Title.Text}
		top -= pn.Title.TextStyle.Rectangle(pn.Title.Text).Size().Y + pn.Title.Padding
	}
	if pn.subtitle != "" {
		sty := subtitleStyle(pn)
		l.subtitle = wrap(pn.subtitle, c.Size().X, func(s string) vg.Length { return sty.Width(s) })
		top -= vg.Length(len(l.subtitle)) * sty.Rectangle("Mg").Size().Y
		top -= vg.Points(4)
	}
	body := c
	body.Max.Y = top
	l.plot = body
	if r := pn.Legend.Rectangle(body); r.Size().X > 0 {
		w := r.Size().X + legendGap
		l.hasLegend = true
		l.legend = draw.Crop(body, body.Size().X-w+legendGap, 0, 0, 0)
		l.plot = draw.Crop(body, 0, -w, 0, 0)
	}
	return l
}

// subtitleStyle is the title's style, smaller.
func subtitleStyle(pn panel) draw.TextStyle {
	sty := pn.Title.TextStyle
	sty.Font.Size = subtitleSize
	return sty
}

// drawPanel draws pn into c: title, subtitle, legend band, plot.
func drawPanel(c draw.Canvas, pn panel) {
	l := layoutPanel(c, pn)
	y := c.Max.Y
	if len(l.title) > 0 {
		sty := pn.Title.TextStyle
		c.FillText(sty, vg.Point{X: c.Center().X, Y: y + sty.FontExtents().Descent}, l.title[0])
		y -= sty.Rectangle(l.title[0]).Size().Y + pn.Title.Padding
	}
	sty := subtitleStyle(pn)
	for _, line := range l.subtitle {
		c.FillText(sty, vg.Point{X: c.Center().X, Y: y + sty.FontExtents().Descent}, line)
		y -= sty.Rectangle("Mg").Size().Y
	}
	p := *pn.Plot
	p.Title.Text = ""
	legend := p.Legend
	p.Legend = plot.NewLegend()
	p.Draw(l.plot)
	if l.hasLegend {
		legend.Top, legend.Left = true, true
		legend.XOffs, legend.YOffs = 0, 0
		legend.Draw(l.legend)
	}
}

// wrap breaks s into lines no wider than width, at spaces (a word wider
// than width gets a line of its own).
func wrap(s string, width vg.Length, measure func(string) vg.Length) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && measure(try) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
