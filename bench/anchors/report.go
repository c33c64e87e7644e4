package anchors

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/licencegraph/licencegraph/bench/measure"
)

// Reports of the anchors benchmark: one per scale, printed as Markdown
// tables and kept as JSON so that docs/performance.md can be rewritten from
// the runs of several scales.

// The three targets, in table order.
const (
	TargetLicencegraph = "licencegraph"
	TargetLibrary      = "Neo4j GraphQL Library"
	TargetRaw          = "raw driver"
)

// Targets lists the targets in table order.
var Targets = []string{TargetLicencegraph, TargetLibrary, TargetRaw}

// CellResult is one measured (or skipped) cell.
type CellResult struct {
	Workload string
	Target   string
	measure.Result
	// Skipped says why the cell was not measured ("" if it was).
	Skipped string `json:",omitempty"`
}

// Check is one comparison of the correctness check.
type Check struct {
	Workload string
	Sample   string
	Target   string // the target compared with licencegraph
	OK       bool
	Detail   string `json:",omitempty"`
}

// Breakdown is where one recorded licencegraph request spent its time.
type Breakdown struct {
	Workload   string
	Latency    time.Duration // the whole request, over HTTP
	Statements int
	// Levels is the longest chain of statements that waited for each other.
	Levels int
	// Database is how long at least one statement was running in Neo4j.
	Database time.Duration
}

// Profile is the summary of a CPU profile of licencegraph under one cell.
type Profile struct {
	Workload    string
	Concurrency int
	File        string
	Top         string
}

// ScaleReport is everything one scale measured.
type ScaleReport struct {
	Companies     int
	Date          string
	Machine       string
	Settings      string
	Workloads     []WorkloadInfo
	Concurrencies []int
	Cells         []CellResult
	Checks        []Check
	Breakdowns    []Breakdown
	Profiles      []Profile
	Notes         []string
}

// WorkloadInfo names a workload and says what it asks.
type WorkloadInfo struct {
	Name        string
	Description string
}

// cell finds a cell's result.
func (r ScaleReport) cell(workload, target string, c int) (CellResult, bool) {
	for _, x := range r.Cells {
		if x.Workload == workload && x.Target == target && x.Concurrency == c {
			return x, true
		}
	}
	return CellResult{}, false
}

// FormatDuration prints a latency with 2–3 significant digits.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func formatRate(r float64) string {
	switch {
	case r <= 0:
		return "–"
	case r < 10:
		return fmt.Sprintf("%.2f", r)
	default:
		return fmt.Sprintf("%.0f", r)
	}
}

// ratio returns a/b, or NaN when either is missing.
func ratio(a, b float64) float64 {
	if a <= 0 || b <= 0 {
		return math.NaN()
	}
	return a / b
}

func formatRatio(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", x)
}

// status is what a target's cells show when nothing was measured.
func (c CellResult) status() string {
	switch {
	case c.Skipped != "":
		return "skipped"
	case c.OK > 0:
		return ""
	case c.Timeouts > 0:
		return "timeout"
	default:
		return "failed"
	}
}

// Table prints the scale's results as one Markdown table: per workload and
// client count, each target's throughput, p50 and p99, then the ratios.
func (r ScaleReport) Table() string {
	var b strings.Builder
	b.WriteString("| workload | clients |")
	for _, t := range Targets {
		fmt.Fprintf(&b, " %s req/s | p50 | p99 |", t)
	}
	b.WriteString(" req/s lg/Library | p50 lg/Library | p50 lg/raw | req/s lg/raw |\n|---|---:|")
	b.WriteString(strings.Repeat("---:|", 3*len(Targets)+4) + "\n")
	for _, w := range r.Workloads {
		for _, c := range r.Concurrencies {
			fmt.Fprintf(&b, "| %s | %d |", w.Name, c)
			var cells [3]CellResult
			for i, t := range Targets {
				x, ok := r.cell(w.Name, t, c)
				cells[i] = x
				switch {
				case !ok:
					b.WriteString(" n/a | | |")
				case x.status() != "":
					fmt.Fprintf(&b, " %s | | |", x.status())
				default:
					note := ""
					if x.Failed > 0 {
						note = fmt.Sprintf(" (%d failed)", x.Failed)
					}
					fmt.Fprintf(&b, " %s%s | %s | %s |", formatRate(x.Throughput), note, FormatDuration(x.P50), FormatDuration(x.P99))
				}
			}
			lg, lib, raw := cells[0], cells[1], cells[2]
			fmt.Fprintf(&b, " %s | %s | %s | %s |\n",
				formatRatio(ratio(lg.Throughput, lib.Throughput)),
				formatRatio(ratio(float64(lg.P50), float64(lib.P50))),
				formatRatio(ratio(float64(lg.P50), float64(raw.P50))),
				formatRatio(ratio(lg.Throughput, raw.Throughput)))
		}
	}
	return b.String()
}

// Goal is one target of issue 6, judged on a scale's results.
type Goal struct {
	Text   string
	Met    bool
	Judged bool // false when a figure is missing
	Detail string
}

// Goals judges issue 6's targets at the given client count: throughput at
// least 2× the library on W1 and W2 and no workload below it; p50 within
// 1.25× of the raw driver on W1, W2, W4 and 1.2× on W3.
func (r ScaleReport) Goals(clients int) []Goal {
	var out []Goal
	get := func(w, t string) (CellResult, bool) {
		x, ok := r.cell(w, t, clients)
		return x, ok && x.OK > 0
	}
	for _, w := range r.Workloads {
		lg, okLG := get(w.Name, TargetLicencegraph)
		lib, okLib := get(w.Name, TargetLibrary)
		want := 1.0
		if strings.HasPrefix(w.Name, "W1") || strings.HasPrefix(w.Name, "W2") {
			want = 2
		}
		g := Goal{Text: fmt.Sprintf("%s: throughput ≥ %.0f× the Neo4j GraphQL Library", w.Name, want)}
		switch {
		case okLG && okLib:
			x := lg.Throughput / lib.Throughput
			g.Judged, g.Met = true, x >= want
			g.Detail = fmt.Sprintf("%.2f× (%s vs %s req/s)", x, formatRate(lg.Throughput), formatRate(lib.Throughput))
		case okLG && !okLib:
			if c, ok := r.cell(w.Name, TargetLibrary, clients); ok && c.status() != "" {
				g.Judged, g.Met = true, true
				g.Detail = fmt.Sprintf("the library: %s; licencegraph %s req/s", c.status(), formatRate(lg.Throughput))
			} else {
				g.Detail = "no library figure"
			}
		default:
			g.Detail = "no licencegraph figure"
			if c, ok := r.cell(w.Name, TargetLicencegraph, clients); ok {
				g.Detail = "licencegraph: " + c.status()
				if lc, ok := r.cell(w.Name, TargetLibrary, clients); ok && lc.status() == "" {
					g.Judged = true
				}
			}
		}
		out = append(out, g)
	}
	for _, w := range r.Workloads {
		limit := 0.0
		switch {
		case strings.HasPrefix(w.Name, "W1"), strings.HasPrefix(w.Name, "W2"), strings.HasPrefix(w.Name, "W4"):
			limit = 1.25
		case strings.HasPrefix(w.Name, "W3"):
			limit = 1.2
		default:
			continue
		}
		g := Goal{Text: fmt.Sprintf("%s: p50 ≤ %.2f× the raw driver", w.Name, limit)}
		lg, okLG := get(w.Name, TargetLicencegraph)
		raw, okRaw := get(w.Name, TargetRaw)
		if okLG && okRaw {
			x := float64(lg.P50) / float64(raw.P50)
			g.Judged, g.Met = true, x <= limit
			g.Detail = fmt.Sprintf("%.2f× (%s vs %s)", x, FormatDuration(lg.P50), FormatDuration(raw.P50))
		} else {
			g.Detail = "a figure is missing (timeout or not run)"
		}
		out = append(out, g)
	}
	return out
}

// Markdown prints the whole report of one scale.
func (r ScaleReport) Markdown(clients int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s companies\n\n", groupThousands(r.Companies))
	b.WriteString(r.Table())
	if slices.Contains(r.Concurrencies, clients) {
		fmt.Fprintf(&b, "\nTargets at %d clients:\n\n", clients)
		for _, g := range r.Goals(clients) {
			mark := "not judged"
			if g.Judged {
				mark = "**missed**"
				if g.Met {
					mark = "met"
				}
			}
			fmt.Fprintf(&b, "- %s — %s: %s\n", g.Text, mark, g.Detail)
		}
	}
	if len(r.Checks) > 0 {
		b.WriteString("\nCorrectness (same data as licencegraph, on sampled variables):\n\n")
		type key struct{ w, t string }
		ok, all := map[key]int{}, map[key]int{}
		var keys []key
		for _, c := range r.Checks {
			k := key{c.Workload, c.Target}
			if all[k] == 0 {
				keys = append(keys, k)
			}
			all[k]++
			if c.OK {
				ok[k]++
			}
		}
		for _, k := range keys {
			fmt.Fprintf(&b, "- %s, %s: %d of %d samples agree", k.w, k.t, ok[k], all[k])
			for _, c := range r.Checks {
				if c.Workload == k.w && c.Target == k.t && !c.OK {
					fmt.Fprintf(&b, " — first difference (%s): %s", c.Sample, c.Detail)
					break
				}
			}
			b.WriteString("\n")
		}
	}
	if len(r.Breakdowns) > 0 {
		b.WriteString("\nOne licencegraph request of each workload, recorded at 1 client:\n\n")
		b.WriteString("| workload | latency | statements | levels | a statement running in Neo4j | nothing running in Neo4j |\n|---|---:|---:|---:|---:|---:|\n")
		for _, x := range r.Breakdowns {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s |\n", x.Workload, FormatDuration(x.Latency), x.Statements, x.Levels,
				FormatDuration(x.Database), FormatDuration(x.Latency-x.Database))
		}
	}
	for _, p := range r.Profiles {
		fmt.Fprintf(&b, "\n<details><summary>CPU profile of licencegraph, %s at %d clients (%s)</summary>\n\n```\n%s\n```\n</details>\n",
			p.Workload, p.Concurrency, p.File, strings.TrimSpace(p.Top))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	return b.String()
}

func groupThousands(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Doc markers: `make bench` rewrites what lies between them.
const (
	DocBegin = "<!-- make bench: begin (generated; rerun make bench rather than editing) -->"
	DocEnd   = "<!-- make bench: end -->"
)

// RenderDoc returns the generated part of docs/performance.md for the
// reports (one per scale), judged at clients.
func RenderDoc(reports []ScaleReport, clients int) string {
	var b strings.Builder
	if len(reports) > 0 {
		r := reports[0]
		fmt.Fprintf(&b, "Measured %s on %s. %s\n", r.Date, r.Machine, r.Settings)
		b.WriteString("\nWorkloads:\n\n")
		for _, w := range r.Workloads {
			fmt.Fprintf(&b, "- **%s**: %s\n", w.Name, w.Description)
		}
	}
	for _, r := range reports {
		b.WriteString("\n" + r.Markdown(clients))
	}
	return b.String()
}

// WriteDoc replaces the generated part of the Markdown file path (between
// DocBegin and DocEnd) with body; without the markers, it appends them
// under heading.
func WriteDoc(path, heading, body string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(raw)
	block := DocBegin + "\n\n" + strings.TrimSpace(body) + "\n\n" + DocEnd
	i, j := strings.Index(s, DocBegin), strings.Index(s, DocEnd)
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(DocEnd):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + heading + "\n\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
