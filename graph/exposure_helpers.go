package graph

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
)

// Conversions for the exposure resolvers (kept out of the generated
// *.resolvers.go files).

func exposureQuery(sector *string, asOf *domain.Date, maxDepth *int) domain.ExposureQuery {
	q := domain.ExposureQuery{AsOf: dateOrToday(asOf), MaxDepth: exposure.DefaultMaxDepth}
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

// pathCountsAsked says whether an exposedCompanies page asks for path
// counts or first suppliers: they cost a walk per company, and a question
// for totalCount or minDepth only should not pay it.
func pathCountsAsked(ctx context.Context) bool {
	return selectsAnyOf(ctx, []string{"pathCount", "uncoveredSuppliers"}, "ExposedCompany",
		step{"ExposedCompanyConnection", "edges"}, step{"ExposedCompanyEdge", "node"})
}
