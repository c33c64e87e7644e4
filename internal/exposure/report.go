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
	firsts, err := e.firstHops(ctx, ds, ids, q)
	if err != nil {
		return nil, false, err
	}
	out := make([]domain.ExposedReportRow, len(part))
	for i, x := range part {
		out[i].ExposedCompany = x
		for _, h := range firsts[x.CompanyID] {
			out[i].FirstHops = append(out[i].FirstHops, domain.SupplyHop{Supplier: h.Supplier, Customer: h.Customer, Reason: h.Reason})
		}
	}
	return out, end < list.Len(), nil
}

// FirstHops implements domain.ExposureService: per company of ids exposed
// on q.AsOf, the first hops of the paths q counts, judged on q.AsOf. Each
// company's are kept per version and question, as its paths are: the
// walk of all its paths and the judging of hundreds of hops cost more
// than the rest of a page of the API, which is asked for again and again.
func (e *Engine) FirstHops(ctx context.Context, q domain.ExposureQuery, ids []string) (map[string][]domain.SupplyHop, error) {
	return with(ctx, e, func(b *bound) (map[string][]domain.SupplyHop, error) {
		q = normalize(q)
		q.Sector = "" // a company's paths are the same whatever sector was asked
		prefix := key("firsts|", b.store.Version(), "|", q.AsOf, "|", q.MaxDepth, "|", q.ConfidenceKey(), "|")
		out, missing := kept(b.c.firsts, prefix, ids)
		if len(missing) == 0 {
			return out, nil
		}
		ds, err := b.dated()
		if err != nil {
			return nil, err
		}
		got, err := b.firstHops(ctx, ds, missing, q)
		if err != nil {
			return nil, err
		}
		for _, id := range missing {
			b.c.firsts.Add(prefix+id, got[id])
			out[id] = got[id]
		}
		return out, nil
	})
}

// firstHops returns, per company of ids exposed on q.AsOf, the distinct
// first hops (S0, S1) of the paths q counts, each judged on q.AsOf (all
// of them controlled and uncovered: rule 5), sorted by supplier then
// customer. The export, the API and what explains a change of exposure
// read them here.
func (e *bound) firstHops(ctx context.Context, ds dated, ids []string, q domain.ExposureQuery) (map[string][]domain.SupplyHop, error) {
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
	out := make(map[string][]domain.SupplyHop, len(firsts))
	for id, hs := range firsts {
		for _, p := range hs {
			out[id] = append(out[id], byPair[p])
		}
	}
	return out, nil
}
