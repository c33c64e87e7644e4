package cold

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/licencegraph/licencegraph/bench/plot"
)

// seriesStyle: the cold rows in colour, the warm ones dashed.
var seriesStyle = map[string]struct {
	color  string
	dashed bool
}{
	ExposedDate:    {"#1f77b4", false},
	ExposedLicence: {"#ff7f0e", false},
	ExposedLink:    {"#2ca02c", false},
	ExposedWarm:    {"#7f7f7f", true},
	PathsDate:      {"#9467bd", false},
	PathsLicence:   {"#8c564b", false},
	PathsLink:      {"#e377c2", false},
	PathsWarm:      {"#bcbd22", true},
	HeldLicence:    {"#17becf", true},
	ConfDate:       {"#d62728", false},
	ConfLicence:    {"#393b79", false},
}

// Figure is the plot of make bench-api: p50 latency of each question
// against companies (log-log), the server's RSS, and its time to ready.
func Figure(reports []Report) plot.Figure {
	reports = slices.Clone(reports)
	slices.SortFunc(reports, func(a, b Report) int { return a.Companies - b.Companies })
	lat := plot.Panel{Title: "p50 latency at 1 client (log scale)", YLabel: "latency", Format: FormatMs, XFormat: FormatCount, Width: 2.2,
		MarksName: "target of issue 14 for the cold questions (p50)"}
	for _, r := range Rows {
		st := seriesStyle[r.Key]
		s := plot.Series{Name: r.Name, Color: st.color, Dashed: st.dashed}
		for _, rep := range reports {
			if i := slices.IndexFunc(rep.Rows, func(x RowResult) bool { return x.Key == r.Key }); i >= 0 && rep.Rows[i].N > 0 {
				s.Points = append(s.Points, plot.Point{X: float64(rep.Companies), Y: rep.Rows[i].P50})
			}
		}
		lat.Series = append(lat.Series, s)
	}
	mem := plot.Panel{Title: "server RSS after the run", YLabel: "RSS", Format: func(v float64) string { return fmt.Sprintf("%g MiB", round3(v)) }, XFormat: FormatCount, Width: 1}
	ready := plot.Panel{Title: "ready after start", YLabel: "start → /readyz 200 (projection loaded)", Format: FormatSeconds, XFormat: FormatCount, Width: 1}
	rss := plot.Series{Name: "RSS (VmRSS)", Color: "#1f77b4", Labels: true}
	rdy := plot.Series{Name: "start → /readyz 200", Color: "#2ca02c", Labels: true}
	for _, rep := range reports {
		rss.Points = append(rss.Points, plot.Point{X: float64(rep.Companies), Y: float64(rep.RSS) / mib})
		rdy.Points = append(rdy.Points, plot.Point{X: float64(rep.Companies), Y: rep.ReadySeconds})
	}
	mem.Series, ready.Series = []plot.Series{rss}, []plot.Series{rdy}
	seen := map[[2]float64]bool{}
	for _, t := range Targets {
		if !slices.ContainsFunc(reports, func(r Report) bool { return r.Companies == t.Companies }) {
			continue
		}
		if t.Key == RSSKey {
			mem.Marks = append(mem.Marks, plot.Mark{X: float64(t.Companies), Y: t.Limit / mib, Label: "≤ " + FormatMiB(t.Limit/mib)})
			continue
		}
		k := [2]float64{float64(t.Companies), t.Limit}
		if !seen[k] {
			seen[k] = true
			lat.Marks = append(lat.Marks, plot.Mark{X: k[0], Y: k[1], Label: "≤ " + FormatMs(t.Limit)})
		}
	}
	date := ""
	if len(reports) > 0 {
		date = reports[len(reports)-1].Date
	}
	return plot.Figure{
		Title:    "Exposure questions cold and warm (make bench-api)",
		Subtitle: fmt.Sprintf("licencegraph generate --seed 1 worlds, ~6 links per company, 1 client, %s; targets of issue 14 in red", date),
		XLabel:   "companies (log scale)",
		Panels:   []plot.Panel{lat, mem, ready},
	}
}

// FormatMs writes milliseconds for an axis: µs, ms or s.
func FormatMs(v float64) string {
	switch {
	case v < 1:
		return fmt.Sprintf("%g µs", round3(v*1000))
	case v < 1000:
		return fmt.Sprintf("%g ms", round3(v))
	default:
		return fmt.Sprintf("%g s", round3(v/1000))
	}
}

// FormatMiB writes MiB (GiB from 1 GiB).
func FormatMiB(v float64) string {
	if v >= 1024 {
		return fmt.Sprintf("%g GiB", round3(v/1024))
	}
	return fmt.Sprintf("%g MiB", round3(v))
}

// FormatSeconds writes seconds.
func FormatSeconds(v float64) string { return fmt.Sprintf("%g s", round3(v)) }

// FormatCount writes 10000 as 10k, 1000000 as 1M.
func FormatCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", round3(v/1e6))
	case v >= 1e3:
		return fmt.Sprintf("%gk", round3(v/1e3))
	default:
		return fmt.Sprintf("%g", round3(v))
	}
}

// round3 keeps three significant figures.
func round3(v float64) float64 {
	if v == 0 {
		return 0
	}
	s, _ := parseFloat(fmt.Sprintf("%.3g", v))
	return s
}

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
