// Package plot draws small line charts as standalone SVG: panels side by
// side, each with logarithmic axes (the benchmarks' scales and latencies
// span decades), series of points joined by lines, target marks and a
// legend. No dependencies; the output is deterministic for the same input.
package plot

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Point is one value of a series; points with X or Y <= 0 are missing
// (log axes) and break the line.
type Point struct{ X, Y float64 }

// Series is a named line.
type Series struct {
	Name   string
	Color  string // CSS colour
	Dashed bool
	Points []Point
	Labels bool // write each point's value beside it
}

// Mark is a target: a short red bar at (X, Y) with a label.
type Mark struct {
	X, Y  float64
	Label string
}

// Panel is one chart.
type Panel struct {
	Title  string
	YLabel string
	// Format writes a Y value (ticks, labels); XFormat an X value.
	Format, XFormat func(float64) string
	Series          []Series
	Marks           []Mark
	MarksName       string  // legend of the marks (default "target")
	Width           float64 // share of the figure's width (relative to the other panels)
}

// Figure is panels side by side under a title, with one X label.
type Figure struct {
	Title, Subtitle string
	XLabel          string
	Width, Height   float64 // pixels (defaults 1100 × 560)
	Panels          []Panel
}

// Layout constants (pixels).
const (
	marginTop    = 78.0
	marginLeft   = 74.0
	marginRight  = 16.0
	gap          = 40.0
	plotHeight   = 300.0
	legendLine   = 17.0
	legendTop    = 52.0 // below the plot area
	defaultWidth = 1100.0
)

// Decades returns the powers of ten from 10^floor(log10 lo) to
// 10^ceil(log10 hi) (lo, hi > 0), at least two of them.
func Decades(lo, hi float64) []float64 {
	a, b := math.Floor(math.Log10(lo)+1e-9), math.Ceil(math.Log10(hi)-1e-9)
	if b <= a {
		b = a + 1
	}
	var out []float64
	for e := a; e <= b; e++ {
		out = append(out, math.Pow(10, e))
	}
	return out
}

// Scale maps [lo, hi] (lo, hi > 0) logarithmically onto [from, to].
type Scale struct{ Lo, Hi, From, To float64 }

// Map returns the position of v.
func (s Scale) Map(v float64) float64 {
	f := (math.Log10(v) - math.Log10(s.Lo)) / (math.Log10(s.Hi) - math.Log10(s.Lo))
	return s.From + f*(s.To-s.From)
}

// bounds returns the smallest and largest positive value of the panel's
// points and marks along one axis.
func bounds(p Panel, x bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	add := func(pt Point) {
		v := pt.Y
		if x {
			v = pt.X
		}
		if pt.X > 0 && pt.Y > 0 {
			lo, hi, ok = math.Min(lo, v), math.Max(hi, v), true
		}
	}
	for _, s := range p.Series {
		for _, pt := range s.Points {
			add(pt)
		}
	}
	for _, m := range p.Marks {
		add(Point{m.X, m.Y})
	}
	return lo, hi, ok
}

// SVG draws the figure.
func (f Figure) SVG() string {
	width, height := f.Width, f.Height
	if width == 0 {
		width = defaultWidth
	}
	legendRows := 0
	for _, p := range f.Panels {
		legendRows = max(legendRows, len(p.Series)+min(len(p.Marks), 1))
	}
	if height == 0 {
		height = marginTop + plotHeight + legendTop + float64(legendRows)*legendLine + 16
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.1f" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", marginLeft, esc(f.Title))
	if f.Subtitle != "" {
		fmt.Fprintf(&b, `<text x="%.1f" y="44" fill="#444">%s</text>`+"\n", marginLeft, esc(f.Subtitle))
	}
	total := 0.0
	for _, p := range f.Panels {
		total += panelWidth(p)
	}
	avail := width - float64(len(f.Panels))*(marginLeft+marginRight) - float64(max(len(f.Panels)-1, 0))*gap
	x0 := 0.0
	for i, p := range f.Panels {
		w := avail * panelWidth(p) / total
		left := x0 + marginLeft
		drawPanel(&b, p, left, marginTop, w, plotHeight, f.XLabel)
		x0 = left + w + marginRight
		if i < len(f.Panels)-1 {
			x0 += gap
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func panelWidth(p Panel) float64 {
	if p.Width <= 0 {
		return 1
	}
	return p.Width
}

func drawPanel(b *strings.Builder, p Panel, left, top, w, h float64, xLabel string) {
	format, xFormat := p.Format, p.XFormat
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%g", v) }
	}
	if xFormat == nil {
		xFormat = format
	}
	fmt.Fprintf(b, `<g class="panel">`+"\n")
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="13" font-weight="bold">%s</text>`+"\n", left, top-10, esc(p.Title))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#888"/>`+"\n", left, top, w, h)
	xlo, xhi, ok := bounds(p, true)
	if !ok {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#888">no data</text>`+"\n</g>\n", left+w/2-25, top+h/2)
		return
	}
	ylo, yhi, _ := bounds(p, false)
	// X: the data's decades, with a margin of a fifth of a decade.
	xs := Decades(xlo, xhi)
	xScale := Scale{Lo: xlo / math.Pow(10, 0.2), Hi: xhi * math.Pow(10, 0.2), From: left, To: left + w}
	if xlo == xhi {
		xScale.Lo, xScale.Hi = xlo/10, xhi*10
	}
	// Y: whole decades, with room for labels above the highest point.
	ys := Decades(ylo/1.3, yhi*1.6)
	yScale := Scale{Lo: ys[0], Hi: ys[len(ys)-1], From: top + h, To: top}
	// Grid: every decade (labelled) and 2…9 between (light).
	for i, d := range ys {
		y := yScale.Map(d)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ccc"/>`+"\n", left, y, left+w, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#333">%s</text>`+"\n", left-6, y+4, esc(format(d)))
		if i < len(ys)-1 {
			for k := 2; k <= 9; k++ {
				y := yScale.Map(d * float64(k))
				fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", left, y, left+w, y)
			}
		}
	}
	for _, d := range xs {
		if d < xScale.Lo || d > xScale.Hi {
			continue
		}
		x := xScale.Map(d)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, top, x, top+h)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`+"\n", x, top+h+16, esc(xFormat(d)))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`+"\n", left+w/2, top+h+34, esc(xLabel))
	fmt.Fprintf(b, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle" fill="#333">%s</text>`+"\n", left-60, top+h/2, esc(p.YLabel))
	// Series.
	for _, s := range p.Series {
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(seg, " "), s.Color, dash)
			}
			seg = seg[:0]
		}
		for _, pt := range s.Points {
			if pt.X <= 0 || pt.Y <= 0 {
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", xScale.Map(pt.X), yScale.Map(pt.Y)))
		}
		flush()
		for _, pt := range s.Points {
			if pt.X <= 0 || pt.Y <= 0 {
				continue
			}
			x, y := xScale.Map(pt.X), yScale.Map(pt.Y)
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %s at %s</title></circle>`+"\n",
				x, y, s.Color, esc(s.Name), esc(format(pt.Y)), esc(xFormat(pt.X)))
			if s.Labels {
				lx, anchor := x+7, "start"
				if x > left+0.75*w {
					lx, anchor = x-7, "end"
				}
				fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s" font-size="11" text-anchor="%s" paint-order="stroke" stroke="white" stroke-width="3">%s</text>`+"\n", lx, y+16, s.Color, anchor, esc(format(pt.Y)))
			}
		}
	}
	// Targets, over the series.
	for _, m := range p.Marks {
		if m.X <= 0 || m.Y <= 0 {
			continue
		}
		x, y := xScale.Map(m.X), yScale.Map(m.Y)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d00" stroke-width="3"><title>%s</title></line>`+"\n",
			x-14, y, x+14, y, esc(m.Label))
		// The label above the bar (point labels go below their points).
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#d00" font-size="10" font-weight="bold" text-anchor="middle" paint-order="stroke" stroke="white" stroke-width="3">%s</text>`+"\n", x, y-6, esc(m.Label))
	}
	// Legend, under the panel.
	ly := top + h + legendTop
	for _, s := range p.Series {
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/><circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>`+"\n",
			left, ly-4, left+28, ly-4, s.Color, dash, left+14, ly-4, s.Color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", left+36, ly, esc(s.Name))
		ly += legendLine
	}
	if len(p.Marks) > 0 {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d00" stroke-width="3"/>`+"\n", left, ly-4, left+28, ly-4)
		name := p.MarksName
		if name == "" {
			name = "target"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", left+36, ly, esc(name))
	}
	b.WriteString("</g>\n")
}

func esc(s string) string { return html.EscapeString(s) }
