package projection

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// The searches the exposure engine (internal/exposure) combines, answered
// from memory on one View. Their contracts are those of exposure.Store;
// contexts are taken for that interface and for cancellation of long
// walks.

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

// ExposureDetails returns, for each company of ids exposed on q.AsOf, its
// least depth, number of exposure paths, first suppliers and highest path
// confidence, counting only the paths q counts (its minimum confidence).
func (v *View) ExposureDetails(ctx context.Context, ids []string, q domain.ExposureQuery) (map[string]domain.ExposedCompany, error) {
	g := v.g
	paths := v.pathWalker(q)
	out := make(map[string]domain.ExposedCompany, len(ids))
	for _, id := range ids {
		a, ok := g.index[id]
		if !ok {
			continue
		}
		e := domain.ExposedCompany{CompanyID: id}
		suppliers := map[int32]bool{}
		best := math.NaN()
		err := paths(ctx, a, q.MaxDepth, func(s0 int32, nodes []int32, conf float64) bool {
			e.PathCount++
			if e.MinDepth == 0 || len(nodes) < e.MinDepth {
				e.MinDepth = len(nodes)
			}
			suppliers[s0] = true
			if !math.IsNaN(conf) && !(conf <= best) { // best NaN: none known yet
				best = conf
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		if e.PathCount > 0 {
			e.UncoveredSuppliers = v.idsOf(keys(suppliers))
			slices.Sort(e.UncoveredSuppliers)
			e.Confidence = confPtr(best)
			out[id] = e
		}
	}
	return out, nil
}

// ExposurePaths returns up to q.First exposure paths ending at
// q.CompanyID that q counts, by depth then by the ids along the path,
// each hop judged.
func (v *View) ExposurePaths(ctx context.Context, q domain.PathsQuery) ([]domain.ExposurePath, error) {
	g, dd := v.g, dayOf(q.AsOf, openStart)
	a, ok := g.index[q.CompanyID]
	if !ok {
		return nil, nil
	}
	walk := v.pathWalker(q.ExposureQuery)
	type found struct {
		ids  []string
		conf float64
	}
	// Paths come by depth, then by ids: list them one depth at a time and
	// stop at the depth that fills the page — a hub with thousands of
	// paths at depth 4 usually fills a page of 10 at depth 1 or 2.
	var paths []found
	for depth := 1; depth <= q.MaxDepth && len(paths) < q.First; depth++ {
		var level []found
		err := walk(ctx, a, depth, func(s0 int32, nodes []int32, conf float64) bool {
			if len(nodes) == depth {
				level = append(level, found{append([]string{g.ids[s0]}, v.idsOf(nodes)...), conf})
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		slices.SortFunc(level, func(x, y found) int { return slices.Compare(x.ids, y.ids) })
		paths = append(paths, level...)
	}
	paths = paths[:min(len(paths), q.First)]
	controlled := g.controlledOn(dd)
	out := make([]domain.ExposurePath, len(paths))
	for i, p := range paths {
		for j := 0; j+1 < len(p.ids); j++ {
			s, c := g.index[p.ids[j]], g.index[p.ids[j+1]]
			if l, ok := g.linkOf(s, c); ok {
				out[i].Hops = append(out[i].Hops, g.judge(s, c, l, dd, controlled))
			}
		}
		out[i].Confidence = confPtr(p.conf)
	}
	return out, nil
}

// pathWalker returns a function that calls visit with every exposure path
// of a company a within maxDepth on q.AsOf that q counts (rule 5 and the
// minimum confidence): its first supplier, its other companies from S1 to
// a (reused between calls) and its confidence (NaN when unknown); visit
// returns false to stop.
func (v *View) pathWalker(q domain.ExposureQuery) func(ctx context.Context, a int32, maxDepth int, visit func(s0 int32, nodes []int32, conf float64) bool) error {
	dd := dayOf(q.AsOf, openStart)
	firstsOf := v.localFirsts(q.AsOf)
	floor := confFloor(q)
	return func(ctx context.Context, a int32, maxDepth int, visit func(int32, []int32, float64) bool) error {
		return v.walkBack(ctx, a, dd, maxDepth-1, floor, func(nodes []int32, confs []float64) bool {
			s0s, c0s := firstsOf(nodes[0])
			for i, s := range s0s {
				if slices.Contains(nodes, s) {
					continue
				}
				conf := pathConf(c0s[i], confs)
				if q.Counts(conf) && !visit(s, nodes, conf) {
					return false
				}
			}
			return true
		})
	}
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
			if ds := l.changeDays(); slices.ContainsFunc(ds[:], within) {
				out[id] = append(out[id], l.ID)
			}
		}
	}
	var controls []string
	for _, id := range g.controlOrder {
		x := g.controls[id]
		if ds := x.changeDays(); slices.ContainsFunc(ds[:], within) {
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
