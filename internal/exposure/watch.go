package exposure

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Bounds of one judgement of a watched question (WatchExposure).
const (
	// maxFlipHops bounds the hops an alert of a company no longer exposed
	// lists.
	maxFlipHops = 20
	// maxHopWalks bounds the hops whose reach a judgement walks to find
	// the hops of companies no longer exposed: a seed file that covers
	// thousands of hops at once explains its alerts by the first ones.
	maxHopWalks = 1000
)

// versioned is a view that names its version as the audit trail does
// (the projection's views do), which alerts need to find the writes a
// judgement saw.
type versioned interface {
	GraphVersion() domain.GraphVersion
}

// WatchExposure judges a watched question (exposure alerts) on asOf, on
// one view of the graph: which watched companies are exposed, and the
// uncovered first hops. With the previous judgement prev, it also returns
// the companies whose exposure changed since, each with its paths now
// (newly exposed) or the hops uncovered in prev and not now that reach it
// (no longer exposed). Without prev (the first judgement), a watched id
// that names no company is NOT_FOUND.
func (e *Engine) WatchExposure(ctx context.Context, q domain.AlertQuery, asOf domain.Date, prev *domain.ExposureSnapshot) (domain.ExposureSnapshot, []domain.ExposureFlip, error) {
	type judged struct {
		snap  domain.ExposureSnapshot
		flips []domain.ExposureFlip
	}
	got, err := with(ctx, e, func(b *bound) (judged, error) {
		snap, flips, err := b.watchExposure(ctx, q, asOf, prev)
		return judged{snap, flips}, err
	})
	return got.snap, got.flips, err
}

func (e *bound) watchExposure(ctx context.Context, q domain.AlertQuery, asOf domain.Date, prev *domain.ExposureSnapshot) (domain.ExposureSnapshot, []domain.ExposureFlip, error) {
	vv, ok := e.store.(versioned)
	if !ok {
		return domain.ExposureSnapshot{}, nil, domain.Errorf(domain.CodeInternal, "the exposure source does not name graph versions")
	}
	snap := domain.ExposureSnapshot{Version: vv.GraphVersion(), AsOf: asOf}
	eq := domain.ExposureQuery{AsOf: asOf, MaxDepth: q.MaxDepth}
	var err error
	if snap.Exposed, err = e.watchedExposed(ctx, q, eq, prev == nil); err != nil {
		return domain.ExposureSnapshot{}, nil, err
	}
	hops, err := e.store.UncoveredHops(ctx, asOf)
	if err != nil {
		return domain.ExposureSnapshot{}, nil, err
	}
	for s, cs := range hops {
		for _, c := range cs {
			snap.Uncovered = append(snap.Uncovered, [2]string{s, c})
		}
	}
	slices.SortFunc(snap.Uncovered, comparePairs)
	if prev == nil {
		return snap, nil, nil
	}
	newly, gone := diffSorted(prev.Exposed, snap.Exposed)
	flips := make([]domain.ExposureFlip, 0, len(newly)+len(gone))
	for _, id := range newly {
		paths, err := e.store.ExposurePaths(ctx, domain.PathsQuery{CompanyID: id, ExposureQuery: eq, First: domain.MaxAlertPaths})
		if err != nil {
			return domain.ExposureSnapshot{}, nil, err
		}
		flips = append(flips, domain.ExposureFlip{CompanyID: id, Exposed: true, Paths: paths})
	}
	if len(gone) > 0 {
		byCompany, err := e.coveredHopsReaching(ctx, prev.Uncovered, snap.Uncovered, gone, asOf, q.MaxDepth)
		if err != nil {
			return domain.ExposureSnapshot{}, nil, err
		}
		for _, id := range gone {
			flips = append(flips, domain.ExposureFlip{CompanyID: id, Hops: byCompany[id]})
		}
	}
	slices.SortFunc(flips, func(a, b domain.ExposureFlip) int { return strings.Compare(a.CompanyID, b.CompanyID) })
	return snap, flips, nil
}

// watchedExposed returns the watched companies exposed for eq, sorted:
// the ids of q exposed in the whole graph, and the exposed companies of
// q's sector. check: ids naming no company are NOT_FOUND.
func (e *bound) watchedExposed(ctx context.Context, q domain.AlertQuery, eq domain.ExposureQuery, check bool) ([]string, error) {
	var out []string
	if len(q.CompanyIDs) > 0 {
		_, all, err := e.exposedList(ctx, eq)
		if err != nil {
			return nil, err
		}
		for i, id := range q.CompanyIDs {
			if check {
				ok, err := e.store.CompanyExists(ctx, id)
				if err != nil {
					return nil, err
				}
				if !ok {
					f := fmt.Sprintf("companyIds[%d]", i)
					return nil, &domain.Error{Code: domain.CodeNotFound, Field: f, Message: fmt.Sprintf("%s: no company %q", f, id)}
				}
			}
			if j := all.Search(id); j < all.Len() && all.At(j).CompanyID == id {
				out = append(out, id)
			}
		}
	}
	if q.Sector != "" {
		sq := eq
		sq.Sector = q.Sector
		_, list, err := e.exposedList(ctx, sq)
		if err != nil {
			return nil, err
		}
		for i := range list.Len() {
			out = append(out, list.At(i).CompanyID)
		}
	}
	return sortedSet(out), nil
}

// coveredHopsReaching returns, for each company of ids, the hops of before
// not in now (no longer uncovered) from whose customer it is reached by at
// most maxDepth-1 links on d, judged on d.
func (e *bound) coveredHopsReaching(ctx context.Context, before, now [][2]string, ids []string, d domain.Date, maxDepth int) (map[string][]domain.SupplyHop, error) {
	var changed [][2]string
	for _, h := range before {
		if _, found := slices.BinarySearchFunc(now, h, comparePairs); !found {
			changed = append(changed, h)
		}
	}
	if len(changed) > maxHopWalks {
		changed = changed[:maxHopWalks]
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	reached := map[string][]string{} // customer → the companies of ids it reaches
	pairs := map[string][][2]string{}
	for _, h := range changed {
		rs, walked := reached[h[1]]
		if !walked {
			levels, err := e.store.WalkLevels(ctx, []string{h[1]}, d, maxDepth)
			if err != nil {
				return nil, err
			}
			for _, level := range levels {
				for _, c := range level {
					if want[c] {
						rs = append(rs, c)
					}
				}
			}
			reached[h[1]] = sortedSet(rs)
			rs = reached[h[1]]
		}
		for _, c := range rs {
			if len(pairs[c]) < maxFlipHops {
				pairs[c] = append(pairs[c], h)
			}
		}
	}
	out := make(map[string][]domain.SupplyHop, len(pairs))
	for c, ps := range pairs {
		hops, err := e.store.ClassifyHops(ctx, ps, d)
		if err != nil {
			return nil, err
		}
		out[c] = hops
	}
	return out, nil
}

// comparePairs orders (supplier, customer) pairs by supplier, then
// customer.
func comparePairs(a, b [2]string) int { return slices.Compare(a[:], b[:]) }

// diffSorted returns the ids only in after and only in before; both are
// sorted.
func diffSorted(before, after []string) (newly, gone []string) {
	i, j := 0, 0
	for i < len(before) || j < len(after) {
		switch {
		case j == len(after) || (i < len(before) && before[i] < after[j]):
			gone = append(gone, before[i])
			i++
		case i == len(before) || after[j] < before[i]:
			newly = append(newly, after[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return newly, gone
}
