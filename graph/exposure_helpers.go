package graph

import (
	"context"
	"fmt"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
)

// Conversions for the exposure resolvers (kept out of the generated
// *.resolvers.go files).

// DefaultPaths and MaxPaths bound the `first` of path lists.
const (
	DefaultPaths = 10
	MaxPaths     = 100
)

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

func pathLimit(first *int) (int, error) {
	if first == nil {
		return DefaultPaths, nil
	}
	if *first < 1 || *first > MaxPaths {
		return 0, &domain.Error{Code: domain.CodeBadUserInput, Field: "first",
			Message: fmt.Sprintf("first must be between 1 and %d", MaxPaths)}
	}
	return *first, nil
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
