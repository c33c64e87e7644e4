package projection

import (
	"context"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Reach finds who is exposed on d within maxDepth, and at which least
// depth, by the engine's algorithm (docs/exposure.md, "How the engine
// computes it") run on company indexes instead of ids: the walks level by
// level, the second walk from the clean S1s, and labels for the rest. The
// engine uses it instead of combining WalkLevels and PropagateLabels
// itself (internal/exposure, computeReach); the property test holds both
// to the reference. q.Sector, if set, keeps the companies of its subtree;
// with q.MinConfidence only the paths that meet it count (reachConf).
func (v *View) Reach(ctx context.Context, q domain.ExposureQuery) (domain.ExposedList, error) {
	g, d, maxDepth, sector := v.g, q.AsOf, q.MaxDepth, q.Sector
	dd := dayOf(d, openStart)
	key := "reach|" + d.String() + "|" + string(rune('0'+maxDepth)) + "|" + q.ConfidenceKey()
	all, ok := lookup[[]exposedIdx](v, key)
	if !ok {
		if q.MinConfidence == nil {
			all = v.reach(ctx, dd, d, maxDepth)
		} else {
			all = v.reachConf(ctx, q)
		}
		if err := ctx.Err(); err != nil {
			return nil, err // cut short: not kept
		}
		v.memo.derived.Add(key, all)
	}
	if sector == "" {
		return exposedList{g, all}, nil
	}
	// The sector's part is kept too: at a million companies picking it
	// takes a tenth of a second. Callers must not modify it.
	return derive(v, key+"|"+sector, func() exposedList {
		members := v.sectorMask(sector)
		out := make([]exposedIdx, 0, len(all))
		for _, x := range all {
			if members[x.c] {
				out = append(out, x)
			}
		}
		return exposedList{g, slices.Clip(out)}
	}), nil
}

// exposedList is a Reach answer as indexes and depths (8 bytes a company,
// against a hundred as domain.ExposedCompany), sorted by id.
type exposedList struct {
	g    *graph
	list []exposedIdx
}

func (l exposedList) Len() int { return len(l.list) }

func (l exposedList) At(i int) domain.ExposedCompany {
	return domain.ExposedCompany{CompanyID: l.g.ids[l.list[i].c], MinDepth: int(l.list[i].depth)}
}

func (l exposedList) Search(id string) int {
	i, _ := slices.BinarySearchFunc(l.list, id, func(x exposedIdx, id string) int { return strings.Compare(l.g.ids[x.c], id) })
	return i
}

type exposedIdx struct {
	c     int32
	depth int8
}

// reach is Reach for the whole graph, sorted by company id.
func (v *View) reach(ctx context.Context, dd day, d domain.Date, maxDepth int) []exposedIdx {
	g := v.g
	firsts := v.firstHops(d)
	if len(firsts.s1) == 0 {
		return nil
	}
	w := g.walks()
	starts := firsts.s1
	levels := w.sweep(starts, dd, maxDepth)
	// S1s with an S0 that no walk reaches again: every walk from them is
	// valid.
	var cleanStarts []int32
	for _, c := range starts {
		if slices.ContainsFunc(firsts.of(c), func(s int32) bool { return levels[s] == 0 }) {
			cleanStarts = append(cleanStarts, c)
		}
	}
	if len(cleanStarts) == len(starts) {
		return g.leastDepths(levels, maxDepth)
	}
	valid := w.sweep(cleanStarts, dd, maxDepth) // bit i: a valid walk of i links ends here
	g.labelLevels(firsts, levels, valid, dd, maxDepth)
	if ctx.Err() != nil {
		return nil
	}
	return g.leastDepths(valid, maxDepth) // valid marks only reached companies
}

// leastDepths lists the companies with a valid walk (valid: bit i, a walk
// of i+1 links) at the least such depth, sorted by id.
func (g *graph) leastDepths(valid []uint8, maxDepth int) []exposedIdx {
	n := 0
	for _, bits := range valid {
		if bits != 0 {
			n++
		}
	}
	out := make([]exposedIdx, 0, n)
	for c, bits := range valid {
		if bits == 0 {
			continue
		}
		for i := range maxDepth {
			if bits&(1<<i) != 0 {
				out = append(out, exposedIdx{int32(c), int8(i + 1)})
				break
			}
		}
	}
	rank := g.idRank()
	slices.SortFunc(out, func(a, b exposedIdx) int { return int(rank[a.c] - rank[b.c]) })
	return out
}

// sweep returns, for each company, the levels at which walks from starts
// over links current on d reach it: bit i set when a walk of exactly i
// links ends there, for i < count. Each level is one pass over the
// companies in index order, which reads the walk layout front to back: a
// level of a question over the whole graph holds a good part of it, and
// lists of the companies at each level cost more to build than the pass.
func (w *walkLinks) sweep(starts []int32, d day, count int) []uint8 {
	at := make([]uint8, len(w.start)-1)
	for _, c := range starts {
		at[c] = 1
	}
	for i := range count - 1 {
		bit, next := uint8(1)<<i, uint8(1)<<(i+1)
		for x, b := range at {
			if b&bit == 0 {
				continue
			}
			for _, l := range w.links[w.start[x]:w.start[x+1]] {
				if l.since <= d && d < l.until {
					at[l.other] |= next
				}
			}
		}
	}
	return at
}

// walkLinks is every company's outgoing links in one array (company x's
// are links[start[x]:start[x+1]]), with what a walk reads of them: the
// walks over the whole graph touch every link, and one array keeps them
// in the cache's order.
type walkLinks struct {
	start []int32
	links []walkLink
	attr  []int32 // links[j]'s attributes in g.attrs, apart: only the walks with a minimum confidence read them
}

type walkLink struct{ other, since, until int32 }

// walks returns the graph's walkLinks, built on first use. Copies made
// for licence writes share it (their links are the same); a write that
// changes links in place drops it (dropWalks).
func (g *graph) walks() *walkLinks {
	g.walkMu.Lock()
	defer g.walkMu.Unlock()
	if g.walk != nil {
		return g.walk
	}
	w := &walkLinks{start: make([]int32, len(g.out)+1)}
	total := 0
	for x, ls := range g.out {
		total += len(ls)
		w.start[x+1] = int32(total)
	}
	w.links = make([]walkLink, 0, total)
	w.attr = make([]int32, 0, total)
	for _, ls := range g.out {
		for _, l := range ls {
			w.links = append(w.links, walkLink{l.other, l.since, l.until})
			w.attr = append(w.attr, l.attr)
		}
	}
	g.walk = w
	return w
}

// labelLevels is step 4 of the engine's algorithm: companies that only
// walks from S0s reached again reach carry the S0s their walks started
// from, minus each company they pass, at most maxDepth of them (the
// smallest ids); a non-empty set at a level marks a valid walk there.
// levels is sweep's answer from every S1.
func (g *graph) labelLevels(firsts *firsts, levels []uint8, valid []uint8, d day, maxDepth int) {
	rank := g.idRank()
	byRank := func(a, b int32) int { return int(rank[a] - rank[b]) }
	labels := map[int32][]int32{}
	for _, c := range firsts.s1 {
		if valid[c]&1 == 0 {
			s0s := slices.Clone(firsts.of(c))
			slices.SortFunc(s0s, byRank)
			s0s = slices.Compact(s0s)
			labels[c] = s0s[:min(len(s0s), maxDepth)]
			if len(s0s) > 0 {
				valid[c] |= 1
			}
		}
	}
	for i := 1; i < maxDepth; i++ {
		bit := uint8(1) << i
		if len(labels) == 0 {
			return
		}
		// The targets: reached at this level, with no valid walk there
		// yet (valid changes only after the pass).
		next := map[int32][]int32{}
		for x, ls := range labels {
			for _, l := range g.out[x] {
				if levels[l.other]&bit == 0 || valid[l.other]&bit != 0 || !l.current(d) {
					continue
				}
				for _, o := range ls {
					if o != l.other {
						next[l.other] = append(next[l.other], o)
					}
				}
			}
		}
		labels = map[int32][]int32{}
		for y, ls := range next {
			slices.SortFunc(ls, byRank)
			ls = slices.Compact(ls)
			if len(ls) > 0 {
				labels[y] = ls[:min(len(ls), maxDepth)]
				valid[y] |= bit
			}
		}
	}
}

// sectorMask marks the companies operating in sector or below it.
func (v *View) sectorMask(sector string) []bool {
	return derive(v, "sector|"+sector, func() []bool {
		g := v.g
		mask := make([]bool, len(g.ids))
		top, ok := g.sectorIndex[sector]
		if !ok {
			return mask
		}
		for s := range g.sectorIDs {
			for x := int32(s); x >= 0; x = g.parent[x] {
				if x == top {
					for _, c := range g.sectorOf[s] {
						mask[c] = true
					}
					break
				}
			}
		}
		return mask
	})
}
