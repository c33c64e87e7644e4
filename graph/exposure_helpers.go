package graph

import (
	"context"
	"fmt"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/licencegraph/licencegraph/graph/loader"
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

func companies(ctx context.Context, ids []string) ([]*domain.Company, error) {
	if idOnly(ctx, "Company") {
		return companyStubs(ids), nil
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	return loader.Many(ctx, l.Company, ids)
}

func materials(ctx context.Context, ids []string) ([]*domain.Material, error) {
	if idOnly(ctx, "Material") {
		return materialStubs(ids), nil
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	return loader.Many(ctx, l.Material, ids)
}

func licences(ctx context.Context, ids []string) ([]*domain.Licence, error) {
	if idOnly(ctx, "Licence") {
		return licenceStubs(ids), nil
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	return loader.Many(ctx, l.Licence, ids)
}

// selectsNodeField says whether the connection field being resolved asks
// for one of names on edges.node: path counts cost a walk per company, and
// a question for totalCount or minDepth only should not pay it.
func selectsNodeField(ctx context.Context, names ...string) bool {
	oc, fc := graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx)
	if oc == nil || fc == nil {
		return true
	}
	for _, edges := range graphql.CollectFields(oc, fc.Field.Selections, []string{"ExposedCompanyConnection"}) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(oc, edges.Selections, []string{"ExposedCompanyEdge"}) {
			if node.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(oc, node.Selections, []string{"ExposedCompany"}) {
				if slices.Contains(names, f.Name) {
					return true
				}
			}
		}
	}
	return false
}
