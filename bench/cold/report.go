package cold

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Report is one scale's run, as the command writes it (JSON) and api-doc
// reads it back.
type Report struct {
	Companies int
	Date      string // of the run (UTC)
	Machine   string // cores, Go version
	Result
	// The server: from its start to /readyz answering 200 (the
	// projection loaded), the projection's own load time (from its log;
	// 0 when not found), its resident memory after the measurements and
	// its high-water mark.
	ReadySeconds      float64
	ProjectionSeconds float64
	RSS, PeakRSS      uint64 // bytes
	// The world's load by licencegraph seed (the bench script's wall time
	// and the loader's first summary line), when this run loaded it.
	LoadSeconds float64
	LoadSummary string
}

// Target is one of issue 14's goals for a row (or for memory) at a scale.
type Target struct {
	Companies int
	Key       string  // a row key, or "rss"
	Limit     float64 // ms for rows (p50), bytes for rss
}

const (
	// RSSKey is the target key of the server's memory.
	RSSKey = "rss"
	mib    = 1 << 20
)

// Targets are issue 14's goals (2-core machine, 1 client, p50): at
// 100,000 companies, cold exposedCompanies ≤ 150 ms (first for a date, or
// after a licence write), ≤ 300 ms after a supply-link write, cold
// exposurePaths ≤ 30 ms, server RSS ≤ 600 MiB; at 1,000,000, cold
// exposedCompanies ≤ 1.5 s and RSS ≤ 3 GiB.
var Targets = []Target{
	{100000, ExposedDate, 150}, {100000, ExposedLicence, 150}, {100000, ExposedLink, 300},
	{100000, PathsDate, 30}, {100000, PathsLicence, 30}, {100000, PathsLink, 30},
	{100000, RSSKey, 600 * mib},
	{1000000, ExposedDate, 1500}, {1000000, ExposedLicence, 1500}, {1000000, ExposedLink, 1500},
	{1000000, RSSKey, 3 << 30},
}

// TargetOf returns the target of key at companies, if any.
func TargetOf(companies int, key string) (Target, bool) {
	i := slices.IndexFunc(Targets, func(t Target) bool { return t.Companies == companies && t.Key == key })
	if i < 0 {
		return Target{}, false
	}
	return Targets[i], true
}

// Verdict says whether value meets t: "met", "**missed**", or "" when
// there is nothing to judge (no samples).
func (t Target) Verdict(value float64, samples int) string {
	switch {
	case samples == 0:
		return ""
	case value <= t.Limit:
		return "met"
	default:
		return "**missed**"
	}
}

// Ms formats milliseconds for a table: 3 significant figures, µs below 1 ms,
// s from 1 s.
func Ms(v float64) string {
	switch {
	case v <= 0:
		return "–"
	case v < 1:
		return fmt.Sprintf("%.0f µs", v*1000)
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	case v < 1000:
		return fmt.Sprintf("%.0f ms", v)
	case v < 10000:
		return fmt.Sprintf("%.2f s", v/1000)
	default:
		return fmt.Sprintf("%.1f s", v/1000)
	}
}

// MiB formats bytes in MiB (GiB from 10 GiB).
func MiB(b uint64) string {
	if b >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/mib)
}

func target(limitMs float64) string {
	if limitMs >= 1000 {
		return fmt.Sprintf("≤ %g s", limitMs/1000)
	}
	return fmt.Sprintf("≤ %g ms", limitMs)
}

// Markdown is one scale's table, with the server's figures under it.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| question (1 client) | samples | p50 | p90 | max | answers listing something | target (p50) | |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, row := range r.Rows {
		tgt, verdict := "", ""
		if t, ok := TargetOf(r.Companies, row.Key); ok {
			tgt, verdict = target(t.Limit), t.Verdict(row.P50, row.N)
		}
		p50 := Ms(row.P50)
		if verdict != "" {
			p50 = "**" + p50 + "**"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %d | %s | %s |\n", row.Name, row.N, p50, Ms(row.P90), Ms(row.Max), row.NonEmpty, tgt, verdict)
	}
	rss := MiB(r.RSS)
	if t, ok := TargetOf(r.Companies, RSSKey); ok {
		rss += fmt.Sprintf(" (target ≤ %s: %s)", MiB(uint64(t.Limit)), t.Verdict(float64(r.RSS), 1))
	}
	fmt.Fprintf(&b, "\nServer RSS after the measurements: **%s**, peak %s. Ready (`/readyz` 200, the projection loaded) %.1f s after its start", rss, MiB(r.PeakRSS), r.ReadySeconds)
	if r.ProjectionSeconds > 0 {
		fmt.Fprintf(&b, "; the projection's load took %.1f s", r.ProjectionSeconds)
	}
	fmt.Fprintf(&b, ". The first exposedCompanies after that: %s.", Ms(float64(r.FirstQuestion.Microseconds())/1000))
	fmt.Fprintf(&b, " Writes acknowledged by the store (made by the bench process): %d licence writes, p50 %s; %d supply-link writes, p50 %s.",
		r.LicenceWrites.N, Ms(r.LicenceWrites.P50), r.LinkWrites.N, Ms(r.LinkWrites.P50))
	fmt.Fprintf(&b, " exposurePaths asks, in turn, for the first %d automakers exposed on %s (the date asked after writes); the writes go to %d licences and %d links on their paths.\n", r.OEMs, r.WriteDate, r.Hops, r.Links)
	if r.LoadSeconds > 0 {
		fmt.Fprintf(&b, "\nLoading the world (`licencegraph seed`, one transaction per file): %.0f s (%s).\n", r.LoadSeconds, strings.TrimSpace(r.LoadSummary))
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "\n**%d errors**, the first: %.300s\n", len(r.Errors), r.Errors[0])
	}
	return b.String()
}

// DocBegin and DocEnd enclose the generated part of docs/performance.md.
const (
	DocBegin = "<!-- make bench-api: begin (generated; rerun make bench-api rather than editing) -->"
	DocEnd   = "<!-- make bench-api: end -->"
)

// RenderDoc is the generated part: a table per scale (smallest first),
// the plot and the targets at a glance.
func RenderDoc(reports []Report, svg string) string {
	reports = slices.Clone(reports)
	slices.SortFunc(reports, func(a, b Report) int { return a.Companies - b.Companies })
	var b strings.Builder
	fmt.Fprintf(&b, "![Cold exposure questions and server memory against companies](%s)\n\n", svg)
	b.WriteString(Summary(reports))
	for _, r := range reports {
		fmt.Fprintf(&b, "\n### %s companies (measured %s, %s)\n\n", thousands(r.Companies), r.Date, r.Machine)
		b.WriteString(r.Markdown())
	}
	return b.String()
}

// Summary lists every target with its figure, scale by scale.
func Summary(reports []Report) string {
	var b strings.Builder
	b.WriteString("| target (issue 14) | companies | measured | |\n|---|---:|---:|---|\n")
	for _, t := range Targets {
		i := slices.IndexFunc(reports, func(r Report) bool { return r.Companies == t.Companies })
		name, got, verdict := "", "not measured", ""
		if t.Key == RSSKey {
			name = fmt.Sprintf("server RSS ≤ %s", MiB(uint64(t.Limit)))
			if i >= 0 {
				got, verdict = MiB(reports[i].RSS), t.Verdict(float64(reports[i].RSS), 1)
			}
		} else {
			name = rowName(t.Key) + " p50 " + target(t.Limit)
			if i >= 0 {
				if j := slices.IndexFunc(reports[i].Rows, func(r RowResult) bool { return r.Key == t.Key }); j >= 0 {
					row := reports[i].Rows[j]
					got, verdict = Ms(row.P50), t.Verdict(row.P50, row.N)
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, thousands(t.Companies), got, verdict)
	}
	return b.String()
}

func rowName(key string) string {
	for _, r := range Rows {
		if r.Key == key {
			return r.Name
		}
	}
	return key
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ReplaceBetween replaces what lies between begin and end in s (the
// markers kept) with body; without both markers in order, it appends
// heading and the markers with body.
func ReplaceBetween(s, begin, end, heading, body string) string {
	block := begin + "\n\n" + strings.TrimSpace(body) + "\n\n" + end
	i := strings.Index(s, begin)
	if i >= 0 {
		if j := strings.Index(s[i:], end); j >= 0 {
			return s[:i] + block + s[i+j+len(end):]
		}
	}
	return strings.TrimRight(s, "\n") + "\n\n" + heading + "\n\n" + block + "\n"
}

// WriteDoc rewrites the generated part of the Markdown file at path.
func WriteDoc(path, heading, body string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(ReplaceBetween(string(raw), DocBegin, DocEnd, heading, body)), 0o644)
}
