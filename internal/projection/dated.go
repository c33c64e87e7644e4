package projection

import (
	"context"
	"slices"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Searches for questions over a span of days (a company's since and
// timeline, what explains a change): the engine (internal/exposure)
// combines them with the searches of exposure.go.

// span is the days lo … hi-1.
type span struct{ lo, hi day }

// FirstHopDays returns, for each first hop (S0, S1) of an exposure path
// of company id that q counts on some day from q.AsOf to to (both
// included), the runs of days on which it is the first hop of such a
// path, in order, each as its first and last day.
//
// One walk back from the company over every link current on some day of
// the span finds the paths of all those days at once: each carries the
// days on which all its links are current, and a path counts on those of
// them on which its first hop is an uncovered controlled hop (judged on
// the days the hop's licences, controls and dates change). Walking back
// once per day would repeat the same walk on up to MaxTimelineDays days.
func (v *View) FirstHopDays(ctx context.Context, id string, q domain.ExposureQuery, to domain.Date) (map[[2]string][][2]domain.Date, error) {
	g := v.g
	a, ok := g.index[id]
	if !ok {
		return nil, nil
	}
	from, end := dayOf(q.AsOf, openStart), dayOf(to, openStart)+1
	floor := confFloor(q)
	found := map[[2]int32][]span{} // per first hop, the days of each path through it (merged now and then)
	path := []int32{a}             // reversed: a first
	var confs []float64            // reversed, as in walkBack
	onPath := map[int32]bool{a: true}
	steps := 0
	var walk func(c int32, days span, prod float64) error
	walk = func(c int32, days span, prod float64) error {
		if steps++; steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if g.origin[c] == originAbroad {
			fwd := make([]float64, len(confs))
			for i, x := range confs {
				fwd[len(confs)-1-i] = x
			}
			for _, l := range g.in[c] {
				s := l.other
				if g.origin[s] != originCN || onPath[s] || !q.Counts(pathConf(g.linkConf(l), fwd)) {
					continue
				}
				if d := (span{max(days.lo, l.since), min(days.hi, l.until)}); d.lo < d.hi {
					h := [2]int32{s, c}
					if found[h] = append(found[h], d); len(found[h]) >= 64 {
						found[h] = mergeSpans(found[h])
					}
				}
			}
		}
		if len(path) >= q.MaxDepth {
			return nil
		}
		for _, l := range g.in[c] {
			s := l.other
			d := span{max(days.lo, l.since), min(days.hi, l.until)}
			lc := g.linkConf(l)
			p := prod * lc
			if onPath[s] || d.lo >= d.hi || (floor > 0 && !(p >= floor)) {
				continue
			}
			onPath[s] = true
			path, confs = append(path, s), append(confs, lc)
			err := walk(s, d, p)
			path, confs = path[:len(path)-1], confs[:len(confs)-1]
			delete(onPath, s)
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(a, span{from, end}, 1); err != nil {
		return nil, err
	}
	controlled := map[day][]bool{}
	out := make(map[[2]string][][2]domain.Date, len(found))
	for h, spans := range found {
		l, _ := g.linkOf(h[0], h[1])
		var runs [][2]domain.Date
		for _, d := range intersectSpans(mergeSpans(spans), g.uncoveredSpans(h[0], h[1], l, span{from, end}, controlled)) {
			runs = append(runs, [2]domain.Date{dateOfDay(d.lo), dateOfDay(d.hi - 1)})
		}
		if len(runs) > 0 {
			out[[2]string{g.ids[h[0]], g.ids[h[1]]}] = runs
		}
	}
	return out, nil
}

// uncoveredSpans returns the runs of days of within on which the link l
// from s to c is an uncovered controlled hop (rules 1–4), in order;
// controlled keeps controlledOn per day between calls.
func (g *graph) uncoveredSpans(s, c int32, l link, within span, controlled map[day][]bool) []span {
	judge := func(d day) bool {
		cm, ok := controlled[d]
		if !ok {
			cm = g.controlledOn(d)
			controlled[d] = cm
		}
		return g.uncoveredInto(s, c, l, d, cm)
	}
	var out []span
	starts := append([]day{within.lo}, g.hopDays(s, c, l, within.lo, within.hi-1)...)
	for i, d := range starts {
		next := within.hi
		if i+1 < len(starts) {
			next = starts[i+1]
		}
		if !judge(d) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].hi == d {
			out[n-1].hi = next
		} else {
			out = append(out, span{d, next})
		}
	}
	return out
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return int(a.lo) - int(b.lo) })
	out := spans[:0]
	for _, d := range spans {
		if n := len(out); n > 0 && d.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, d.hi)
		} else {
			out = append(out, d)
		}
	}
	return out
}

// intersectSpans is the days in both sorted, disjoint lists.
func intersectSpans(a, b []span) []span {
	var out []span
	for i, j := 0, 0; i < len(a) && j < len(b); {
		if d := (span{max(a[i].lo, b[j].lo), min(a[i].hi, b[j].hi)}); d.lo < d.hi {
			out = append(out, d)
		}
		if a[i].hi < b[j].hi {
			i++
		} else {
			j++
		}
	}
	return out
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
	days := g.hopDays(s0, nodes[0], first, y, x)
	for i := len(days) - 1; i >= 0; i-- {
		if c := days[i]; !g.uncoveredInto(s0, nodes[0], first, c-1, g.controlledOn(c-1)) {
			return true, dateOfDay(c), nil
		}
	}
	return true, dateOfDay(y), nil
}

// hopDays returns the days in (lo, hi], ascending, on which whether the
// link l from s to c is an uncovered controlled hop may differ from the
// day before: its own dates, those of the export controls and those of
// the licences s holds that COVER c.
func (g *graph) hopDays(s, c int32, l link, lo, hi day) []day {
	var out []day
	add := func(x day) {
		if x != openStart && x != openEnd && lo < x && x <= hi && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	add(l.since)
	add(l.until)
	for _, x := range g.controls {
		for _, d := range x.changeDays() {
			add(d)
		}
	}
	for _, x := range g.coveringLicences(s, c) {
		for _, d := range x.changeDays() {
			add(d)
		}
	}
	slices.Sort(out)
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
