package exposure

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// reach is the exposed companies of the whole graph for one version,
// date and depth, sorted by id, with their least depth.
type reach struct{ list []domain.ExposedCompany }

// detail is one company's exposure for one version, date and depth.
type detail struct {
	e       domain.ExposedCompany
	exposed bool
}

type pathsEntry struct{ paths []domain.ExposurePath }

// reacher is a store that finds who is exposed itself, by the algorithm
// of computeReach on its own representation (the projection does, on
// company indexes, and keeps its answers per version); the engine combines
// the searches of other stores.
type reacher interface {
	Reach(ctx context.Context, q domain.ExposureQuery) (domain.ExposedList, error)
}

// detailsBatch bounds the companies one details query walks back from.
const detailsBatch = 200

// exposedList returns the graph's version and the companies exposed for
// q (sector and minimum confidence applied), sorted by id, with minDepth
// only; the lists are cached per version, date, depth, minimum and
// sector.
func (e *bound) exposedList(ctx context.Context, q domain.ExposureQuery) (string, domain.ExposedList, error) {
	v := e.store.Version()
	if r, ok := e.store.(reacher); ok {
		list, err := r.Reach(ctx, q)
		return v, list, err
	}
	all, err := e.reachAll(ctx, v, q)
	if err != nil || q.Sector == "" {
		return v, domain.ExposedSlice(all), err
	}
	k := key("sector|", v, "|", q.AsOf, "|", q.MaxDepth, "|", q.ConfidenceKey(), "|", q.Sector)
	if hit, ok := e.c.reach.Get(k); ok {
		return v, domain.ExposedSlice(hit.list), nil
	}
	r, err := once(ctx, e.c, k, func(ctx context.Context) (*reach, error) {
		members, err := e.store.SectorMembers(ctx, q.Sector)
		if err != nil {
			return nil, err
		}
		in := make(map[string]bool, len(members))
		for _, id := range members {
			in[id] = true
		}
		r := &reach{list: make([]domain.ExposedCompany, 0, len(members))}
		for _, x := range all {
			if in[x.CompanyID] {
				r.list = append(r.list, x)
			}
		}
		e.c.reach.Add(k, r)
		return r, nil
	})
	if err != nil {
		return "", nil, err
	}
	return v, domain.ExposedSlice(r.list), nil
}

// reachAll is the exposed companies of the whole graph, cached per
// version, date, depth and minimum confidence.
func (e *bound) reachAll(ctx context.Context, v string, q domain.ExposureQuery) ([]domain.ExposedCompany, error) {
	q.Sector = ""
	k := key("reach|", v, "|", q.AsOf, "|", q.MaxDepth, "|", q.ConfidenceKey())
	if hit, ok := e.c.reach.Get(k); ok {
		return hit.list, nil
	}
	r, err := once(ctx, e.c, k, func(ctx context.Context) (*reach, error) {
		var list []domain.ExposedCompany
		var err error
		if q.MinConfidence == nil {
			list, err = e.computeReach(ctx, q)
		} else {
			list, err = e.reachConfident(ctx, v, q)
		}
		if err != nil {
			return nil, err
		}
		r := &reach{list: list}
		e.c.reach.Add(k, r)
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	return r.list, nil
}

// computeReach finds who is exposed, and at which least depth, without
// listing paths (their number grows exponentially with depth):
//
//  1. The uncovered controlled hops S0→S1 (rules 1–4).
//  2. The companies reached from the S1s by walks of 0..maxDepth-1
//     current links, level by level (each level lists a company once). A
//     company's first level is its minDepth — the shortest walk there is
//     a simple path — unless that walk went back through its own S0.
//  3. That can only happen with an S0 the walks reach again (R). Walks
//     from an S1 with an S0 outside R are all valid: a second search from
//     those S1s (the "clean" levels) settles most companies.
//  4. The rest carry labels — the S0s in R their walks started from,
//     minus each company they pass — level by level; a company whose
//     label set is not empty at a level has a valid walk of that length.
//     At most maxDepth labels are kept per company: a walk passes at most
//     maxDepth-1 more companies, each removing at most one label.
func (e *bound) computeReach(ctx context.Context, q domain.ExposureQuery) ([]domain.ExposedCompany, error) {
	hops, err := e.store.UncoveredHops(ctx, q.AsOf)
	if err != nil || len(hops) == 0 {
		return []domain.ExposedCompany{}, err
	}
	firsts := map[string][]string{} // S1 → its S0s
	for s0, customers := range hops {
		for _, c := range customers {
			firsts[c] = append(firsts[c], s0)
		}
	}
	levels, err := e.store.WalkLevels(ctx, slices.Sorted(maps.Keys(firsts)), q.AsOf, q.MaxDepth)
	if err != nil {
		return nil, err
	}
	reached := map[string]bool{}
	for _, level := range levels {
		for _, id := range level {
			reached[id] = true
		}
	}
	var cleanStarts []string // S1s with an S0 that no walk reaches again
	for c, s0s := range firsts {
		if slices.ContainsFunc(s0s, func(s0 string) bool { return !reached[s0] }) {
			cleanStarts = append(cleanStarts, c)
		}
	}
	clean := levels // no S0 is reached again: every walk is valid
	if len(cleanStarts) < len(firsts) {
		clean = make([][]string, len(levels))
		if len(cleanStarts) > 0 {
			slices.Sort(cleanStarts)
			if clean, err = e.store.WalkLevels(ctx, cleanStarts, q.AsOf, q.MaxDepth); err != nil {
				return nil, err
			}
		}
	}
	valid := make([]map[string]bool, len(levels))
	for i := range levels {
		valid[i] = make(map[string]bool, len(clean[i]))
		for _, id := range clean[i] {
			valid[i][id] = true
		}
	}
	if len(cleanStarts) < len(firsts) {
		if err := e.labelLevels(ctx, q, firsts, levels, valid); err != nil {
			return nil, err
		}
	}
	out := make([]domain.ExposedCompany, 0, len(reached))
	for id := range reached {
		for i := range levels {
			if valid[i][id] {
				out = append(out, domain.ExposedCompany{CompanyID: id, MinDepth: i + 1})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b domain.ExposedCompany) int { return strings.Compare(a.CompanyID, b.CompanyID) })
	return out, nil
}

// reachConfident is who is exposed with a minimum confidence, on a store
// without its own Reach: the companies exposed without it, each walked
// back from (ExposureDetails counts only the paths that meet it). Exact,
// and as slow as counting every company's paths; the projection has its
// own search (internal/projection, reachConf).
func (e *bound) reachConfident(ctx context.Context, v string, q domain.ExposureQuery) ([]domain.ExposedCompany, error) {
	all := q
	all.MinConfidence = nil
	candidates, err := e.reachAll(ctx, v, all)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(candidates))
	for i, x := range candidates {
		ids[i] = x.CompanyID
	}
	det, err := e.details(ctx, v, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]domain.ExposedCompany, 0, len(candidates))
	for _, x := range candidates {
		if d := det[x.CompanyID]; d.exposed {
			out = append(out, domain.ExposedCompany{CompanyID: x.CompanyID, MinDepth: d.e.MinDepth})
		}
	}
	return out, nil
}

// labelLevels is step 4 of computeReach: it marks in valid the companies
// that only walks from S0s reached again reach, when one such walk is
// valid. It works on the companies not already valid at a level, a small
// part of the graph.
func (e *bound) labelLevels(ctx context.Context, q domain.ExposureQuery, firsts map[string][]string, levels [][]string, valid []map[string]bool) error {
	labels := map[string][]string{}
	for _, c := range levels[0] {
		if !valid[0][c] {
			s0s := slices.Sorted(slices.Values(firsts[c]))
			labels[c] = s0s[:min(len(s0s), q.MaxDepth)]
			valid[0][c] = len(s0s) > 0
		}
	}
	for i := 1; i < len(levels); i++ {
		var to []string
		for _, id := range levels[i] {
			if !valid[i][id] {
				to = append(to, id)
			}
		}
		if len(labels) == 0 || len(to) == 0 {
			return nil
		}
		next, err := e.store.PropagateLabels(ctx, labels, to, q.AsOf, q.MaxDepth)
		if err != nil {
			return err
		}
		labels = map[string][]string{}
		for id, ls := range next {
			if len(ls) > 0 {
				labels[id] = ls
				valid[i][id] = true
			}
		}
	}
	return nil
}

// details returns the exact exposure of each company of ids (exposed or
// not), from the cache or walking back from each.
func (e *bound) details(ctx context.Context, v string, q domain.ExposureQuery, ids []string) (map[string]detail, error) {
	q.Sector = ""
	prefix := key("detail|", v, "|", q.AsOf, "|", q.MaxDepth, "|", q.ConfidenceKey(), "|")
	out, missing := kept(e.c.details, prefix, ids)
	slices.Sort(missing)
	missing = slices.Compact(missing)
	for start := 0; start < len(missing); start += detailsBatch {
		batch := missing[start:min(start+detailsBatch, len(missing))]
		got, err := once(ctx, e.c, prefix+strings.Join(batch, ","), func(ctx context.Context) (map[string]detail, error) {
			found, err := e.store.ExposureDetails(ctx, batch, q)
			if err != nil {
				return nil, err
			}
			m := make(map[string]detail, len(batch))
			for _, id := range batch {
				x, ok := found[id]
				m[id] = detail{e: x, exposed: ok}
				e.c.details.Add(prefix+id, m[id])
			}
			return m, nil
		})
		if err != nil {
			return nil, err
		}
		for id, d := range got {
			out[id] = d
		}
	}
	return out, nil
}

// withDetails fills path counts, first suppliers and confidence into list
// (a copy).
func (e *bound) withDetails(ctx context.Context, v string, q domain.ExposureQuery, list []domain.ExposedCompany) ([]domain.ExposedCompany, error) {
	ids := make([]string, len(list))
	for i, x := range list {
		ids[i] = x.CompanyID
	}
	det, err := e.details(ctx, v, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]domain.ExposedCompany, len(list))
	for i, x := range list {
		if d := det[x.CompanyID]; d.exposed {
			x.PathCount, x.UncoveredSuppliers, x.Confidence = d.e.PathCount, d.e.UncoveredSuppliers, d.e.Confidence
		}
		out[i] = x
	}
	return out, nil
}
