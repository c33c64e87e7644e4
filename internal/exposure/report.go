package exposure

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// ReportChunk is how many companies ExposedReport computes and hands over
// at a time.
const ReportChunk = 500

// ExposedReport answers an exposedCompanies question whole, for an export:
// every exposed company, by id, with its details (path count, first
// suppliers, confidence) as the API's ExposedCompanyPage gives them, its
// Since when withSince, and the first hops of its paths judged on
// q.AsOf (covered or not, and why). A company has as many first hops as
// distinct (S0, S1) pairs among its paths — hundreds in a large graph —
// so the answer is made ReportChunk companies at a time and handed to
// emit, each chunk on its own view (no view is held while emit writes)
// of the same graph version: when a write changes the version between
// two chunks, ExposedReport stops with a CONFLICT error, rather than mix
// two states of the graph in one answer.
func (e *Engine) ExposedReport(ctx context.Context, q domain.ExposureQuery, withSince bool, emit func([]domain.ExposedReportRow) error) error {
	version := ""
	for from := 0; ; {
		type chunk struct {
			rows []domain.ExposedReportRow
			more bool
		}
		c, err := with(ctx, e, func(b *bound) (chunk, error) {
			if v := b.store.Version(); version == "" {
				version = v
			} else if v != version {
				return chunk{}, domain.Errorf(domain.CodeConflict, "the graph changed while the exposed companies were being exported: ask again")
			}
			rows, more, err := b.reportChunk(ctx, q, withSince, from, ReportChunk)
			return chunk{rows, more}, err
		})
		if err != nil {
			return err
		}
		if err := emit(c.rows); err != nil {
			return err
		}
		if !c.more {
			return nil
		}
		from += len(c.rows)
	}
}

// reportChunk is the rows of the exposed companies from index from, at
// most n, and whether more follow.
func (e *bound) reportChunk(ctx context.Context, q domain.ExposureQuery, withSince bool, from, n int) ([]domain.ExposedReportRow, bool, error) {
	q = normalize(q)
	v, list, err := e.exposedList(ctx, q)
	if err != nil {
		return nil, false, err
	}
	from = min(from, list.Len())
	end := min(from+n, list.Len())
	part, err := e.withDetails(ctx, v, q, domain.ExposedRange(list, from, end))
	if err != nil {
		return nil, false, err
	}
	if withSince {
		if err := e.withSince(ctx, v, q, part); err != nil {
			return nil, false, err
		}
	}
	ds, err := e.dated()
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, len(part))
	for i, x := range part {
		ids[i] = x.CompanyID
	}
	firsts, err := ds.FirstHops(ctx, ids, q)
	if err != nil {
		return nil, false, err
	}
	var pairs [][2]string
	for _, hs := range firsts {
		pairs = append(pairs, hs...)
	}
	judged, err := e.store.ClassifyHops(ctx, union(pairs, nil), q.AsOf)
	if err != nil {
		return nil, false, err
	}
	byPair := make(map[[2]string]domain.SupplyHop, len(judged))
	for _, h := range judged {
		byPair[[2]string{h.Supplier, h.Customer}] = h
	}
	out := make([]domain.ExposedReportRow, len(part))
	for i, x := range part {
		out[i].ExposedCompany = x
		for _, p := range firsts[x.CompanyID] {
			h := byPair[p]
			out[i].FirstHops = append(out[i].FirstHops, domain.SupplyHop{Supplier: h.Supplier, Customer: h.Customer, Reason: h.Reason})
		}
	}
	return out, end < list.Len(), nil
}
