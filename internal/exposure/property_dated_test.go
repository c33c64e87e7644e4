package exposure_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
)

// The property test of the questions over days — since, timelines,
// exposureChanges — on one generated world: the engine, which works from
// the days on which something changes, against the reference, which
// works day by day (reference_dated_test.go).

// datedQuestions are the depths and minimum confidences asked.
var datedQuestions = []domain.ExposureQuery{{MaxDepth: 2}, {MaxDepth: 4, MinConfidence: ptr(0.6)}}

var (
	// The reference's days: since on the dates below needs two years
	// before them, timelines the span below. The controls of generated
	// worlds take effect on 2025-04-04: on 2026-06-01 every exposure began
	// within two years, on 2027-06-01 some began earlier.
	sweepFrom, sweepTo   = day("2024-05-31"), day("2027-06-01")
	sinceDates           = []domain.Date{day("2026-06-01"), day("2027-06-01")}
	timelineFrom         = day("2025-01-01")
	timelineTo           = day("2026-12-31")
	timelinesPerQuestion = 8
)

// datedTally counts what the comparisons exercised, to show the worlds
// make every case happen.
type datedTally struct {
	sinceSet, sinceNone, intervals, withLicences, withControls, changeControls int
}

func (a *datedTally) add(b datedTally) {
	a.sinceSet += b.sinceSet
	a.sinceNone += b.sinceNone
	a.intervals += b.intervals
	a.withLicences += b.withLicences
	a.withControls += b.withControls
	a.changeControls += b.changeControls
}

// check fails when the tally over all worlds missed a case.
func (a datedTally) check(t *testing.T) {
	t.Helper()
	t.Logf("dated questions: %+v", a)
	for name, n := range map[string]int{"a since within two years": a.sinceSet, "an exposure older than two years": a.sinceNone,
		"an interval explained by a licence": a.withLicences, "an interval explained by a control": a.withControls,
		"a change explained by a control": a.changeControls} {
		if n == 0 {
			t.Errorf("no world has %s: the comparisons do not exercise it", name)
		}
	}
}

func compareDated(ctx context.Context, t *testing.T, engine *exposure.Engine, ref *refWorld) datedTally {
	t.Helper()
	var tally datedTally
	for _, q := range datedQuestions {
		days := ref.sweep(q, sweepFrom, sweepTo)
		for _, asOf := range sinceDates {
			qa := q
			qa.AsOf = asOf
			want := ref.exposed(qa)
			for i := range want {
				want[i].Since = days.since(want[i].CompanyID, asOf)
				if want[i].Since.IsZero() {
					tally.sinceNone++
				} else {
					tally.sinceSet++
				}
			}
			var got []domain.ExposedCompany
			after := ""
			for range len(want)/9 + 2 {
				page, _, more, err := engine.ExposedCompanyPage(ctx, qa, domain.Page{First: 9, After: after},
					domain.ExposedFields{Details: true, Since: true})
				if err != nil {
					t.Fatalf("ExposedCompanyPage(%s) with since: %v", fmtQuery(qa), err)
				}
				got = append(got, page...)
				if !more {
					break
				}
				after = page[len(page)-1].CompanyID
			}
			if diff := exposedDiff(got, want, 20); diff != "" {
				t.Errorf("ExposedCompanyPage(%s) with since:\n%s", fmtQuery(qa), diff)
			}
		}

		// Timelines of the companies whose exposure changes most often in
		// the span, and of one never exposed.
		type run struct {
			id   string
			want []domain.ExposureInterval
		}
		var runs []run
		var never string
		for _, id := range ref.companyIDs {
			want := ref.timeline(days, id, timelineFrom, timelineTo)
			runs = append(runs, run{id, want})
			if never == "" && len(want) == 1 && !want[0].Exposed {
				never = id
			}
		}
		slices.SortStableFunc(runs, func(a, b run) int { return len(b.want) - len(a.want) })
		runs = runs[:min(len(runs), timelinesPerQuestion)]
		if never != "" {
			runs = append(runs, run{never, ref.timeline(days, never, timelineFrom, timelineTo)})
		}
		for _, r := range runs {
			tq := domain.TimelineQuery{CompanyID: r.id, ExposureQuery: q, To: timelineTo}
			tq.AsOf = timelineFrom
			got, err := engine.ExposureTimeline(ctx, tq)
			if err != nil {
				t.Fatalf("ExposureTimeline(%s, %s): %v", r.id, fmtQuery(tq.ExposureQuery), err)
			}
			if !reflect.DeepEqual(normIntervals(got), normIntervals(r.want)) {
				t.Errorf("ExposureTimeline(%s, %s … %s):\n engine    %s\n reference %s", r.id, fmtQuery(tq.ExposureQuery), timelineTo,
					fmtIntervals(got), fmtIntervals(r.want))
			}
			for _, x := range r.want {
				tally.intervals++
				if len(x.Licences) > 0 {
					tally.withLicences++
				}
				if len(x.Controls) > 0 {
					tally.withControls++
				}
			}
		}

		// exposureChanges between the property dates, and across a whole
		// year.
		pairs := [][2]string{{"2025-03-01", "2026-06-01"}}
		for i := 0; i+1 < len(propDates); i++ {
			pairs = append(pairs, [2]string{propDates[i], propDates[i+1]})
		}
		for _, p := range pairs {
			qc := q
			qc.AsOf = day(p[0])
			want := ref.changes(qc, day(p[1]))
			got, err := engine.ExposureChanges(ctx, domain.ChangesQuery{ExposureQuery: qc, To: day(p[1])})
			if err != nil {
				t.Fatalf("ExposureChanges(%s → %s): %v", fmtQuery(qc), p[1], err)
			}
			if !reflect.DeepEqual(normChanges(got), normChanges(want)) {
				t.Errorf("ExposureChanges(%s → %s):\n engine    %+v\n reference %+v", fmtQuery(qc), p[1], normChanges(got), normChanges(want))
			}
			for _, c := range append(want.NewlyExposed, want.NoLongerExposed...) {
				if len(c.Controls) > 0 {
					tally.changeControls++
				}
			}
		}
	}
	return tally
}

func normIntervals(xs []domain.ExposureInterval) []domain.ExposureInterval {
	out := slices.Clone(xs)
	for i := range out {
		out[i].UncoveredSuppliers = setOf(out[i].UncoveredSuppliers)
		out[i].Licences = setOf(out[i].Licences)
		out[i].Controls = setOf(out[i].Controls)
	}
	return out
}

func fmtIntervals(xs []domain.ExposureInterval) string {
	var s string
	for _, x := range xs {
		s += fmt.Sprintf("\n   %s…%s exposed=%v suppliers=%v licences=%v controls=%v", x.From, x.To, x.Exposed,
			x.UncoveredSuppliers, x.Licences, x.Controls)
	}
	return s
}

func normChanges(c domain.ExposureChanges) domain.ExposureChanges {
	norm := func(xs []domain.ExposureChange) []domain.ExposureChange {
		out := []domain.ExposureChange{}
		for _, x := range xs {
			x.Licences, x.Controls = setOf(x.Licences), setOf(x.Controls)
			out = append(out, x)
		}
		return out
	}
	c.NewlyExposed, c.NoLongerExposed = norm(c.NewlyExposed), norm(c.NoLongerExposed)
	return c
}

func ptr[T any](v T) *T { return &v }

func fmtConf(c *float64) string {
	if c == nil {
		return "null"
	}
	return fmt.Sprint(*c)
}

// sameConf compares confidences to 1e-9 (products taken in another
// order may differ in the last bits).
func sameConf(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) <= 1e-9)
}

// sameExposed compares every figure of two answers for a company.
func sameExposed(a, b domain.ExposedCompany) bool {
	return a.CompanyID == b.CompanyID && a.MinDepth == b.MinDepth && a.PathCount == b.PathCount &&
		slices.Equal(a.UncoveredSuppliers, b.UncoveredSuppliers) && sameConf(a.Confidence, b.Confidence) && a.Since.Equal(b.Since)
}
