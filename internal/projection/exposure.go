package projection

import (
	"context"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// The searches the exposure engine (internal/exposure) combines, answered
// from memory on one View. Their contracts are those of exposure.Store;
// contexts are taken for that interface and for cancellation of long
// walks.

// firsts are the uncovered controlled hops S0→S1 of one date, by S1:
// s0[start[c]:start[c+1]] are the first suppliers of company c.
type firsts struct {
	start []int32
	s0    []int32
	s1    []int32 // the companies with at least one
}

func (f *firsts) of(c int32) []int32 { return f.s0[f.start[c]:f.start[c+1]] }

// firstHops returns the uncovered controlled hops on d (rules 1–4), kept
// per date in the view's derived answers. It judges only the links from
// companies registered in CN to others, without allocating per link.
func (v *View) firstHops(d domain.Date) *firsts {
	return derive(v, "firsts|"+d.String(), func() *firsts {
		g, dd := v.g, dayOf(d, openStart)
		controlled := g.controlledOn(dd)
		var pairs [][2]int32 // (S1, S0)
		for s := range g.out {
			if g.origin[s] != originCN {
				continue
			}
			for _, l := range g.out[s] {
				c := l.other
				if g.origin[c] != originAbroad || !l.current(dd) {
					continue
				}
				for _, m := range g.matSet.sets[l.mats] {
					if int(m) < len(controlled) && controlled[m] && !g.covers(int32(s), c, m, dd) {
						pairs = append(pairs, [2]int32{c, int32(s)})
						break
					}
				}
			}
		}
		f := &firsts{start: make([]int32, len(g.ids)+1), s0: make([]int32, len(pairs))}
		for _, p := range pairs {
			f.start[p[0]+1]++
		}
		for c := range g.ids {
			if f.start[c+1] > 0 {
				f.s1 = append(f.s1, int32(c))
			}
			f.start[c+1] += f.start[c]
		}
		next := slices.Clone(f.start[:len(g.ids)])
		for _, p := range pairs {
			f.s0[next[p[0]]] = p[1]
			next[p[0]]++
		}
		return f
	})
}

// localFirsts returns the first suppliers of a company's uncovered hops on
// d: from the date's firstHops when they are kept, else judged from the
// company's own links — one company's paths meet a few dozen companies,
// not the whole graph.
func (v *View) localFirsts(d domain.Date) func(c int32) []int32 {
	if f, ok := lookup[*firsts](v, "firsts|"+d.String()); ok {
		return f.of
	}
	g, dd := v.g, dayOf(d, openStart)
	controlled := g.controlledOn(dd)
	seen := map[int32][]int32{}
	return func(c int32) []int32 {
		if s0s, ok := seen[c]; ok {
			return s0s
		}
		var s0s []int32
		if g.origin[c] == originAbroad {
			for _, l := range g.in[c] {
				s := l.other
				if g.origin[s] != originCN || !l.current(dd) {
					continue
				}
				for _, m := range g.matSet.sets[l.mats] {
					if int(m) < len(controlled) && controlled[m] && !g.covers(s, c, m, dd) {
						s0s = append(s0s, s)
						break
					}
				}
			}
		}
		seen[c] = s0s
		return s0s
	}
}

// UncoveredHops returns, for each company with an uncovered controlled
// hop on d, the customers of those hops.
func (v *View) UncoveredHops(_ context.Context, d domain.Date) (map[string][]string, error) {
	out := map[string][]string{}
	f := v.firstHops(d)
	for _, c := range f.s1 {
		for _, s := range f.of(c) {
			out[v.g.ids[s]] = append(out[v.g.ids[s]], v.g.ids[c])
		}
	}
	return out, nil
}

// WalkLevels returns, for n from 1 to levels, the companies reached from
// ids by walks of exactly n-1 links current on d; level 1 is the ids that
// exist.
func (v *View) WalkLevels(ctx context.Context, ids []string, d domain.Date, levels int) ([][]string, error) {
	g, dd := v.g, dayOf(d, openStart)
	out := make([][]string, levels)
	seen := make([]int32, len(g.ids)) // the level+1 a company was last listed at
	var frontier []int32
	for _, id := range ids {
		if i, ok := g.index[id]; ok && seen[i] != 1 {
			seen[i] = 1
			frontier = append(frontier, i)
		}
	}
	for n := 1; n <= levels; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[n-1] = v.idsOf(frontier)
		if n == levels {
			break
		}
		var next []int32
		for _, x := range frontier {
			for _, l := range g.out[x] {
				if l.current(dd) && seen[l.other] != int32(n+1) {
					seen[l.other] = int32(n + 1)
					next = append(next, l.other)
				}
			}
		}
		frontier = next
	}
	return out, nil
}

// PropagateLabels carries labels one current link downstream: each
// company of to gets the labels of its suppliers in from, except its own
// id, at most max of them (the smallest).
func (v *View) PropagateLabels(_ context.Context, from map[string][]string, to []string, d domain.Date, max int) (map[string][]string, error) {
	g, dd := v.g, dayOf(d, openStart)
	targets := make(map[int32]bool, len(to))
	for _, id := range to {
		if i, ok := g.index[id]; ok {
			targets[i] = true
		}
	}
	sets := map[int32]map[string]bool{}
	for id, labels := range from {
		x, ok := g.index[id]
		if !ok {
			continue
		}
		for _, l := range g.out[x] {
			if !targets[l.other] || !l.current(dd) {
				continue
			}
			set := sets[l.other]
			if set == nil {
				set = map[string]bool{}
				sets[l.other] = set
			}
			for _, o := range labels {
				if o != g.ids[l.other] {
					set[o] = true
				}
			}
		}
	}
	out := make(map[string][]string, len(sets))
	for y, set := range sets {
		labels := make([]string, 0, len(set))
		for o := range set {
			labels = append(labels, o)
		}
		slices.Sort(labels)
		out[g.ids[y]] = labels[:min(len(labels), max)]
	}
	return out, nil
}

// walkBack calls visit with every simple path c→…→a of at most extra
// links current on d, as the nodes from c to a (the slice is reused).
func (v *View) walkBack(ctx context.Context, a int32, d day, extra int, visit func(path []int32)) error {
	g := v.g
	path := []int32{a} // reversed: a first
	onPath := map[int32]bool{a: true}
	var rev []int32
	steps := 0
	var walk func() error
	walk = func() error {
		if steps++; steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rev = rev[:0]
		for i := len(path) - 1; i >= 0; i-- {
			rev = append(rev, path[i])
		}
		visit(rev)
		if len(path) > extra {
			return nil
		}
		head := path[len(path)-1]
		for _, l := range g.in[head] {
			if onPath[l.other] || !l.current(d) {
				continue
			}
			onPath[l.other] = true
			path = append(path, l.other)
			err := walk()
			path = path[:len(path)-1]
			delete(onPath, l.other)
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk()
}

// ExposureDetails returns, for each company of ids exposed on q.AsOf, its
// least depth, number of exposure paths and first suppliers.
func (v *View) ExposureDetails(ctx context.Context, ids []string, q domain.ExposureQuery) (map[string]domain.ExposedCompany, error) {
	g, dd := v.g, dayOf(q.AsOf, openStart)
	firstsOf := v.localFirsts(q.AsOf)
	out := make(map[string]domain.ExposedCompany, len(ids))
	for _, id := range ids {
		a, ok := g.index[id]
		if !ok {
			continue
		}
		e := domain.ExposedCompany{CompanyID: id}
		suppliers := map[int32]bool{}
		err := v.walkBack(ctx, a, dd, q.MaxDepth-1, func(path []int32) {
			for _, s := range firstsOf(path[0]) {
				if slices.Contains(path, s) {
					continue
				}
				e.PathCount++
				if e.MinDepth == 0 || len(path) < e.MinDepth {
					e.MinDepth = len(path)
				}
				suppliers[s] = true
			}
		})
		if err != nil {
			return nil, err
		}
		if e.PathCount > 0 {
			e.UncoveredSuppliers = v.idsOf(keys(suppliers))
			slices.Sort(e.UncoveredSuppliers)
			out[id] = e
		}
	}
	return out, nil
}

// ExposurePaths returns up to q.First exposure paths ending at
// q.CompanyID, by depth then by the ids along the path, each hop judged.
func (v *View) ExposurePaths(ctx context.Context, q domain.PathsQuery) ([]domain.ExposurePath, error) {
	g, dd := v.g, dayOf(q.AsOf, openStart)
	a, ok := g.index[q.CompanyID]
	if !ok {
		return nil, nil
	}
	firstsOf := v.localFirsts(q.AsOf)
	// Paths come by depth, then by ids: list them one depth at a time and
	// stop at the depth that fills the page — a hub with thousands of
	// paths at depth 4 usually fills a page of 10 at depth 1 or 2.
	var paths [][]string
	for depth := 1; depth <= q.MaxDepth && len(paths) < q.First; depth++ {
		var level [][]string
		err := v.walkBack(ctx, a, dd, depth-1, func(path []int32) {
			if len(path) != depth {
				return
			}
			for _, s := range firstsOf(path[0]) {
				if !slices.Contains(path, s) {
					level = append(level, append([]string{g.ids[s]}, v.idsOf(path)...))
				}
			}
		})
		if err != nil {
			return nil, err
		}
		slices.SortFunc(level, slices.Compare)
		paths = append(paths, level...)
	}
	paths = paths[:min(len(paths), q.First)]
	controlled := g.controlledOn(dd)
	out := make([]domain.ExposurePath, len(paths))
	for i, ids := range paths {
		for j := 0; j+1 < len(ids); j++ {
			s, c := g.index[ids[j]], g.index[ids[j+1]]
			if l, ok := g.linkOf(s, c); ok {
				out[i].Hops = append(out[i].Hops, g.judge(s, c, l, dd, controlled))
			}
		}
	}
	return out, nil
}

// linkOf returns the link s→c.
func (g *graph) linkOf(s, c int32) (link, bool) {
	for _, l := range g.out[s] {
		if l.other == c {
			return l, true
		}
	}
	return link{}, false
}

// ClassifyHops judges the given supplier→customer links on d; pairs with
// no link are left out.
func (v *View) ClassifyHops(_ context.Context, pairs [][2]string, d domain.Date) ([]domain.SupplyHop, error) {
	g, dd := v.g, dayOf(d, openStart)
	controlled := g.controlledOn(dd)
	var out []domain.SupplyHop
	for _, p := range pairs {
		s, ok1 := g.index[p[0]]
		c, ok2 := g.index[p[1]]
		if !ok1 || !ok2 {
			continue
		}
		if l, ok := g.linkOf(s, c); ok {
			out = append(out, g.judge(s, c, l, dd, controlled))
		}
	}
	return out, nil
}

// CompanyExists reports whether a company with id is in the graph.
func (v *View) CompanyExists(_ context.Context, id string) (bool, error) {
	i, ok := v.g.index[id]
	return ok && v.g.country[i] != "", nil
}

// ForeignClients lists the customers of producer registered in another
// country, over links current on d, by id.
func (v *View) ForeignClients(_ context.Context, producer string, d domain.Date) ([]string, error) {
	g, dd := v.g, dayOf(d, openStart)
	p, ok := g.index[producer]
	if !ok {
		return nil, nil
	}
	var out []string
	for _, l := range g.out[p] {
		if l.current(dd) && g.country[l.other] != g.country[p] && g.country[l.other] != "" && g.country[p] != "" {
			out = append(out, g.ids[l.other])
		}
	}
	slices.Sort(out)
	return out, nil
}

// DatedChanges returns, for each supplier, its licences whose validity
// starts, ends or is revoked between from (exclusive) and to, and the
// controls with a date in that window.
func (v *View) DatedChanges(_ context.Context, suppliers []string, from, to domain.Date) (map[string][]string, []string, error) {
	g := v.g
	f, t := dayOf(from, openStart), dayOf(to, openStart)
	within := func(x day) bool { return x != openStart && x != openEnd && f < x && x <= t }
	out := map[string][]string{}
	for _, id := range suppliers {
		s, ok := g.index[id]
		if !ok {
			continue
		}
		for _, l := range g.held[s] {
			ends := l.validUntil != openEnd && f <= l.validUntil && l.validUntil < t
			if within(l.validFrom) || ends || within(l.revok) {
				out[id] = append(out[id], l.ID)
			}
		}
	}
	var controls []string
	for _, id := range g.controlOrder {
		x := g.controls[id]
		if within(x.effective) || within(x.suspFrom) || within(x.suspTo) || within(x.lifted) {
			controls = append(controls, id)
		}
	}
	return out, controls, nil
}

// SectorMembers returns the companies that operate in sector or a sector
// below it, sorted.
func (v *View) SectorMembers(_ context.Context, sector string) ([]string, error) {
	g := v.g
	top, ok := g.sectorIndex[sector]
	if !ok {
		return nil, nil
	}
	in := map[int32]bool{}
	for s := range g.sectorIDs {
		for x := int32(s); x >= 0; x = g.parent[x] {
			if x == top {
				for _, c := range g.sectorOf[s] {
					in[c] = true
				}
				break
			}
		}
	}
	out := v.idsOf(keys(in))
	slices.SortFunc(out, strings.Compare)
	return out, nil
}

func (v *View) idsOf(xs []int32) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = v.g.ids[x]
	}
	return out
}

func keys(m map[int32]bool) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
