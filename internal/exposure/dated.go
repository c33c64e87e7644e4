package exposure

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Questions over a span of days — since, timelines — and what explains a
// change of exposure (docs/exposure.md). They need a store that finds the
// days on which a company's exposure may change; the projection does
// (internal/projection, dated.go), the Cypher baseline does not, and they
// are refused on it.
type dated interface {
	// ChangeDays returns the days in (from, to], ascending, on which the
	// exposure of company id within maxDepth may differ from the day
	// before; between two of them it stays as it is.
	ChangeDays(ctx context.Context, id string, maxDepth int, from, to domain.Date) ([]domain.Date, error)
	// ExposedFrom says whether the company has a path q counts on
	// q.AsOf and, when it has, from which day (floor at the earliest) one
	// such path has been one on every day up to q.AsOf.
	ExposedFrom(ctx context.Context, id string, q domain.ExposureQuery, floor domain.Date) (bool, domain.Date, error)
	// FirstHops returns, per company of ids, the distinct first hops
	// (S0, S1) of the paths q counts on q.AsOf, sorted.
	FirstHops(ctx context.Context, ids []string, q domain.ExposureQuery) (map[string][][2]string, error)
	// ControlsInForce returns the controls in force on d with their
	// materials.
	ControlsInForce(ctx context.Context, d domain.Date) (map[string][]string, error)
}

func (e *bound) dated() (dated, error) {
	if d, ok := e.store.(dated); ok {
		return d, nil
	}
	return nil, domain.Errorf(domain.CodeUnavailable, "this store does not answer questions over a span of days")
}

// withSince fills Since into the companies of page, each exposed on
// q.AsOf; kept per version and question.
func (e *bound) withSince(ctx context.Context, v string, q domain.ExposureQuery, page []domain.ExposedCompany) error {
	if len(page) == 0 {
		return nil
	}
	ds, err := e.dated()
	if err != nil {
		return err
	}
	q.Sector = ""
	prefix := key("since|", v, "|", q.AsOf, "|", q.MaxDepth, "|", q.ConfidenceKey(), "|")
	for i := range page {
		k := prefix + page[i].CompanyID
		d, ok := e.c.since.Get(k)
		if !ok {
			if d, err = sinceOf(ctx, ds, page[i].CompanyID, q); err != nil {
				return err
			}
			e.c.since.Add(k, d)
		}
		page[i].Since = d
	}
	return nil
}

// sinceOf is the first day of the exposure of id (exposed on q.AsOf) that
// lasts to q.AsOf, when it lies within domain.SinceLookback years; zero
// otherwise. It follows paths back in time: a path found on a day has
// been one since some day y (ExposedFrom); the company was then exposed
// from y on, and the day before y decides — not exposed: y is the
// answer; exposed: look from there. A few paths usually cover the
// lookback.
func sinceOf(ctx context.Context, ds dated, id string, q domain.ExposureQuery) (domain.Date, error) {
	eve := domain.SinceFloor(q.AsOf).AddDays(-1)
	for day := q.AsOf; ; {
		qd := q
		qd.AsOf = day
		exposed, from, err := ds.ExposedFrom(ctx, id, qd, eve)
		if err != nil || !exposed {
			if day.Equal(q.AsOf) { // not exposed at all: no since
				return domain.Date{}, err
			}
			return day.AddDays(1), err
		}
		if !from.After(eve) {
			return domain.Date{}, nil // exposed on the floor's eve too
		}
		day = from.AddDays(-1)
	}
}

// ExposureTimeline: the company's exposure on each of its change days in
// the span (and on its first day), runs of equal exposure merged.
func (e *bound) ExposureTimeline(ctx context.Context, tq domain.TimelineQuery) ([]domain.ExposureInterval, error) {
	ds, err := e.dated()
	if err != nil {
		return nil, err
	}
	id := tq.CompanyID
	if ok, err := e.store.CompanyExists(ctx, id); err != nil {
		return nil, err
	} else if !ok {
		return nil, &domain.Error{Code: domain.CodeNotFound, Field: "companyId", Message: fmt.Sprintf("no company %q", id)}
	}
	q := tq.ExposureQuery
	q.Sector = ""
	k := key("timeline|", e.store.Version(), "|", q.AsOf, "|", tq.To, "|", q.MaxDepth, "|", q.ConfidenceKey(), "|", id)
	if hit, ok := e.c.spans.Get(k); ok {
		return hit, nil
	}
	days, err := ds.ChangeDays(ctx, id, q.MaxDepth, q.AsOf, tq.To)
	if err != nil {
		return nil, err
	}
	// Days of constant exposure start on the first day and on each change
	// day; each has its first hops (none: not exposed).
	starts := append([]domain.Date{q.AsOf}, days...)
	hops := make([][][2]string, len(starts))
	for i, d := range starts {
		qd := q
		qd.AsOf = d
		got, err := ds.FirstHops(ctx, []string{id}, qd)
		if err != nil {
			return nil, err
		}
		hops[i] = got[id]
	}
	var out []domain.ExposureInterval
	var opens []int // the start that opens each interval after the first
	for i, d := range starts {
		exposed := len(hops[i]) > 0
		if len(out) == 0 || out[len(out)-1].Exposed != exposed {
			if len(out) > 0 {
				out[len(out)-1].To = d.AddDays(-1)
				opens = append(opens, i)
			}
			out = append(out, domain.ExposureInterval{From: d, Exposed: exposed})
		}
		cur := &out[len(out)-1]
		for _, h := range hops[i] {
			cur.UncoveredSuppliers = append(cur.UncoveredSuppliers, h[0])
		}
	}
	out[len(out)-1].To = tq.To
	// The day an interval opens, the one before it closes: the first hops
	// of both days explain the change.
	for j, i := range opens {
		b := starts[i]
		lics, ctrls, err := e.explain(ctx, ds, union(hops[i-1], hops[i]), b.AddDays(-1), b)
		if err != nil {
			return nil, err
		}
		for _, x := range []*domain.ExposureInterval{&out[j], &out[j+1]} {
			x.Licences = append(x.Licences, lics...)
			x.Controls = append(x.Controls, ctrls...)
		}
	}
	for i := range out {
		out[i].UncoveredSuppliers = sortedSet(out[i].UncoveredSuppliers)
		out[i].Licences = sortedSet(out[i].Licences)
		out[i].Controls = sortedSet(out[i].Controls)
	}
	e.c.spans.Add(k, out)
	return out, nil
}

// explain returns what explains a change of exposure between the dates
// before and after through the first hops hops (of the paths on either
// date): the licences considered on those hops whose validity starts, ends
// or is revoked in (before, after], and the controls whose change altered
// whether a material of those hops is controlled (changedControls).
func (e *bound) explain(ctx context.Context, ds dated, hops [][2]string, before, after domain.Date) (licences, controls []string, err error) {
	if len(hops) == 0 {
		return nil, nil, nil
	}
	judged, err := e.store.ClassifyHops(ctx, hops, after)
	if err != nil {
		return nil, nil, err
	}
	var suppliers, mats []string
	for _, h := range judged {
		suppliers = append(suppliers, h.Supplier)
		mats = append(mats, h.Materials...)
	}
	bySupplier, _, err := e.store.DatedChanges(ctx, sortedSet(suppliers), before, after)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range judged {
		for _, l := range h.Licences {
			if slices.Contains(bySupplier[h.Supplier], l) {
				licences = append(licences, l)
			}
		}
	}
	ch, err := changedControls(ctx, ds, before, after)
	if err != nil {
		return nil, nil, err
	}
	return sortedSet(licences), ch.cited(mats), nil
}

// controlChange is how export controls differ between two dates: the
// controls in force on one and not the other, with their materials, and
// the materials controlled (rule 1) on one and not the other.
type controlChange struct {
	controls map[string][]string
	mats     map[string]bool
}

func changedControls(ctx context.Context, ds dated, a, b domain.Date) (controlChange, error) {
	onA, err := ds.ControlsInForce(ctx, a)
	if err != nil {
		return controlChange{}, err
	}
	onB, err := ds.ControlsInForce(ctx, b)
	if err != nil {
		return controlChange{}, err
	}
	ch := controlChange{controls: map[string][]string{}, mats: map[string]bool{}}
	controlled := func(on map[string][]string) map[string]bool {
		out := map[string]bool{}
		for _, ms := range on {
			for _, m := range ms {
				out[m] = true
			}
		}
		return out
	}
	ca, cb := controlled(onA), controlled(onB)
	for m := range ca {
		if !cb[m] {
			ch.mats[m] = true
		}
	}
	for m := range cb {
		if !ca[m] {
			ch.mats[m] = true
		}
	}
	for _, pair := range [][2]map[string][]string{{onA, onB}, {onB, onA}} {
		for id, ms := range pair[0] {
			if _, ok := pair[1][id]; !ok {
				ch.controls[id] = ms
			}
		}
	}
	return ch, nil
}

// cited returns, sorted, the changed controls that control a material of
// mats whose being controlled changed.
func (ch controlChange) cited(mats []string) []string {
	var out []string
	for id, ms := range ch.controls {
		if slices.ContainsFunc(ms, func(m string) bool { return ch.mats[m] && slices.Contains(mats, m) }) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// none says nothing changed.
func (ch controlChange) none() bool { return len(ch.controls) == 0 }

func union(a, b [][2]string) [][2]string {
	set := map[[2]string]bool{}
	for _, h := range append(slices.Clone(a), b...) {
		set[h] = true
	}
	return slices.SortedFunc(maps.Keys(set), func(x, y [2]string) int { return slices.Compare(x[:], y[:]) })
}

// sortedSet sorts xs and drops repeats (nil stays nil).
func sortedSet(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}
