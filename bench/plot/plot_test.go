package plot

import (
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestDecades(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{10000, 1000000, []float64{1e4, 1e5, 1e6}},
		{12, 1500, []float64{10, 100, 1000, 10000}},
		{0.3, 0.3, []float64{0.1, 1}},
		{100, 100, []float64{100, 1000}},
		{2.5, 9, []float64{1, 10}},
	} {
		got := Decades(tc.lo, tc.hi)
		if len(got) != len(tc.want) {
			t.Errorf("Decades(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-9*tc.want[i] {
				t.Errorf("Decades(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
			}
		}
	}
}

func TestScale(t *testing.T) {
	s := Scale{Lo: 10, Hi: 1000, From: 300, To: 100} // an upward Y axis
	for _, tc := range []struct{ v, want float64 }{{10, 300}, {100, 200}, {1000, 100}, {31.6227766, 250}} {
		if got := s.Map(tc.v); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("Map(%g) = %g, want %g", tc.v, got, tc.want)
		}
	}
}

// The figure is well-formed XML; every series and target is drawn, inside
// its panel; missing points break a line instead of dropping to zero.
func TestFigureSVG(t *testing.T) {
	ms := func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) + " ms" }
	tests := []struct {
		name      string
		fig       Figure
		circles   int
		polylines int
		texts     []string
	}{
		{
			name: "two panels, a target, a gap",
			fig: Figure{Title: "Cold <questions> & memory", XLabel: "companies", Panels: []Panel{
				{Title: "latency", Format: ms, Width: 2, Series: []Series{
					{Name: "first for its date", Color: "#1f77b4", Points: []Point{{1e4, 12}, {1e5, 90}, {1e6, 1400}}},
					{Name: "warm", Color: "#777", Dashed: true, Points: []Point{{1e4, 1}, {1e5, 0}, {1e6, 3}}},
				}, Marks: []Mark{{1e5, 150, "≤ 150 ms"}}},
				{Title: "memory", Series: []Series{{Name: "RSS", Color: "#2ca02c", Labels: true, Points: []Point{{1e4, 80}, {1e5, 300}}}}},
			}},
			circles: 3 + 2 + 2 + 3, // points, then one legend circle per series
			// a line of 3 points, the warm series has no line (its points
			// are separated by a missing one), and RSS a line of 2
			polylines: 2,
			texts:     []string{"Cold &lt;questions&gt; &amp; memory", "first for its date", "≤ 150 ms", "target", "10 ms", "100 ms"},
		},
		{
			name:    "no data",
			fig:     Figure{Title: "empty", Panels: []Panel{{Title: "nothing"}}},
			circles: 0, polylines: 0,
			texts: []string{"no data"},
		},
		{
			name: "one scale only",
			fig: Figure{Title: "one", Panels: []Panel{{Title: "latency", Format: ms, Series: []Series{
				{Name: "a", Color: "red", Points: []Point{{1e4, 5}}}}}}},
			circles: 2, polylines: 0,
			texts: []string{"1 ms", "10 ms"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svg := tc.fig.SVG()
			dec := xml.NewDecoder(strings.NewReader(svg))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed XML: %v\n%s", err, svg)
				}
			}
			if got := strings.Count(svg, "<circle "); got != tc.circles {
				t.Errorf("%d circles, want %d", got, tc.circles)
			}
			if got := strings.Count(svg, "<polyline "); got != tc.polylines {
				t.Errorf("%d polylines, want %d", got, tc.polylines)
			}
			for _, s := range tc.texts {
				if !strings.Contains(svg, s) {
					t.Errorf("no %q in the figure", s)
				}
			}
			// Every point lies within the figure.
			w, h := figureSize(t, svg)
			for _, m := range regexp.MustCompile(`cx="([-0-9.]+)" cy="([-0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
				x, _ := strconv.ParseFloat(m[1], 64)
				y, _ := strconv.ParseFloat(m[2], 64)
				if x < 0 || x > w || y < 0 || y > h {
					t.Errorf("point (%g, %g) outside the %g × %g figure", x, y, w, h)
				}
			}
		})
	}
}

// Points of a series are placed in order of their values: higher values
// higher up (smaller y), larger X further right.
func TestFigureOrder(t *testing.T) {
	fig := Figure{Title: "t", Panels: []Panel{{Title: "p", Series: []Series{
		{Name: "s", Color: "blue", Points: []Point{{1e4, 10}, {1e5, 100}, {1e6, 1000}}}}}}}
	svg := fig.SVG()
	var xs, ys []float64
	for _, m := range regexp.MustCompile(`<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="4" fill="blue"><title>`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		xs, ys = append(xs, x), append(ys, y)
	}
	if len(xs) != 3 || !slices.IsSorted(xs) || !slices.IsSortedFunc(ys, func(a, b float64) int { return int(b - a) }) {
		t.Errorf("points at x %v, y %v: want x increasing, y decreasing", xs, ys)
	}
}

func figureSize(t *testing.T, svg string) (float64, float64) {
	m := regexp.MustCompile(`<svg [^>]*width="([0-9.]+)" height="([0-9.]+)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatal("no size")
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	return w, h
}
