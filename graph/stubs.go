package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/licencegraph/licencegraph/graph/loader"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// A relation the parent already holds as ids (a licence's clients, a
// company's sectors, an exposure hop's ends…) needs no round trip when the
// query selects nothing but `id` of it: objects built from the ids answer.
// Frontends and analysts ask `{ id }` of relations all the time, and each
// avoided level also avoids a batch wait.

// step follows field on the selection's objects of type typeName, e.g.
// {"ExposedCompanyConnection", "edges"}.
type step struct{ typeName, field string }

// selectedFields lists the fields the field being resolved selects on its
// objects of type typeName — or, after steps, on the objects reached
// through them; ok is false outside an operation.
func selectedFields(ctx context.Context, typeName string, steps ...step) (names []string, ok bool) {
	fc, oc := graphql.GetFieldContext(ctx), graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return nil, false
	}
	for _, f := range collectAfter(oc, []ast.SelectionSet{fc.Field.Selections}, typeName, steps...) {
		names = append(names, f.Name)
	}
	return names, true
}

// collectAfter collects the fields selected on objects of type typeName in
// sets, after following steps.
func collectAfter(oc *graphql.OperationContext, sets []ast.SelectionSet, typeName string, steps ...step) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, set := range sets {
		for _, reached := range selectionsAfter(oc, set, steps...) {
			out = append(out, graphql.CollectFields(oc, reached, []string{typeName})...)
		}
	}
	return out
}

// selectionsAfter follows steps from sel and returns the selection sets
// reached.
func selectionsAfter(oc *graphql.OperationContext, sel ast.SelectionSet, steps ...step) []ast.SelectionSet {
	sets := []ast.SelectionSet{sel}
	for _, st := range steps {
		var next []ast.SelectionSet
		for _, set := range sets {
			for _, f := range graphql.CollectFields(oc, set, []string{st.typeName}) {
				if f.Name == st.field {
					next = append(next, f.Selections)
				}
			}
		}
		sets = next
	}
	return sets
}

// fieldNames lists the names of fields.
func fieldNames(fields []graphql.CollectedField) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}

// idOnly says whether the field being resolved selects only id and
// __typename of objects of type typeName.
func idOnly(ctx context.Context, typeName string) bool {
	names, ok := selectedFields(ctx, typeName)
	return ok && onlyIDs(names)
}

// idOnlyIn says whether sel selects only id and __typename of objects of
// type typeName.
func idOnlyIn(oc *graphql.OperationContext, sel ast.SelectionSet, typeName string) bool {
	return onlyIDs(fieldNames(collectAfter(oc, []ast.SelectionSet{sel}, typeName)))
}

func onlyIDs(names []string) bool {
	for _, n := range names {
		if n != "id" && n != "__typename" {
			return false
		}
	}
	return len(names) > 0
}

// selectsAnyOf says whether the field being resolved selects one of names
// of objects of type typeName (after steps); outside an operation, yes.
func selectsAnyOf(ctx context.Context, names []string, typeName string, steps ...step) bool {
	got, ok := selectedFields(ctx, typeName, steps...)
	return !ok || slices.ContainsFunc(got, func(n string) bool { return slices.Contains(names, n) })
}

// selectsAnyIn says whether sel selects one of names of objects of type
// typeName.
func selectsAnyIn(oc *graphql.OperationContext, sel ast.SelectionSet, names []string, typeName string) bool {
	return slices.ContainsFunc(fieldNames(collectAfter(oc, []ast.SelectionSet{sel}, typeName)), func(n string) bool { return slices.Contains(names, n) })
}

// stubs builds objects from ids alone, in their order.
// One backing array for all of them: a page of exposed companies lists
// thousands of first suppliers.
func stubs[V any](ids []string, mk func(id string) V) []*V {
	out := make([]*V, len(ids))
	vs := make([]V, len(ids))
	for i, id := range ids {
		vs[i] = mk(id)
		out[i] = &vs[i]
	}
	return out
}

// byIDs resolves a relation its parent holds as ids of objects of type
// typeName: from the ids alone when the query selects only `id`, else
// through the loader pick names (which leaves out ids it does not find).
func byIDs[V any](ctx context.Context, typeName string, ids []string, mk func(id string) V, pick func(*loader.Loaders) *loader.Batcher[string, V]) ([]*V, error) {
	if idOnly(ctx, typeName) {
		return stubs(ids, mk), nil
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	return loader.Many(ctx, pick(l), ids)
}

func companies(ctx context.Context, ids []string) ([]*domain.Company, error) {
	return byIDs(ctx, "Company", ids, func(id string) domain.Company { return domain.Company{ID: id} },
		func(l *loader.Loaders) *loader.Batcher[string, domain.Company] { return l.Company })
}

func sectors(ctx context.Context, ids []string) ([]*domain.Sector, error) {
	return byIDs(ctx, "Sector", ids, func(id string) domain.Sector { return domain.Sector{ID: id} },
		func(l *loader.Loaders) *loader.Batcher[string, domain.Sector] { return l.Sector })
}

func materials(ctx context.Context, ids []string) ([]*domain.Material, error) {
	return byIDs(ctx, "Material", ids, func(id string) domain.Material { return domain.Material{ID: id} },
		func(l *loader.Loaders) *loader.Batcher[string, domain.Material] { return l.Material })
}

func licences(ctx context.Context, ids []string) ([]*domain.Licence, error) {
	return byIDs(ctx, "Licence", ids, func(id string) domain.Licence { return domain.Licence{ID: id} },
		func(l *loader.Loaders) *loader.Batcher[string, domain.Licence] { return l.Licence })
}

func controls(ctx context.Context, ids []string) ([]*domain.ExportControl, error) {
	return byIDs(ctx, "ExportControl", ids, func(id string) domain.ExportControl { return domain.ExportControl{ID: id} },
		func(l *loader.Loaders) *loader.Batcher[string, domain.ExportControl] { return l.ExportControl })
}

// licenceListFields are the Licence fields read from its lists; a query
// that selects none of them gets licences without the lists.
var licenceListFields = []string{"clients", "materials", "excludedSectors", "controls", "sources", "reportedBy"}
