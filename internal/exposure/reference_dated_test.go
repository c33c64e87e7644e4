package exposure_test

// The reference of the evidence questions (docs/exposure.md): a path's
// confidence and the minimum confidence (walk counts only the paths that
// meet it), a company's exposure since, its timeline, and what explains a
// change of exposure. Since and timelines are computed day by day, by
// their definitions; the engine computes them from the days on which
// something its exposure depends on changes.
//
//   - since: the first day d <= asOf such that the company is exposed on
//     every day from d to asOf, when d is no earlier than asOf less two
//     calendar years; else none.
//   - timeline: the longest runs of days of [from, to] on which the
//     company is exposed, or is not; each run's uncoveredSuppliers are the
//     S0 of its counted paths on any of its days.
//   - What explains a change between two days a < b, for a company, given
//     the first hops H of its counted paths (on the day it is exposed; for
//     a timeline, on the day before a run opens and the day it opens):
//     licences: those a supplier of a hop of H holds that COVER the hop's
//     customer (timeline) or that an S0 holds (exposureChanges), with
//     validFrom in (a, b], validUntil in [a, b) or revokedOn in (a, b];
//     controls: those in force on one of a, b and not the other that
//     control a material of a link of H whose being controlled (rule 1)
//     differs between a and b.

import (
	"maps"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// confidence is the product of the confidence of the links along nodes,
// first link first; false when a link has none.
func (w *refWorld) confidence(nodes []string) (float64, bool) {
	p := 1.0
	for i := 0; i+1 < len(nodes); i++ {
		c := w.links[[2]string{nodes[i], nodes[i+1]}].Confidence
		if c == nil {
			return 0, false
		}
		p *= *c
	}
	return p, true
}

// counts says whether the path nodes counts for q's minimum confidence.
func (w *refWorld) counts(q domain.ExposureQuery, nodes []string) bool {
	if q.MinConfidence == nil {
		return true
	}
	c, ok := w.confidence(nodes)
	return ok && c >= *q.MinConfidence-1e-9
}

// hopSet is a set of first hops [S0, S1].
type hopSet map[[2]string]bool

// firstHopsOn returns, for each company exposed for q (its sector
// ignored), the first hops of its counted paths.
func (w *refWorld) firstHopsOn(q domain.ExposureQuery) map[string]hopSet {
	out := map[string]hopSet{}
	w.walk(q, func(nodes []string) {
		a := nodes[len(nodes)-1]
		if out[a] == nil {
			out[a] = hopSet{}
		}
		out[a][[2]string{nodes[0], nodes[1]}] = true
	})
	return out
}

// refDays is every company's first hops on each day of a span, for one
// question's depth and minimum confidence.
type refDays struct {
	from domain.Date
	days []map[string]hopSet
}

func (w *refWorld) sweep(q domain.ExposureQuery, from, to domain.Date) *refDays {
	r := &refDays{from: from}
	for d := from; !d.After(to); d = d.AddDays(1) {
		q.AsOf = d
		r.days = append(r.days, w.firstHopsOn(q))
	}
	return r
}

// on is the first hops of each company exposed on d.
func (r *refDays) on(d domain.Date) map[string]hopSet {
	i := int(d.Time().Sub(r.from.Time()).Hours() / 24)
	if i < 0 || i >= len(r.days) {
		panic("refDays: " + d.String() + " is outside the sweep")
	}
	return r.days[i]
}

// since is the first day of the company's exposure lasting to asOf (it is
// exposed on asOf), or zero when it started more than two years earlier.
func (r *refDays) since(company string, asOf domain.Date) domain.Date {
	floor := domain.DateOf(asOf.Time().AddDate(-2, 0, 0))
	for d := asOf; !d.Before(floor); d = d.AddDays(-1) {
		if len(r.on(d.AddDays(-1))[company]) == 0 {
			return d
		}
	}
	return domain.Date{}
}

// timeline is the company's exposure from from to to, day by day, runs
// merged, each boundary explained.
func (w *refWorld) timeline(r *refDays, company string, from, to domain.Date) []domain.ExposureInterval {
	var out []domain.ExposureInterval
	for d := from; !d.After(to); d = d.AddDays(1) {
		hops := r.on(d)[company]
		exposed := len(hops) > 0
		if len(out) == 0 || out[len(out)-1].Exposed != exposed {
			if len(out) > 0 {
				prev := d.AddDays(-1)
				out[len(out)-1].To = prev
				both := maps.Clone(r.on(prev)[company])
				if both == nil {
					both = hopSet{}
				}
				maps.Copy(both, hops)
				lics, ctrls := w.explainHops(both, prev, d)
				out[len(out)-1].Licences = append(out[len(out)-1].Licences, lics...)
				out[len(out)-1].Controls = append(out[len(out)-1].Controls, ctrls...)
				out = append(out, domain.ExposureInterval{From: d, Exposed: exposed, Licences: lics, Controls: ctrls})
			} else {
				out = append(out, domain.ExposureInterval{From: d, Exposed: exposed})
			}
		}
		for h := range hops {
			out[len(out)-1].UncoveredSuppliers = append(out[len(out)-1].UncoveredSuppliers, h[0])
		}
	}
	out[len(out)-1].To = to
	for i := range out {
		out[i].UncoveredSuppliers = setOf(out[i].UncoveredSuppliers)
		out[i].Licences = setOf(out[i].Licences)
		out[i].Controls = setOf(out[i].Controls)
	}
	return out
}

// explainHops is what explains a change between the days a and b through
// the first hops hops: the licences COVERing a hop's customer that its
// supplier holds, dated in the window, and the controls cited.
func (w *refWorld) explainHops(hops hopSet, a, b domain.Date) (licences, controls []string) {
	var mats []string
	for h := range hops {
		mats = append(mats, w.links[h].Materials...)
		for _, id := range w.considered(h[0], h[1]) {
			if datedIn(w.licences[id], a, b) {
				licences = append(licences, id)
			}
		}
	}
	return setOf(licences), w.citedControls(mats, a, b)
}

// datedIn says whether a licence's validity starts, ends or is revoked in
// the window: validFrom in (a, b], validUntil in [a, b), revokedOn in
// (a, b].
func datedIn(l domain.Licence, a, b domain.Date) bool {
	in := func(x domain.Date) bool { return !x.IsZero() && x.After(a) && !x.After(b) }
	ends := !l.ValidUntil.IsZero() && !l.ValidUntil.Before(a) && l.ValidUntil.Before(b)
	return in(l.ValidFrom) || ends || in(l.RevokedOn)
}

// citedControls are the controls in force on one of a, b and not the
// other that control a material of mats whose being controlled differs
// between a and b, sorted.
func (w *refWorld) citedControls(mats []string, a, b domain.Date) []string {
	var out []string
	for _, c := range w.controls {
		if inForce(c, a) == inForce(c, b) {
			continue
		}
		if slices.ContainsFunc(c.Materials, func(m string) bool {
			return slices.Contains(mats, m) && w.controlled(m, a) != w.controlled(m, b)
		}) {
			out = append(out, c.ID)
		}
	}
	slices.Sort(out)
	return out
}

// changes is exposureChanges from q.AsOf to to: who is exposed only on
// one of the dates, each with the licences of its S0s dated in the window
// and the controls cited for the first hops of its paths, both on the
// date it is exposed.
func (w *refWorld) changes(q domain.ExposureQuery, to domain.Date) domain.ExposureChanges {
	qTo := q
	qTo.AsOf = to
	before, after := w.exposed(q), w.exposed(qTo)
	hopsFrom, hopsTo := w.firstHopsOn(q), w.firstHopsOn(qTo)
	only := func(xs, ys []domain.ExposedCompany, hops map[string]hopSet) []domain.ExposureChange {
		out := []domain.ExposureChange{}
		for _, x := range xs {
			if slices.ContainsFunc(ys, func(y domain.ExposedCompany) bool { return y.CompanyID == x.CompanyID }) {
				continue
			}
			c := domain.ExposureChange{CompanyID: x.CompanyID}
			for _, s0 := range x.UncoveredSuppliers {
				for _, id := range w.held[s0] {
					if datedIn(w.licences[id], q.AsOf, to) {
						c.Licences = append(c.Licences, id)
					}
				}
			}
			var mats []string
			for h := range hops[x.CompanyID] {
				mats = append(mats, w.links[h].Materials...)
			}
			c.Licences, c.Controls = setOf(c.Licences), w.citedControls(mats, q.AsOf, to)
			out = append(out, c)
		}
		return out
	}
	return domain.ExposureChanges{From: q.AsOf, To: to,
		NewlyExposed: only(after, before, hopsTo), NoLongerExposed: only(before, after, hopsFrom)}
}

// setOf sorts xs and drops repeats; empty is nil.
func setOf(xs []string) []string {
	slices.Sort(xs)
	xs = slices.Compact(xs)
	if len(xs) == 0 {
		return nil
	}
	return xs
}
