package projection

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Searches for questions over a span of days (a company's since and
// timeline, what explains a change): the engine (internal/exposure)
// combines them with the searches of exposure.go.

// ChangeDays returns the days in (from, to], ascending, on which the
// exposure of company id within maxDepth may differ from the day before:
// the dates of the links that may lie on its paths (since; until), of the
// licences their Chinese suppliers hold that COVER the link's customer
// (validFrom; the day after validUntil; revokedOn) and of every export
// control. Between two of them nothing its exposure depends on changes.
func (v *View) ChangeDays(_ context.Context, id string, maxDepth int, from, to domain.Date) ([]domain.Date, error) {
	g := v.g
	a, ok := g.index[id]
	if !ok {
		return nil, nil
	}
	f, t := dayOf(from, openStart), dayOf(to, openStart)
	days := map[day]bool{}
	add := func(x day) {
		if x != openStart && x != openEnd && f < x && x <= t {
			days[x] = true
		}
	}
	// The companies a path may pass: those with a walk of at most
	// maxDepth-1 links to a, whatever the links' dates.
	in := map[int32]bool{a: true}
	frontier := []int32{a}
	for range maxDepth - 1 {
		var next []int32
		for _, c := range frontier {
			for _, l := range g.in[c] {
				if !in[l.other] {
					in[l.other] = true
					next = append(next, l.other)
				}
			}
		}
		frontier = next
	}
	for c := range in {
		for _, l := range g.in[c] {
			add(l.since)
			add(l.until)
			if g.country[l.other] != china {
				continue
			}
			for _, x := range g.coveringLicences(l.other, c) {
				add(x.validFrom)
				if x.validUntil != openEnd {
					add(x.validUntil + 1)
				}
				add(x.revok)
			}
		}
	}
	for _, x := range g.controls {
		add(x.effective)
		add(x.lifted)
		add(x.suspFrom)
		add(x.suspTo)
	}
	out := make([]domain.Date, 0, len(days))
	for _, x := range slices.Sorted(maps.Keys(days)) {
		out = append(out, dateOfDay(x))
	}
	return out, nil
}

// dateOfDay is the date of a day number.
func dateOfDay(x day) domain.Date { return domain.DateOf(time.Unix(int64(x)*86400, 0).UTC()) }

// ExposedFrom says whether company id has an exposure path q counts on
// q.AsOf and, when it has, from which day that path — the first found —
// has been one on every day up to q.AsOf, looking back to floor at most.
// The path stays one while its links stay current (back to the latest
// since among them) and its first hop stays uncovered (back to the last
// day on whose eve a control or licence date made it covered or not
// controlled); countries, confidences and sectors have no dates.
func (v *View) ExposedFrom(ctx context.Context, id string, q domain.ExposureQuery, floor domain.Date) (bool, domain.Date, error) {
	g := v.g
	a, ok := g.index[id]
	if !ok {
		return false, domain.Date{}, nil
	}
	var s0 int32
	var nodes []int32
	err := v.pathWalker(q)(ctx, a, q.MaxDepth, func(s int32, ns []int32, _ float64) bool {
		s0, nodes = s, slices.Clone(ns)
		return false
	})
	if err != nil || nodes == nil {
		return false, domain.Date{}, err
	}
	x, y := dayOf(q.AsOf, openStart), dayOf(floor, openStart)
	first, _ := g.linkOf(s0, nodes[0])
	y = max(y, first.since)
	for i := 0; i+1 < len(nodes); i++ {
		l, _ := g.linkOf(nodes[i], nodes[i+1])
		y = max(y, l.since)
	}
	for _, c := range g.hopDays(s0, nodes[0], first, y, x) {
		if !g.uncoveredInto(s0, nodes[0], first, c-1, g.controlledOn(c-1)) {
			return true, dateOfDay(c), nil
		}
	}
	return true, dateOfDay(y), nil
}

// hopDays returns the days in (lo, hi], latest first, on which whether
// the link l from s to c is an uncovered controlled hop may change, its
// own dates aside: the dates of the export controls and of the licences s
// holds that COVER c.
func (g *graph) hopDays(s, c int32, l link, lo, hi day) []day {
	var out []day
	add := func(x day) {
		if x != openStart && x != openEnd && lo < x && x <= hi && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	for _, x := range g.controls {
		add(x.effective)
		add(x.lifted)
		add(x.suspFrom)
		add(x.suspTo)
	}
	for _, x := range g.coveringLicences(s, c) {
		add(x.validFrom)
		if x.validUntil != openEnd {
			add(x.validUntil + 1)
		}
		add(x.revok)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// FirstHops returns, for each company of ids exposed on q.AsOf, the
// distinct first hops (S0, S1) of the paths q counts, sorted.
func (v *View) FirstHops(ctx context.Context, ids []string, q domain.ExposureQuery) (map[string][][2]string, error) {
	g := v.g
	walk := v.pathWalker(q)
	out := map[string][][2]string{}
	for _, id := range ids {
		a, ok := g.index[id]
		if !ok {
			continue
		}
		hops := map[[2]int32]bool{}
		err := walk(ctx, a, q.MaxDepth, func(s0 int32, nodes []int32, _ float64) bool {
			hops[[2]int32{s0, nodes[0]}] = true
			return true
		})
		if err != nil {
			return nil, err
		}
		for h := range hops {
			out[id] = append(out[id], [2]string{g.ids[h[0]], g.ids[h[1]]})
		}
		slices.SortFunc(out[id], func(x, y [2]string) int { return slices.Compare(x[:], y[:]) })
	}
	return out, nil
}

// ControlsInForce returns the export controls in force on d (rule 1),
// each with the materials it controls.
func (v *View) ControlsInForce(_ context.Context, d domain.Date) (map[string][]string, error) {
	g, dd := v.g, dayOf(d, openStart)
	out := map[string][]string{}
	for id, x := range g.controls {
		if x.inForce(dd) {
			out[id] = slices.Clone(x.Materials)
		}
	}
	return out, nil
}
