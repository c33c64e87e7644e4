package graph

import (
	"context"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/licencegraph/licencegraph/graph/generated"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// listEstimate is the assumed length of lists that take no `first`
// (a company's sectors, a licence's clients, …) when costing a query.
const listEstimate = 10

// exposureCost is added for each exposure computation, which works on the
// whole graph whatever the page size.
const exposureCost = 1000

// complexityRoot costs lists by how many items they may return: a field
// under a list of n items counts n times.
func complexityRoot() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	page := func(first *int, def int) int {
		if first != nil && *first > 0 {
			return *first
		}
		return def
	}
	list := func(child int) int { return 1 + child*listEstimate }

	c.Query.Companies = func(child int, _ *domain.CompanyFilter, first *int, _ *string) int {
		return 1 + child*page(first, domain.DefaultPageSize)
	}
	c.Query.Licences = func(child int, _ *domain.LicenceFilter, first *int, _ *string) int {
		return 1 + child*page(first, domain.DefaultPageSize)
	}
	c.Query.Search = func(child int, _ string, first *int) int { return 1 + child*page(first, domain.DefaultPageSize) }
	c.Query.SupplyChain = func(child int, _ string, _ domain.Direction, _ *int) int {
		return 1 + child*domain.MaxSupplyChainNodes/10
	}
	c.Query.ExposedCompanies = func(child int, _ *string, _ *domain.Date, _ *int, first *int, _ *string) int {
		return exposureCost + child*page(first, domain.DefaultPageSize)
	}
	c.Query.ExposurePaths = func(child int, _ string, _ *domain.Date, _ *int, first *int) int {
		return exposureCost + child*page(first, DefaultPaths)
	}
	c.Query.ExposureChanges = func(child int, _ domain.Date, _ domain.Date, _ *string, _ *int) int {
		return 2*exposureCost + child*listEstimate
	}
	c.ExposedCompany.Paths = func(child int, first *int) int { return exposureCost + child*page(first, DefaultPaths) }

	c.Company.Suppliers = func(child int, first *int, _ *string) int { return 1 + child*page(first, domain.DefaultPageSize) }
	c.Company.Customers = func(child int, first *int, _ *string) int { return 1 + child*page(first, domain.DefaultPageSize) }
	c.Company.Sectors = list
	c.Company.LicencesHeld = func(child int, _ *domain.LicenceStatus, _ *domain.Date) int { return list(child) }
	c.Company.LicencesCovering = func(child int, _ *domain.Date) int { return list(child) }
	c.Company.ClientCoverage = func(child int, _ *domain.Date) int { return list(child) }
	c.Licence.Clients = list
	c.Licence.Materials = list
	c.Licence.ExcludedSectors = list
	c.Licence.Controls = list
	c.Sector.Children = list
	c.ExposedCompany.UncoveredSuppliers = list
	c.ExposurePath.Hops = func(child int) int { return 1 + child*domain.MaxExposureDepth }
	c.SupplyHop.Licences = list
	return c
}

// queryLimits rejects, before anything runs, operations deeper or costlier
// than configured, with QUERY_TOO_COMPLEX.
type queryLimits struct {
	maxComplexity, maxDepth int
	schema                  graphql.ExecutableSchema
}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = &queryLimits{}

func (*queryLimits) ExtensionName() string { return "QueryLimits" }

func (l *queryLimits) Validate(schema graphql.ExecutableSchema) error {
	l.schema = schema
	return nil
}

func (l *queryLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op == nil || introspectionOnly(op.SelectionSet) {
		// gqlgen reports an unknown operation itself; the introspection
		// query of GraphiQL is deep by nature and cheap.
		return nil
	}
	if d := depth(op.SelectionSet, 0); l.maxDepth > 0 && d > l.maxDepth {
		return tooComplex("the query is %d levels deep; the limit is %d", d, l.maxDepth)
	}
	if c := complexity.Calculate(ctx, l.schema, op, oc.Variables); l.maxComplexity > 0 && c > l.maxComplexity {
		return tooComplex("the query could cost %d (lists count by their page size); the limit is %d: ask for smaller pages or fewer nested lists", c, l.maxComplexity)
	}
	return nil
}

func tooComplex(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": string(domain.CodeTooComplex)}
	return err
}

// depth is the number of nested field levels below a selection set,
// looking through fragments.
func depth(set ast.SelectionSet, seen int) int {
	deepest := seen
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = depth(s.SelectionSet, seen+1)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, seen)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = depth(s.Definition.SelectionSet, seen)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func introspectionOnly(set ast.SelectionSet) bool {
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok || (f.Name != "__schema" && f.Name != "__type" && f.Name != "__typename") {
			return false
		}
	}
	return len(set) > 0
}
