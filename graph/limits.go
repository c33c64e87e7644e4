package graph

import (
	"context"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/licencegraph/licencegraph/graph/generated"
	"github.com/licencegraph/licencegraph/graph/model"
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
	c.Query.ExposedCompanies = func(child int, _ *string, _ *domain.Date, _ *int, _ *float64, first *int, _ *string) int {
		return exposureCost + child*page(first, domain.DefaultPageSize)
	}
	c.Query.ExposurePaths = func(child int, _ string, _ *domain.Date, _ *int, _ *float64, first *int) int {
		return exposureCost + child*page(first, domain.DefaultPaths)
	}
	c.Query.ExposureChanges = func(child int, _ domain.Date, _ domain.Date, _ *string, _ *int, _ *float64) int {
		return 2*exposureCost + child*listEstimate
	}
	// A timeline walks back from one company on each day its exposure may
	// change: bounded by the span (domain.MaxTimelineDays), not by the
	// graph.
	c.Query.ExposureTimeline = func(child int, _ string, _ domain.Date, _ domain.Date, _ *int, _ *float64) int {
		return 2*exposureCost + child*listEstimate
	}
	c.Query.ExposureDates = func(int, domain.Date, domain.Date) int { return exposureCost }
	// A scenario answers the question twice (baseline and scenario).
	c.Query.ExposureScenario = func(child int, _ *domain.Date, _ *int, _ *string, _ *float64, _ model.ScenarioInput) int {
		return 2*exposureCost + child
	}
	c.ExposureScenario.NewlyExposed = func(child int, first *int) int {
		return 1 + child*page(first, domain.DefaultScenarioCompanies)
	}
	c.ExposureScenario.NoLongerExposed = func(child int, first *int) int {
		return 1 + child*page(first, domain.DefaultScenarioCompanies)
	}
	c.ExposureScenario.ChangedHops = func(child int, first *int) int {
		return 1 + child*page(first, domain.DefaultChangedHops)
	}
	c.ExposedCompany.Paths = func(child int, first *int) int { return exposureCost + child*page(first, domain.DefaultPaths) }

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
	c.ExposureInterval.UncoveredSuppliers = list
	c.ExposureInterval.Licences = list
	c.ExposureInterval.Controls = list
	c.ExposurePath.Hops = func(child int) int { return 1 + child*domain.MaxExposureDepth }
	c.SupplyHop.Licences = list
	return c
}

// queryLimits rejects, before anything runs, operations deeper, costlier
// or with more aliases than configured, with QUERY_TOO_COMPLEX, and
// introspection where it is turned off.
type queryLimits struct {
	maxComplexity, maxDepth, maxAliases int
	noIntrospection                     bool
	schema                              graphql.ExecutableSchema
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
	if op == nil {
		return nil // gqlgen reports an unknown operation itself
	}
	w := newWalker()
	if n := w.fields(op.SelectionSet); n > maxFields {
		// Fragments spread into fragments: a few hundred bytes can stand
		// for 2^40 fields, which gqlgen's complexity count and executor
		// would expand one by one.
		return tooComplex("the query has more than %d fields once its fragments are expanded", maxFields)
	}
	if a := w.aliases(op.SelectionSet, l.maxAliases); l.maxAliases > 0 && a > l.maxAliases {
		return tooComplex("the query has more than %d aliased fields; the limit is %d", l.maxAliases, l.maxAliases)
	}
	if l.noIntrospection && w.introspects(op.SelectionSet) {
		err := gqlerror.Errorf("introspection is turned off on this server")
		err.Extensions = map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}
		return err
	}
	if introspectionOnly(op.SelectionSet) {
		// The introspection query of GraphiQL is deep by nature and cheap.
		return nil
	}
	if d := w.depth(op.SelectionSet); l.maxDepth > 0 && d > l.maxDepth {
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

// maxFields bounds the fields of one operation with its fragments
// expanded; GraphiQL's introspection query has about 150.
const maxFields = 5000

// walker measures a selection set, looking through fragments. Each named
// fragment is measured once (memoised), so a document that spreads
// fragments into fragments costs time linear in its size, not in its
// expansion.
type walker struct {
	depths  map[string]int
	aliased map[string]int
	sizes   map[string]int
	seen    map[string]bool
}

func newWalker() *walker {
	return &walker{depths: map[string]int{}, aliased: map[string]int{}, sizes: map[string]int{}, seen: map[string]bool{}}
}

// fields counts the fields of a selection set with its fragments
// expanded, saturating just past maxFields.
func (w *walker) fields(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n += 1 + w.fields(s.SelectionSet)
		case *ast.InlineFragment:
			n += w.fields(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			k, ok := w.sizes[s.Name]
			if !ok {
				w.sizes[s.Name] = 0
				k = w.fields(s.Definition.SelectionSet)
				w.sizes[s.Name] = k
			}
			n += k
		}
		if n > maxFields {
			return maxFields + 1
		}
	}
	return n
}

// depth is the number of nested field levels below a selection set.
func (w *walker) depth(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + w.depth(s.SelectionSet)
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			var ok bool
			if d, ok = w.depths[s.Name]; !ok {
				w.depths[s.Name] = 0 // validation forbids cycles; this guards anyway
				d = w.depth(s.Definition.SelectionSet)
				w.depths[s.Name] = d
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// aliases counts the fields named by an alias other than the field's own
// name, each fragment counted every time it is spread. It stops counting
// past limit (0: no limit), so the answer saturates at limit+1.
func (w *walker) aliases(set ast.SelectionSet, limit int) int {
	n := 0
	add := func(k int) {
		n += k
		if limit > 0 && n > limit {
			n = limit + 1
		}
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				add(1)
			}
			add(w.aliases(s.SelectionSet, limit))
		case *ast.InlineFragment:
			add(w.aliases(s.SelectionSet, limit))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			k, ok := w.aliased[s.Name]
			if !ok {
				w.aliased[s.Name] = 0
				k = w.aliases(s.Definition.SelectionSet, limit)
				w.aliased[s.Name] = k
			}
			add(k)
		}
		if limit > 0 && n > limit {
			break
		}
	}
	return n
}

// introspects reports whether a selection set asks for __schema or
// __type anywhere.
func (w *walker) introspects(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" || w.introspects(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if w.introspects(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !w.seen[s.Name] {
				w.seen[s.Name] = true
				if w.introspects(s.Definition.SelectionSet) {
					return true
				}
			}
		}
	}
	return false
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

// rulesWithoutSuggestions is gqlparser's default validation with every
// rule that suggests names ("Did you mean …?") replaced by its variant
// without suggestions: they would hand out the schema when introspection
// is off. (gqlgen's SetDisableSuggestion swaps two of the five.)
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []struct {
		name string
		rule core.Rule
	}{
		{"FieldsOnCorrectType", rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{"KnownArgumentNames", rules.KnownArgumentNamesRuleWithoutSuggestions},
		{"KnownTypeNames", rules.KnownTypeNamesRuleWithoutSuggestions},
		{"ScalarLeafs", rules.ScalarLeafsRuleWithoutSuggestions},
		{"ValuesOfCorrectType", rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap.name)
		r.AddRule(swap.rule.Name, swap.rule.RuleFunc)
	}
	return r
}
