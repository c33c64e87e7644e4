package graph

import (
	"context"
	"errors"

	"github.com/licencegraph/licencegraph/graph/loader"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
)

// Conversions for the exposure resolvers (kept out of the generated
// *.resolvers.go files).

func exposureQuery(sector *string, asOf *domain.Date, maxDepth *int, minConfidence *float64) domain.ExposureQuery {
	q := domain.ExposureQuery{AsOf: dateOrToday(asOf), MaxDepth: exposure.DefaultMaxDepth, MinConfidence: minConfidence}
	if sector != nil {
		q.Sector = *sector
	}
	if maxDepth != nil {
		q.MaxDepth = *maxDepth
	}
	return q
}

// pathsQuery is the question of a path list: validated, errors naming
// its arguments.
func pathsQuery(companyID string, q domain.ExposureQuery, first *int) (domain.PathsQuery, error) {
	pq := domain.PathsQuery{CompanyID: companyID, ExposureQuery: q, First: domain.DefaultPaths}
	if first != nil {
		pq.First = *first
	}
	return pq, validate(pq, "")
}

func reasonOf(h *domain.SupplyHop) *domain.ExposureReason {
	if h.Reason == "" {
		return nil
	}
	r := h.Reason
	return &r
}

// exposedFieldsAsked says which costly fields an exposedCompanies page
// asks for: path counts, first suppliers and confidence cost a walk per
// company, since one per day its exposure may have begun on; a question
// for totalCount or minDepth only should not pay them.
func exposedFieldsAsked(ctx context.Context) domain.ExposedFields {
	toNode := []step{{"ExposedCompanyConnection", "edges"}, {"ExposedCompanyEdge", "node"}}
	return domain.ExposedFields{
		Details: selectsAnyOf(ctx, []string{"pathCount", "uncoveredSuppliers", "confidence"}, "ExposedCompany", toNode...),
		Since:   selectsAnyOf(ctx, []string{"since"}, "ExposedCompany", toNode...),
	}
}

// hopLink is the supply link a hop walks, read with the other hops of the
// request in one batch.
func hopLink(ctx context.Context, h *domain.SupplyHop) (*domain.SupplyLink, error) {
	if h.Hypothetical != nil {
		if l, ok := h.Hypothetical.Links[domain.LinkKey{Supplier: h.Supplier, Customer: h.Customer}]; ok {
			return &l, nil
		}
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	link, err := l.SupplyLink.Load(ctx, [2]string{h.Supplier, h.Customer})
	if errors.Is(err, loader.ErrNotFound) {
		// The hop was judged on the projection and the link removed since.
		return nil, domain.Errorf(domain.CodeNotFound, "no supply link from %q to %q", h.Supplier, h.Customer)
	}
	if err != nil {
		return nil, err
	}
	return &link, nil
}
