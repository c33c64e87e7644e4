package exposure

import (
	"context"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// ExposedReport is the whole answer of an exposedCompanies question for
// an export: every exposed company with its details (path count, first
// suppliers, confidence) as the API's ExposedCompanyPage gives them, its
// Since when withSince, and the first hops of its paths judged on
// q.AsOf (covered or not, and why), all on one version of the graph.
func (e *Engine) ExposedReport(ctx context.Context, q domain.ExposureQuery, withSince bool) ([]domain.ExposedReportRow, error) {
	return with(ctx, e, func(b *bound) ([]domain.ExposedReportRow, error) { return b.ExposedReport(ctx, q, withSince) })
}

func (e *bound) ExposedReport(ctx context.Context, q domain.ExposureQuery, withSince bool) ([]domain.ExposedReportRow, error) {
	q = normalize(q)
	v, list, err := e.exposedList(ctx, q)
	if err != nil {
		return nil, err
	}
	all, err := e.withDetails(ctx, v, q, slices.Clone(list))
	if err != nil {
		return nil, err
	}
	if withSince {
		if err := e.withSince(ctx, v, q, all); err != nil {
			return nil, err
		}
	}
	ds, err := e.dated()
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, x := range all {
		ids[i] = x.CompanyID
	}
	firsts, err := ds.FirstHops(ctx, ids, q)
	if err != nil {
		return nil, err
	}
	var pairs [][2]string
	for _, hs := range firsts {
		pairs = append(pairs, hs...)
	}
	judged, err := e.store.ClassifyHops(ctx, union(pairs, nil), q.AsOf)
	if err != nil {
		return nil, err
	}
	byPair := make(map[[2]string]domain.SupplyHop, len(judged))
	for _, h := range judged {
		byPair[[2]string{h.Supplier, h.Customer}] = h
	}
	out := make([]domain.ExposedReportRow, len(all))
	for i, x := range all {
		out[i].ExposedCompany = x
		for _, p := range firsts[x.CompanyID] {
			out[i].FirstHops = append(out[i].FirstHops, byPair[p])
		}
	}
	return out, nil
}
