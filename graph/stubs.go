package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// A relation the parent already holds as ids (a licence's clients, a
// company's sectors, an exposure hop's ends…) needs no round trip when the
// query selects nothing but `id` of it: objects built from the ids answer.
// Frontends and analysts ask `{ id }` of relations all the time, and each
// avoided level also avoids a batch wait.

// idOnly says whether the field being resolved selects only id and
// __typename of objects of type typeName.
func idOnly(ctx context.Context, typeName string) bool {
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return false
	}
	fields := graphql.CollectFields(oc, fc.Field.Selections, []string{typeName})
	for _, f := range fields {
		if f.Name != "id" && f.Name != "__typename" {
			return false
		}
	}
	return len(fields) > 0
}

func companyStubs(ids []string) []*domain.Company {
	out := make([]*domain.Company, len(ids))
	for i, id := range ids {
		out[i] = &domain.Company{ID: id}
	}
	return out
}

func sectorStubs(ids []string) []*domain.Sector {
	out := make([]*domain.Sector, len(ids))
	for i, id := range ids {
		out[i] = &domain.Sector{ID: id}
	}
	return out
}

func materialStubs(ids []string) []*domain.Material {
	out := make([]*domain.Material, len(ids))
	for i, id := range ids {
		out[i] = &domain.Material{ID: id}
	}
	return out
}

func licenceStubs(ids []string) []*domain.Licence {
	out := make([]*domain.Licence, len(ids))
	for i, id := range ids {
		out[i] = &domain.Licence{ID: id}
	}
	return out
}

func controlStubs(ids []string) []*domain.ExportControl {
	out := make([]*domain.ExportControl, len(ids))
	for i, id := range ids {
		out[i] = &domain.ExportControl{ID: id}
	}
	return out
}

// sortedIDs is ids in id order, as the loaders' lists come.
func sortedIDs(ids []string) []string { return slices.Sorted(slices.Values(ids)) }

// licenceListFields are the Licence fields read from its lists; a query
// that selects none of them gets licences without the lists.
var licenceListFields = []string{"clients", "materials", "excludedSectors", "controls", "sources"}

// selectsAnyOf says whether the field being resolved selects one of names
// of objects of type typeName.
func selectsAnyOf(ctx context.Context, typeName string, names ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return true
	}
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, []string{typeName}) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}
