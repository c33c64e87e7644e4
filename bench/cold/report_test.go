package cold

import (
	"encoding/xml"
	"html"
	"io"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/bench/writer"
	"github.com/licencegraph/licencegraph/internal/domain"
)

func TestFreshDates(t *testing.T) {
	skip, _ := domain.ParseDate("2026-06-01")
	for _, n := range []int{0, 1, 40, 5000} {
		got := FreshDates(n, 1, skip)
		want := min(n, 1095-1) // 2025-01-01 … 2027-12-31, less the skipped day
		if len(got) != want {
			t.Errorf("FreshDates(%d): %d dates, want %d", n, len(got), want)
		}
		seen := map[domain.Date]bool{}
		for _, d := range got {
			if seen[d] || d.Equal(skip) || d.Before(writer.FirstDate) || d.After(writer.LastDate) {
				t.Fatalf("FreshDates(%d): %s repeated, skipped or out of range", n, d)
			}
			seen[d] = true
		}
	}
	a, b := FreshDates(10, 1, skip), FreshDates(10, 1, skip)
	for i := range a {
		if !a[i].Equal(b[i]) {
			t.Fatalf("the same seed gave %v and %v", a, b)
		}
	}
}

func TestVerdicts(t *testing.T) {
	tests := []struct {
		companies int
		key       string
		value     float64
		samples   int
		want      string
	}{
		{100000, ExposedDate, 149.9, 20, "met"},
		{100000, ExposedDate, 150, 20, "met"},
		{100000, ExposedDate, 151, 20, "**missed**"},
		{100000, ExposedLink, 290, 20, "met"},
		{100000, PathsLicence, 31, 20, "**missed**"},
		{100000, PathsDate, 1, 0, ""},
		{1000000, ExposedLicence, 1400, 5, "met"},
		{1000000, RSSKey, 3 << 30, 1, "met"},
		{100000, RSSKey, 601 * mib, 1, "**missed**"},
	}
	for _, tc := range tests {
		tgt, ok := TargetOf(tc.companies, tc.key)
		if !ok {
			t.Fatalf("no target for %s at %d", tc.key, tc.companies)
		}
		if got := tgt.Verdict(tc.value, tc.samples); got != tc.want {
			t.Errorf("%s at %d, %g: %q, want %q", tc.key, tc.companies, tc.value, got, tc.want)
		}
	}
	for _, key := range []string{ExposedWarm, PathsWarm} {
		if _, ok := TargetOf(100000, key); ok {
			t.Errorf("%s has a target", key)
		}
	}
	if _, ok := TargetOf(10000, ExposedDate); ok {
		t.Errorf("10,000 companies have a target")
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Ms(0), "–"}, {Ms(0.25), "250 µs"}, {Ms(3.456), "3.46 ms"}, {Ms(45.67), "45.7 ms"}, {Ms(150), "150 ms"},
		{Ms(999.4), "999 ms"}, {Ms(1499.6), "1.50 s"}, {Ms(12345), "12.3 s"},
		{MiB(600 * mib), "600 MiB"}, {MiB(3 << 30), "3072 MiB"}, {MiB(12 << 30), "12.0 GiB"},
		{FormatMs(0.5), "500 µs"}, {FormatMs(30), "30 ms"}, {FormatMs(1500), "1.5 s"},
		{FormatCount(10000), "10k"}, {FormatCount(1e6), "1M"}, {FormatCount(500), "500"},
		{FormatMiB(600), "600 MiB"}, {FormatMiB(3072), "3 GiB"}, {FormatSeconds(4.25), "4.25 s"},
		{thousands(1000000), "1,000,000"}, {thousands(999), "999"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestReplaceBetween(t *testing.T) {
	const b, e = "<!-- b -->", "<!-- e -->"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"replaces", "intro\n" + b + "\nold\n" + e + "\nafter\n", "intro\n" + b + "\n\nnew\n\n" + e + "\nafter\n"},
		{"appends without markers", "intro\n", "intro\n\n## H\n\n" + b + "\n\nnew\n\n" + e + "\n"},
		{"appends when the end comes first", e + "\n" + b + "\n", e + "\n" + b + "\n\n## H\n\n" + b + "\n\nnew\n\n" + e + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReplaceBetween(tc.in, b, e, "## H", "\nnew\n"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func sampleReports() []Report {
	rows := func(scale float64) []RowResult {
		var out []RowResult
		for i, r := range Rows {
			out = append(out, RowResult{Key: r.Key, Name: r.Name, Stat: Stat{N: 20, P50: scale * float64(i+1), P90: scale * float64(i+2), Max: scale * 10}, NonEmpty: 20})
		}
		return out
	}
	return []Report{
		{Companies: 1000000, Date: "2026-12-06", Result: Result{Rows: rows(100)}, RSS: 2 << 30},
		{Companies: 10000, Date: "2026-12-06", Result: Result{Rows: rows(1)}, RSS: 90 * mib},
		{Companies: 100000, Date: "2026-12-06", Result: Result{Rows: rows(10)}, RSS: 700 * mib},
	}
}

func TestRenderDoc(t *testing.T) {
	doc := RenderDoc(sampleReports(), "exposure-cold.svg")
	i10, i100, i1m := strings.Index(doc, "### 10,000 companies"), strings.Index(doc, "### 100,000 companies"), strings.Index(doc, "### 1,000,000 companies")
	if i10 < 0 || i100 < i10 || i1m < i100 {
		t.Errorf("scales missing or out of order:\n%s", doc)
	}
	for _, want := range []string{
		"](exposure-cold.svg)",
		"| exposedCompanies, first for its date p50 ≤ 150 ms | 100,000 | 10.0 ms | met |",
		// 100,000: paths first for its date is row 5: 50 ms > 30 ms
		"| exposurePaths, first for its date p50 ≤ 30 ms | 100,000 | 50.0 ms | **missed** |",
		"| server RSS ≤ 600 MiB | 100,000 | 700 MiB | **missed** |",
		"| server RSS ≤ 3072 MiB | 1,000,000 | 2048 MiB | met |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("no %q in\n%s", want, doc)
		}
	}
	if got := RenderDoc(sampleReports()[:1], "x.svg"); !strings.Contains(got, "| 100,000 | not measured |") {
		t.Errorf("a scale not measured is not said:\n%s", got)
	}
}

func TestFigure(t *testing.T) {
	svg := Figure(sampleReports()).SVG()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not XML: %v", err)
		}
	}
	for _, r := range Rows {
		if !strings.Contains(svg, html.EscapeString(r.Name)) {
			t.Errorf("no series %q", r.Name)
		}
	}
	for _, want := range []string{"≤ 150 ms", "≤ 300 ms", "≤ 30 ms", "≤ 1.5 s", "≤ 600 MiB", "≤ 3 GiB", "10k", "100k", "1M"} {
		if !strings.Contains(svg, want) {
			t.Errorf("no %q in the figure", want)
		}
	}
}
