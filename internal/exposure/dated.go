package exposure

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Questions over a span of days — since, timelines — and what explains a
// change of exposure (docs/exposure.md). They need a store that follows a
// company's paths through time; the projection does (internal/projection,
// dated.go), the Cypher baseline does not, and they are refused on it.
type dated interface {
	// FirstHopDays returns, for each first hop (S0, S1) of a path q
	// counts of company id on some day of q.AsOf … to, the runs of days
	// (first and last) on which it is the first hop of such a path, in
	// order.
	FirstHopDays(ctx context.Context, id string, q domain.ExposureQuery, to domain.Date) (map[[2]string][][2]domain.Date, error)
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
	// ChangeDays returns, in order, the days from from to to (both
	// included) on which a licence, an export control or a supply link
	// starts or stops counting: between two of them, every exposure
	// answer stays the same.
	ChangeDays(ctx context.Context, from, to domain.Date) ([]domain.Date, error)
}

func (e *bound) dated() (dated, error) {
	if d, ok := e.store.(dated); ok {
		return d, nil
	}
	return nil, domain.Errorf(domain.CodeUnavailable, "this store does not answer questions over a span of days")
}

// ChangeDates returns the days of q.AsOf … q.To on which an exposure
// answer may differ from the day before.
func (e *bound) ChangeDates(ctx context.Context, q domain.DatesQuery) ([]domain.Date, error) {
	ds, err := e.dated()
	if err != nil {
		return nil, err
	}
	return ds.ChangeDays(ctx, q.From, q.To)
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

// ExposureTimeline: the runs of days on which each first hop of the
// company's paths is in use (FirstHopDays) give its exposure on every day
// of the span; runs of equal exposure are merged and each change is
// explained from the first hops of both sides.
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
	runs, err := ds.FirstHopDays(ctx, id, q, tq.To)
	if err != nil {
		return nil, err
	}
	// The company is exposed on the days some first hop is in use: count
	// the hops in use from each day a run starts or ends on.
	delta := map[domain.Date]int{q.AsOf: 0}
	for _, rs := range runs {
		for _, r := range rs {
			delta[r[0]]++
			if r[1].Before(tq.To) {
				delta[r[1].AddDays(1)]--
			}
		}
	}
	var out []domain.ExposureInterval
	inUse := 0
	for _, d := range slices.SortedFunc(maps.Keys(delta), func(a, b domain.Date) int { return a.Time().Compare(b.Time()) }) {
		inUse += delta[d]
		if exposed := inUse > 0; len(out) == 0 || out[len(out)-1].Exposed != exposed {
			if len(out) > 0 {
				out[len(out)-1].To = d.AddDays(-1)
			}
			out = append(out, domain.ExposureInterval{From: d, Exposed: exposed})
		}
	}
	out[len(out)-1].To = tq.To
	// Each hop's supplier goes to the intervals its runs meet (exposed
	// ones); a change is explained by the hops in use the day before it
	// and the day of it.
	suppliers := make([]map[string]bool, len(out))
	changes := make([][][2]string, len(out)) // the hops in use on out[i].From or the day before
	on := func(r [2]domain.Date, d domain.Date) bool { return !d.Before(r[0]) && !d.After(r[1]) }
	for h, rs := range runs {
		for _, r := range rs {
			i, _ := slices.BinarySearchFunc(out, r[0], func(x domain.ExposureInterval, d domain.Date) int { return x.To.Time().Compare(d.Time()) })
			for ; i < len(out) && !out[i].From.After(r[1]); i++ {
				if suppliers[i] == nil {
					suppliers[i] = map[string]bool{}
				}
				suppliers[i][h[0]] = true
				if i > 0 && on(r, out[i].From) {
					changes[i] = append(changes[i], h)
				}
				if i+1 < len(out) && on(r, out[i].To) {
					changes[i+1] = append(changes[i+1], h)
				}
			}
		}
	}
	for i := range out {
		out[i].UncoveredSuppliers = slices.Sorted(maps.Keys(suppliers[i]))
		if i == 0 {
			continue
		}
		b := out[i].From
		lics, ctrls, err := e.explain(ctx, ds, union(changes[i], nil), b.AddDays(-1), b)
		if err != nil {
			return nil, err
		}
		for _, x := range []*domain.ExposureInterval{&out[i-1], &out[i]} {
			x.Licences = append(x.Licences, lics...)
			x.Controls = append(x.Controls, ctrls...)
		}
	}
	for i := range out {
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
	return slices.SortedFunc(maps.Keys(set), comparePairs)
}

// sortedSet sorts xs and drops repeats (nil stays nil).
func sortedSet(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}
