package exposure_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
)

// The evidence questions pinned on hand-built worlds: path confidence and
// minConfidence (also run by the engine: exposureCases), since, timelines
// and what explains a change (datedCases, also run by the engine).

// sure is a link with a confidence.
func sure(l domain.SupplyLink, c float64) domain.SupplyLink {
	l.Confidence = &c
	return l
}

// product multiplies at run time, as the rules do (a constant expression
// would be exact).
func product(cs ...float64) *float64 {
	p := 1.0
	for _, c := range cs {
		p *= c
	}
	return &p
}

func confidenceCases() []exposureCase {
	// A path CN1→F1→F2 and a branch F1→F3 whose link has no confidence.
	chain := []any{sure(link("CN1", "F1", "Dy"), 0.8), sure(link("F1", "F2"), 0.5), link("F1", "F3")}
	// 0.7 × 0.1 is 0.06999999999999999 in binary: it meets 0.07 within
	// the tolerance; 0.69 × 0.1 does not.
	rounding := []any{sure(link("CN1", "F1", "Dy"), 0.7), sure(link("F1", "F2"), 0.1),
		sure(link("CN2", "F3", "Dy"), 0.69), sure(link("F3", "F4"), 0.1)}
	// F2 at depth 2 with confidence 0.2 and at depth 3 with 0.6.
	twoWays := []any{sure(link("CN1", "F1", "Dy"), 0.4), sure(link("F1", "F2"), 0.5),
		sure(link("CN2", "F3", "Dy"), 1), sure(link("F3", "F4"), 0.6), sure(link("F4", "F2"), 1)}
	// CN1 is reached again (F1→CN1): the walk CN1→F1→CN1→F2 passes its
	// S0 twice and is no path; CN2→F2 is one, of confidence 0.3.
	backToSource := []any{sure(link("CN1", "F1", "Dy"), 1), sure(link("F1", "CN1"), 1), sure(link("CN1", "F2"), 1),
		sure(link("CN2", "F2", "Dy"), 0.3)}
	// F1 has a clean path (from CN2, not reached again) of 0.65 and one
	// from CN1 (reached again) of 1: both meet 0.6, only the second
	// carries F4 over it.
	betterThanClean := []any{sure(link("CN1", "F1", "Dy"), 1), sure(link("F1", "CN1"), 0.9), sure(link("CN2", "F1", "Dy"), 0.65),
		sure(link("F1", "F4"), 0.9)}
	return []exposureCase{
		{
			name: "path confidence is the product of its links', none when a link has none", extra: chain, maxDepth: 4,
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.8)},
				{CompanyID: "F2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.8, 0.5)},
				{CompanyID: "F3", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
			},
		},
		{
			name: "minConfidence drops paths of unknown or lower confidence", extra: chain, maxDepth: 4, minConfidence: product(0.5),
			want:  []domain.ExposedCompany{{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.8)}},
			paths: map[string][]string{"F1": {"CN1>F1"}, "F2": nil, "F3": nil},
		},
		{
			name: "minConfidence met exactly counts", extra: chain, maxDepth: 4, minConfidence: product(0.4),
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.8)},
				{CompanyID: "F2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.8, 0.5)},
			},
		},
		{
			name: "minConfidence within the tolerance counts", extra: rounding, maxDepth: 4, minConfidence: product(0.07),
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.7)},
				{CompanyID: "F2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(0.7, 0.1)},
				{CompanyID: "F3", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN2"}, Confidence: product(0.69)},
			},
		},
		{
			name: "minDepth and pathCount count only the paths that meet minConfidence", extra: twoWays, maxDepth: 4, minConfidence: product(0.5),
			want: []domain.ExposedCompany{
				{CompanyID: "F2", MinDepth: 3, PathCount: 1, UncoveredSuppliers: []string{"CN2"}, Confidence: product(1, 0.6, 1)},
				{CompanyID: "F3", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN2"}, Confidence: product(1)},
				{CompanyID: "F4", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN2"}, Confidence: product(1, 0.6)},
			},
			paths: map[string][]string{"F2": {"CN2>F3>F4>F2"}},
		},
		{
			name: "a walk back through its source is no path, with minConfidence too", extra: backToSource, maxDepth: 4, minConfidence: product(0.5),
			want: []domain.ExposedCompany{{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(1)}},
		},
		{
			name: "a path from a source reached again beats a clean one", extra: betterThanClean, maxDepth: 4, minConfidence: product(0.6),
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 2, UncoveredSuppliers: []string{"CN1", "CN2"}, Confidence: product(1)},
				{CompanyID: "F4", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}, Confidence: product(1, 0.9)},
			},
		},
	}
}

// datedCase is a world with the answers on it of since (asOf: company →
// first day, zero for none), a timeline and exposureChanges.
type datedCase struct {
	name     string
	extra    []any
	asOf     domain.Date
	since    map[string]domain.Date
	timeline struct {
		company  string
		from, to domain.Date
		want     []domain.ExposureInterval
	}
	changes struct {
		from, to domain.Date
		want     []domain.ExposureChange // newly exposed, then no longer
	}
}

func datedCases() []datedCase {
	// CN1 supplies F1 with Dy (controlled from 2025-04-04, C-DY) since
	// 2025-03-01; L1 covers it in June 2025. F1 supplies F2 from
	// 2025-08-01. C-HO is suspended from before it takes effect until
	// 2026-11-10 and controls nothing on these links: never cited.
	base := []any{
		domain.SupplyLink{Supplier: "CN1", Customer: "F1", Materials: []string{"Dy"}, Since: day("2025-03-01")},
		domain.SupplyLink{Supplier: "F1", Customer: "F2", Since: day("2025-08-01")},
		with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) { l.ValidFrom, l.ValidUntil = day("2025-06-01"), day("2025-06-30") }),
	}
	var c datedCase
	c.name, c.extra, c.asOf = "a licence and a control open and close intervals", base, day("2025-09-01")
	c.since = map[string]domain.Date{"F1": day("2025-07-01"), "F2": day("2025-08-01")}
	c.timeline.company, c.timeline.from, c.timeline.to = "F1", day("2025-03-15"), day("2025-12-31")
	c.timeline.want = []domain.ExposureInterval{
		{From: day("2025-03-15"), To: day("2025-04-03"), Controls: []string{"C-DY"}},
		{From: day("2025-04-04"), To: day("2025-05-31"), Exposed: true, UncoveredSuppliers: []string{"CN1"}, Controls: []string{"C-DY"}, Licences: []string{"L1"}},
		{From: day("2025-06-01"), To: day("2025-06-30"), Licences: []string{"L1"}},
		{From: day("2025-07-01"), To: day("2025-12-31"), Exposed: true, UncoveredSuppliers: []string{"CN1"}, Licences: []string{"L1"}},
	}
	c.changes.from, c.changes.to = day("2025-03-15"), day("2025-12-31")
	c.changes.want = []domain.ExposureChange{{CompanyID: "F1", Licences: []string{"L1"}, Controls: []string{"C-DY"}}, {CompanyID: "F2", Licences: []string{"L1"}, Controls: []string{"C-DY"}}}

	// Exposed without a break since before the lookback: no since.
	var old datedCase
	old.name, old.extra, old.asOf = "an exposure older than two years has no since", base[:1], day("2027-05-01")
	old.since = map[string]domain.Date{"F1": {}}
	old.timeline.company, old.timeline.from, old.timeline.to = "F1", day("2026-01-01"), day("2026-12-31")
	old.timeline.want = []domain.ExposureInterval{{From: day("2026-01-01"), To: day("2026-12-31"), Exposed: true, UncoveredSuppliers: []string{"CN1"}}}
	old.changes.from, old.changes.to = day("2025-11-01"), day("2026-12-01") // C-HO's dates between: not cited
	return []datedCase{c, old}
}

func TestRuleDated(t *testing.T) {
	for _, tc := range datedCases() {
		t.Run(tc.name, func(t *testing.T) {
			w := world(tc.extra...)
			q := domain.ExposureQuery{MaxDepth: 4}
			days := w.sweep(q, day("2024-01-01"), day("2027-12-31"))
			for company, want := range tc.since {
				if got := days.since(company, tc.asOf); !got.Equal(want) {
					t.Errorf("since of %s on %s = %s, want %s", company, tc.asOf, got, want)
				}
			}
			tl := tc.timeline
			if got := w.timeline(days, tl.company, tl.from, tl.to); !reflect.DeepEqual(normIntervals(got), normIntervals(tl.want)) {
				t.Errorf("timeline of %s:%s\nwant%s", tl.company, fmtIntervals(got), fmtIntervals(tl.want))
			}
			q.AsOf = tc.changes.from
			got := w.changes(q, tc.changes.to)
			if all := append(got.NewlyExposed, got.NoLongerExposed...); !reflect.DeepEqual(all, tc.changes.want) && len(all)+len(tc.changes.want) > 0 {
				t.Errorf("changes = %+v, want %+v", all, tc.changes.want)
			}
		})
	}
}

// engineOnDatedCases runs the dated cases on the engine (a world loaded
// by load) against the reference.
func engineOnDatedCases(t *testing.T, engine *exposure.Engine, load func(*testing.T, []any) *refWorld) {
	ctx := context.Background()
	for _, tc := range datedCases() {
		t.Run("dated/"+tc.name, func(t *testing.T) {
			ref := load(t, tc.extra)
			q := domain.ExposureQuery{AsOf: tc.asOf, MaxDepth: 4}
			days := ref.sweep(q, day("2024-01-01"), day("2027-12-31"))
			want := ref.exposed(q)
			for i := range want {
				want[i].Since = days.since(want[i].CompanyID, tc.asOf)
			}
			got, _, _, err := engine.ExposedCompanyPage(ctx, q, domain.Page{First: 100}, domain.ExposedFields{Details: true, Since: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := exposedDiff(got, want, 20); diff != "" {
				t.Errorf("with since:\n%s", diff)
			}
			tl := tc.timeline
			tq := domain.TimelineQuery{CompanyID: tl.company, ExposureQuery: domain.ExposureQuery{AsOf: tl.from, MaxDepth: 4}, To: tl.to}
			spans, err := engine.ExposureTimeline(ctx, tq)
			if err != nil {
				t.Fatal(err)
			}
			if wantSpans := ref.timeline(days, tl.company, tl.from, tl.to); !reflect.DeepEqual(normIntervals(spans), normIntervals(wantSpans)) {
				t.Errorf("timeline:%s\nreference%s", fmtIntervals(spans), fmtIntervals(wantSpans))
			}
			qc := domain.ExposureQuery{AsOf: tc.changes.from, MaxDepth: 4}
			changes, err := engine.ExposureChanges(ctx, domain.ChangesQuery{ExposureQuery: qc, To: tc.changes.to})
			if err != nil {
				t.Fatal(err)
			}
			if wantChanges := ref.changes(qc, tc.changes.to); !reflect.DeepEqual(normChanges(changes), normChanges(wantChanges)) {
				t.Errorf("changes = %+v\nreference %+v", normChanges(changes), normChanges(wantChanges))
			}
		})
	}
}
