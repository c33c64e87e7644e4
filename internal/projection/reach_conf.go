package projection

import (
	"cmp"
	"context"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// reachConf is reach when only paths of confidence at least q's minimum
// count (docs/exposure.md, "minConfidence"). The same three steps, each
// carrying the best product of link confidences instead of a mark:
//
//   - the walks level by level keep, per company and level, the highest
//     product of a walk there, and drop walks whose product misses the
//     minimum (adding links only lowers it). Cutting the cycles out of a
//     walk that does not pass its own S0 again leaves a simple path no
//     longer and of no lower product, so the least level at which a
//     company has a valid walk that meets the minimum is its minDepth;
//   - R is the S0s these walks reach: a walk from an S0 outside R never
//     passes it again (its prefixes meet the minimum too), so the clean
//     walks start from each S1 with the best hop from such an S0;
//   - walks from S0s in R carry labels (S0, product); a label whose
//     product a clean walk to the same company and level equals or beats
//     is dropped (the clean walk does whatever it does, and is always
//     valid), and at most maxDepth labels are kept per company, the
//     highest: a walk passes at most maxDepth-1 more companies, each
//     removing at most one label, and the best of those left is at least
//     as good as any dropped.
func (v *View) reachConf(ctx context.Context, q domain.ExposureQuery) []exposedIdx {
	g, maxDepth := v.g, q.MaxDepth
	dd := dayOf(q.AsOf, openStart)
	n := len(g.ids)
	firsts := v.firstHops(q.AsOf)
	// best first-hop confidence into each S1, over the S0s ok allows
	seeds := func(ok func(s0 int32) bool) []reachItem {
		var out []reachItem
		for _, c := range firsts.s1 {
			best, found := 0.0, false
			confs := firsts.confOf(c)
			for i, s := range firsts.of(c) {
				if p := confs[i]; ok(s) && q.Counts(p) && (!found || p > best) {
					best, found = p, true
				}
			}
			if found {
				out = append(out, reachItem{c, best})
			}
		}
		return out
	}
	starts := seeds(func(int32) bool { return true })
	if len(starts) == 0 {
		return nil
	}
	levels := g.bestLevels(starts, dd, maxDepth, q)
	reached := make([]bool, n)
	for _, level := range levels {
		for _, x := range level {
			reached[x.c] = true
		}
	}
	cleanStarts := seeds(func(s int32) bool { return !reached[s] })
	clean := levels
	labelled := slices.ContainsFunc(firsts.s0, func(s int32) bool { return reached[s] })
	if labelled {
		clean = make([][]reachItem, maxDepth)
		if len(cleanStarts) > 0 {
			clean = g.bestLevels(cleanStarts, dd, maxDepth, q)
		}
	}
	valid := make([]uint8, n) // bit i: a valid walk of i links meeting the minimum ends here
	for i, level := range clean {
		for _, x := range level {
			valid[x.c] |= 1 << i
		}
	}
	if labelled {
		g.labelLevelsConf(firsts, reached, clean, valid, dd, q)
	}
	if ctx.Err() != nil {
		return nil
	}
	return g.leastDepths(valid, maxDepth)
}

// reachItem is a company reached at some level with the highest product
// of a walk there (its first hop's link included).
type reachItem struct {
	c int32
	p float64
}

// bestLevels returns, for n from 1 to count, the companies reached from
// starts by walks of exactly n-1 links current on d whose product (from
// the start's) q counts, each once per level with the highest product, in
// index order. Like sweep, each level is one pass over the companies in
// index order, over the walk layout.
func (g *graph) bestLevels(starts []reachItem, d day, count int, q domain.ExposureQuery) [][]reachItem {
	floor := *q.MinConfidence - domain.ConfidenceTolerance // q.Counts, inline: this loop is the search's cost
	w, conf := g.walks(), g.attrs.conf
	n := len(g.ids)
	out := make([][]reachItem, count)
	cur, next := make([]float64, n), make([]float64, n) // best product at this level and the next; 0: none (floor > 0)
	for _, x := range starts {
		cur[x.c] = max(cur[x.c], x.p)
	}
	for lvl := 1; lvl <= count; lvl++ {
		size := 0
		for _, p := range cur {
			if p > 0 {
				size++
			}
		}
		level := make([]reachItem, 0, size)
		for x, p := range cur {
			if p > 0 {
				level = append(level, reachItem{int32(x), p})
			}
		}
		out[lvl-1] = level
		if lvl == count {
			break
		}
		clear(next)
		for _, it := range level {
			links, first := w.of(it.c)
			for k, l := range links {
				c := w.order[l.to]
				if p := it.p * conf[w.attr[first+int32(k)]]; p >= floor && p > next[c] && l.since <= d && d < l.until { // NaN: no confidence
					next[c] = p
				}
			}
		}
		cur, next = next, cur
	}
	return out
}

// label is an S0 in R and the highest product of a valid walk from it.
type label struct {
	s0 int32
	p  float64
}

// labelLevelsConf is reachConf's third step: it marks in valid the
// companies that a valid walk from an S0 in R (reached) reaches at a level
// with a product that meets the minimum, where clean walks do not already
// do at least as well.
func (g *graph) labelLevelsConf(firsts *firsts, reached []bool, clean [][]reachItem, valid []uint8, d day, q domain.ExposureQuery) {
	rank := g.idRank()
	maxDepth := q.MaxDepth
	cleanAt := make([]float64, len(g.ids)) // clean best at the current level; 0 for none (products of labels kept are > 0 or counted)
	hasClean := make([]bool, len(g.ids))
	setClean := func(level []reachItem, on bool) {
		for _, x := range level {
			cleanAt[x.c], hasClean[x.c] = x.p, on
		}
	}
	// keep sorts a company's candidate labels, keeps one per S0 (its
	// best), drops those a clean walk beats or equals, and keeps at most
	// maxDepth.
	keep := func(c int32, ls []label) []label {
		slices.SortFunc(ls, func(a, b label) int {
			return cmp.Or(cmp.Compare(b.p, a.p), cmp.Compare(rank[a.s0], rank[b.s0]))
		})
		out := ls[:0]
		seen := map[int32]bool{}
		for _, l := range ls {
			if seen[l.s0] || (hasClean[c] && l.p <= cleanAt[c]) {
				continue
			}
			seen[l.s0] = true
			out = append(out, l)
			if len(out) == maxDepth {
				break
			}
		}
		return out
	}
	labels := map[int32][]label{}
	setClean(clean[0], true)
	for _, c := range firsts.s1 {
		var ls []label
		confs := firsts.confOf(c)
		for i, s := range firsts.of(c) {
			if reached[s] && q.Counts(confs[i]) {
				ls = append(ls, label{s, confs[i]})
			}
		}
		if ls = keep(c, ls); len(ls) > 0 {
			labels[c] = ls
			valid[c] |= 1
		}
	}
	setClean(clean[0], false)
	for i := 1; i < maxDepth && len(labels) > 0; i++ {
		next := map[int32][]label{}
		for x, ls := range labels {
			for _, l := range g.out[x] {
				if !l.current(d) {
					continue
				}
				y := l.other
				for _, lb := range ls {
					if p := lb.p * g.linkConf(l); lb.s0 != y && q.Counts(p) {
						next[y] = append(next[y], label{lb.s0, p})
					}
				}
			}
		}
		setClean(clean[i], true)
		labels = map[int32][]label{}
		for y, ls := range next {
			if ls = keep(y, ls); len(ls) > 0 {
				labels[y] = ls
				valid[y] |= 1 << i
			}
		}
		setClean(clean[i], false)
	}
}
