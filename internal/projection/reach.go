package projection

import (
	"context"
	"math/bits"
	"slices"
	"strings"
	"sync"

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
	levels, valid := getBytes(len(g.ids)), getBytes(len(g.ids))
	defer putBytes(levels)
	defer putBytes(valid)
	w.sweep(starts, dd, maxDepth, levels)
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
	w.sweep(cleanStarts, dd, maxDepth, valid) // bit i: a valid walk of i links ends here
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
	for _, b := range valid {
		if b != 0 {
			n++
		}
	}
	out := make([]exposedIdx, 0, n)
	keep := uint8(1)<<maxDepth - 1
	for _, c := range g.byRank {
		if b := valid[c] & keep; b != 0 {
			out = append(out, exposedIdx{c, int8(bits.TrailingZeros8(b) + 1)})
		}
	}
	return out
}

// sweep returns, for each company, the levels at which walks from starts
// over links current on d reach it: bit i set when a walk of exactly i
// links ends there, for i < count. It carries each company's new bits
// along its links in the walk order (walks), where links mostly go
// forward: a company is then passed once with all the bits it will get,
// where a pass per level passed most companies count-1 times. A link
// going back leaves its bits pending, and another round starts at the
// first place it reached; each round carries every pending bit one link
// further at least, so there are at most count-1.
func (w *walkLinks) sweep(starts []int32, d day, count int, at []uint8) {
	n := len(w.order)
	// By place: the levels reached (low byte) and those not carried on
	// yet (high byte), together: one memory access for both.
	st := getWords(n)
	defer putWords(st)
	for _, c := range starts {
		st[w.pos[c]] = 1 | 1<<8
	}
	carried := uint16(1)<<max(count-1, 0) - 1 // a walk of count-1 links goes no further
	for from := 0; from < n; {
		back := n // the first place a link going back gave new bits to
		for p := from; p < n; p++ {
			b := st[p] >> 8 & carried
			if b == 0 {
				continue
			}
			st[p] &= 0xff
			b <<= 1
			for _, l := range w.links[w.start[p]:w.start[p+1]] {
				if add := b &^ st[l.to]; add&0xff != 0 && l.since <= d && d < l.until {
					add &= 0xff
					st[l.to] |= add | add<<8
					if q := int(l.to); q <= p {
						back = min(back, q)
					}
				}
			}
		}
		from = back
	}
	for p, x := range w.order { // at is by company
		at[x] = uint8(st[p])
	}
}

// A search's working arrays (a few hundred KB at 100,000 companies) are
// reused: the readers' searches run many times a second, and fresh arrays
// each time were a good part of what the collector had to keep up with.
var (
	bytePool  sync.Pool // *[]uint8
	wordPool  sync.Pool // *[]uint16
	int32Pool sync.Pool // *[]int32
)

// getBytes returns a zeroed []uint8 of length n.
func getBytes(n int) []uint8 { return getZeroed[uint8](&bytePool, n) }

func putBytes(b []uint8) { bytePool.Put(&b) }

// getWords returns a zeroed []uint16 of length n.
func getWords(n int) []uint16 { return getZeroed[uint16](&wordPool, n) }

func putWords(b []uint16) { wordPool.Put(&b) }

// getInt32s returns a zeroed []int32 of length n.
func getInt32s(n int) []int32 { return getZeroed[int32](&int32Pool, n) }

func putInt32s(b []int32) { int32Pool.Put(&b) }

func getZeroed[T uint8 | uint16 | int32](p *sync.Pool, n int) []T {
	if x, ok := p.Get().(*[]T); ok && cap(*x) >= n {
		b := (*x)[:n]
		clear(b)
		return b
	}
	return make([]T, n)
}

// walkLinks is every company's outgoing links in one array, in the walk
// order (company order[p]'s are links[start[p]:start[p+1]]), with what a
// walk reads of them: the walks over the whole graph touch every link,
// and one array keeps them in the cache's order. The walk order is
// topological where the links allow (suppliers before their customers,
// ignoring dates), so that walks go forward in it.
type walkLinks struct {
	order []int32 // companies in walk order
	pos   []int32 // each company's place in order
	start []int32 // by place
	links []walkLink
	attr  []int32 // links[j]'s attributes in g.attrs, apart: only the walks with a minimum confidence read them
}

type walkLink struct {
	to           int32 // the customer's place in the walk order
	since, until day
}

// of returns company x's links and the index of the first in links.
func (w *walkLinks) of(x int32) ([]walkLink, int32) {
	p := w.pos[x]
	return w.links[w.start[p]:w.start[p+1]], w.start[p]
}

// walks returns the graph's walkLinks, built on first use. Copies made
// for licence writes share it (their links are the same); a write that
// changes links in place drops it (dropWalks).
func (g *graph) walks() *walkLinks {
	g.walkMu.Lock()
	defer g.walkMu.Unlock()
	if g.walk != nil {
		return g.walk
	}
	order := g.orderForWalks()
	w := &walkLinks{order: order, pos: make([]int32, len(order)), start: make([]int32, len(order)+1)}
	total := 0
	for p, x := range order {
		w.pos[x] = int32(p)
	}
	for p, x := range order {
		total += len(g.out[x])
		w.start[p+1] = int32(total)
	}
	w.links = make([]walkLink, 0, total)
	w.attr = make([]int32, 0, total)
	for _, x := range order {
		for _, l := range g.out[x] {
			w.links = append(w.links, walkLink{w.pos[l.other], l.since, l.until})
			w.attr = append(w.attr, l.attr)
		}
	}
	g.walk = w
	return w
}

// orderForWalks is the walk order of the graph's first walks, with the
// companies added since then at its end: ordering a million companies
// takes a good part of a second, and a write of a few links leaves the
// order nearly as good. A load orders them anew. Called under walkMu.
func (g *graph) orderForWalks() []int32 {
	if g.walkOrder == nil {
		g.walkOrder = g.topoOrder()
	}
	if n := len(g.walkOrder); n < len(g.ids) {
		order := make([]int32, n, len(g.ids)) // copies of the graph share the old one
		copy(order, g.walkOrder)
		for c := n; c < len(g.ids); c++ {
			order = append(order, int32(c))
		}
		g.walkOrder = order
	}
	return g.walkOrder
}

// topoOrder lists the companies suppliers first (Kahn's algorithm over
// every link, whatever its dates): each company comes after all its
// suppliers, except where cycles leave none with all its suppliers
// placed; then the one of least index comes next.
func (g *graph) topoOrder() []int32 {
	n := len(g.out)
	waiting := make([]int32, n) // suppliers not yet placed
	for _, ls := range g.out {
		for _, l := range ls {
			waiting[l.other]++
		}
	}
	order := make([]int32, 0, n)
	placed := make([]bool, n)
	place := func(c int32) {
		placed[c] = true
		order = append(order, c)
	}
	for c := range int32(n) {
		if waiting[c] == 0 {
			place(c)
		}
	}
	next := int32(0) // companies below it are placed
	for head := 0; len(order) < n; {
		if head == len(order) {
			// Only cycles remain: enter one.
			for placed[next] {
				next++
			}
			place(next)
		}
		for _, l := range g.out[order[head]] {
			if waiting[l.other]--; waiting[l.other] == 0 && !placed[l.other] {
				place(l.other)
			}
		}
		head++
	}
	return order
}

// labelLevels is step 4 of the engine's algorithm: companies that only
// walks from S0s reached again reach carry the S0s their walks started
// from, minus each company they pass, at most maxDepth of them (the
// smallest ids); a non-empty set at a level marks a valid walk there.
// levels is sweep's answer from every S1.
func (g *graph) labelLevels(firsts *firsts, levels []uint8, valid []uint8, d day, maxDepth int) {
	rank := g.idRank()
	// Labels are held as the S0s' id ranks: sorted as they are inserted.
	cur, next := newLabelSets(maxDepth), newLabelSets(maxDepth)
	for _, c := range firsts.s1 {
		if valid[c]&1 == 0 {
			t := cur.add(c)
			for _, s := range firsts.of(c) {
				cur.insert(t, rank[s])
			}
			if cur.n[t] > 0 {
				valid[c] |= 1
			}
		}
	}
	slot := getInt32s(len(g.ids)) // a target's entry in next, plus one
	defer putInt32s(slot)
	for i := 1; i < maxDepth && len(cur.companies) > 0; i++ {
		bit := uint8(1) << i
		// The targets: reached at this level, with no valid walk there
		// yet (valid changes only after the pass).
		next.reset()
		for j, x := range cur.companies {
			ls := cur.labels(j)
			for _, l := range g.out[x] {
				y := l.other
				if levels[y]&bit == 0 || valid[y]&bit != 0 || !l.current(d) {
					continue
				}
				t := slot[y] - 1
				if t < 0 {
					t = next.add(y)
					slot[y] = t + 1
				}
				ry := rank[y]
				for _, o := range ls {
					if o != ry {
						next.insert(t, o)
					}
				}
			}
		}
		cur.reset()
		for j, y := range next.companies {
			slot[y] = 0
			if ls := next.labels(j); len(ls) > 0 {
				t := cur.add(y)
				for _, o := range ls {
					cur.insert(t, o)
				}
				valid[y] |= bit
			}
		}
	}
}

// labelSets are companies' labels of labelLevels: for each company, the k
// smallest ranks inserted, in order, without repeats.
type labelSets struct {
	k         int
	companies []int32
	n         []int32 // labels held, by entry
	ranks     []int32 // entry t's are ranks[t*k : t*k+n[t]]
}

func newLabelSets(k int) *labelSets { return &labelSets{k: k} }

func (s *labelSets) reset() {
	s.companies, s.n, s.ranks = s.companies[:0], s.n[:0], s.ranks[:0]
}

// add makes an empty entry for company c and returns it.
func (s *labelSets) add(c int32) int32 {
	s.companies = append(s.companies, c)
	s.n = append(s.n, 0)
	s.ranks = append(s.ranks, make([]int32, s.k)...)
	return int32(len(s.companies) - 1)
}

func (s *labelSets) labels(t int) []int32 {
	return s.ranks[t*s.k : t*s.k+int(s.n[t])]
}

// insert adds rank r to entry t, keeping its k smallest.
func (s *labelSets) insert(t int32, r int32) {
	m := int(s.n[t])
	ls := s.ranks[int(t)*s.k : int(t)*s.k+s.k]
	p := 0
	for p < m && ls[p] < r {
		p++
	}
	if p == s.k || p < m && ls[p] == r {
		return
	}
	if m < s.k {
		m++
	}
	copy(ls[p+1:m], ls[p:m-1])
	ls[p] = r
	s.n[t] = int32(m)
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
