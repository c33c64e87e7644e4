package graph

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/licencegraph/licencegraph/graph/loader"
	"github.com/licencegraph/licencegraph/graph/paging"
	"github.com/licencegraph/licencegraph/graph/scalar"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// Prefetching: when a resolver has read a set of companies, it knows every
// key the loader-backed fields selected on them will ask for, and sends
// those batches at once. Each level of a nested query then skips the
// loaders' quiet wait (defaultQuiet), and the database reads the next level
// while gqlgen is still building this one: on the nested page (50
// companies × 10 suppliers × their licences) the next statement used to
// start 12 ms after the previous one ended.
//
// Keys are computed by the functions the resolvers use, so a prefetched
// batch is exactly the one the resolvers would have sent; a resolver whose
// key is not among them (another alias, other arguments) loads as before.

// prefetchCompanies sends the batches the fields selected on companies
// (sets, the selection sets on Company objects) will ask for.
func prefetchCompanies(ctx context.Context, sets []ast.SelectionSet, ids []string) {
	oc := graphql.GetOperationContext(ctx)
	l, err := loader.For(ctx)
	if oc == nil || err != nil || len(ids) == 0 {
		return
	}
	for _, f := range collectAfter(oc, sets, "Company") {
		args := f.ArgumentMap(oc.Variables)
		switch f.Name {
		case "suppliers", "customers":
			first, okFirst := optionalArg(args, "first", graphql.UnmarshalInt)
			after, okAfter := optionalArg(args, "after", graphql.UnmarshalString)
			if !okFirst || !okAfter {
				continue
			}
			p, err := paging.Page(first, after)
			if err != nil {
				continue // the resolver reports it
			}
			upstream := f.Name == "suppliers"
			reads := linkReadsOf(oc, f.Selections, upstream)
			keys := make([]domain.LinkPageKey, len(ids))
			for i, id := range ids {
				keys[i] = domain.LinkPageKey{Company: id, Page: p, Reads: reads}
			}
			// The pages' own hook prefetches below them from this field.
			pctx := context.WithValue(ctx, prefetchFieldKey{}, f)
			if upstream {
				l.Suppliers.Prefetch(pctx, keys)
			} else {
				l.Customers.Prefetch(pctx, keys)
			}
		case "licencesHeld":
			status, okStatus := optionalArg(args, "status", unmarshalStatus)
			asOf, okAsOf := optionalArg(args, "asOf", scalar.UnmarshalDate)
			if !okStatus || !okAsOf {
				continue
			}
			lists := selectsAnyIn(oc, f.Selections, licenceListFields, "Licence")
			keys := make([]domain.HeldKey, len(ids))
			for i, id := range ids {
				keys[i] = heldKey(id, status, asOf, lists)
			}
			l.LicencesHeld.Prefetch(context.WithValue(ctx, prefetchFieldKey{}, f), keys)
		case "licencesCovering":
			asOf, ok := optionalArg(args, "asOf", scalar.UnmarshalDate)
			if !ok {
				continue
			}
			keys := make([]domain.CoveringKey, len(ids))
			for i, id := range ids {
				keys[i] = coveringKey(id, asOf)
			}
			l.LicencesCovering.Prefetch(context.WithValue(ctx, prefetchFieldKey{}, f), keys)
		}
	}
}

// prefetchAfterPages runs when a batch of supply-link pages has been read
// (loader.PageHook): the companies at the other ends are the next level.
// The selection is the first asker's; pages asked by other fields with the
// same page and reads are included, so an alias selecting other fields
// below them costs a batch it does not use, never a wrong answer.
func prefetchAfterPages(ctx context.Context, upstream bool, pages map[domain.LinkPageKey]domain.SupplyLinkPage) {
	oc, field, ok := askingField(ctx)
	if !ok {
		return
	}
	end := "customer"
	if upstream {
		end = "supplier"
	}
	reads := linkReadsOf(oc, field.Selections, upstream)
	seen := map[string]bool{}
	var ids []string
	for k, p := range pages {
		if k.Reads != reads {
			continue
		}
		for _, o := range p.Others {
			if !seen[o.ID] {
				seen[o.ID] = true
				ids = append(ids, o.ID)
			}
		}
	}
	toLinks := []step{{"SupplyLinkConnection", "edges"}, {"SupplyLinkEdge", "node"}}
	prefetchCompanies(ctx, selectionsAfter(oc, field.Selections, append(toLinks, step{"SupplyLink", end})...), ids)

	// The links' materials, when asked for more than their ids.
	for _, f := range collectAfter(oc, []ast.SelectionSet{field.Selections}, "SupplyLink", toLinks...) {
		if f.Name != "materials" || idOnlyIn(oc, f.Selections, "Material") {
			continue
		}
		if l, err := loader.For(ctx); err == nil {
			var materials []string
			for k, p := range pages {
				if k.Reads == reads {
					for _, link := range p.Links {
						materials = append(materials, link.Materials...)
					}
				}
			}
			l.Material.Prefetch(ctx, materials)
		}
		break
	}
}

// prefetchAfterLicences runs after a batch of licence lists
// (loader.LicenceHook): their clients, when the field asks more of them
// than ids, are the next level. Holders, materials and the other lists are
// rarely asked beyond their ids and load as usual.
func prefetchAfterLicences(ctx context.Context, lists [][]domain.Licence) {
	oc, field, ok := askingField(ctx)
	l, err := loader.For(ctx)
	if !ok || err != nil {
		return
	}
	for _, f := range collectAfter(oc, []ast.SelectionSet{field.Selections}, "Licence") {
		if f.Name != "clients" || idOnlyIn(oc, f.Selections, "Company") {
			continue
		}
		var ids []string
		for _, list := range lists {
			for _, lic := range list {
				ids = append(ids, lic.ID)
			}
		}
		l.LicenceClients.Prefetch(ctx, ids)
		return
	}
}

// askingField is the field a batch was asked for: the prefetching one, or
// the field of its first asker.
func askingField(ctx context.Context) (*graphql.OperationContext, graphql.CollectedField, bool) {
	oc := graphql.GetOperationContext(ctx)
	field, ok := ctx.Value(prefetchFieldKey{}).(graphql.CollectedField)
	if !ok {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil {
			return nil, field, false
		}
		field = fc.Field
	}
	return oc, field, oc != nil && field.Field != nil
}

// recoverPrefetch keeps a panic in a loader hook (which runs in the
// batch's goroutine, outside gqlgen's recovery) from ending the process:
// prefetching is an optimisation, the resolvers load what it missed.
func recoverPrefetch(ctx context.Context, log *slog.Logger) {
	if r := recover(); r != nil {
		log.ErrorContext(ctx, "panic while prefetching", "panic", r, "stack", string(debug.Stack()))
	}
}

// prefetchFieldKey holds, in the context of a prefetched batch, the field
// its keys were computed from (the batch has no field context of its own:
// it was sent by the level above).
type prefetchFieldKey struct{}

// prefetchCompanyPage prefetches for the companies a root field read,
// selected on objects reached from the field being resolved after steps.
func prefetchCompanyPage(ctx context.Context, companies []domain.Company, steps ...step) {
	fc, oc := graphql.GetFieldContext(ctx), graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return
	}
	ids := make([]string, len(companies))
	for i, c := range companies {
		ids[i] = c.ID
	}
	prefetchCompanies(ctx, selectionsAfter(oc, fc.Field.Selections, steps...), ids)
}

// optionalArg reads an optional argument with the scalar's unmarshaller;
// ok is false when it does not parse (the resolver will report it).
func optionalArg[T any](args map[string]any, name string, unmarshal func(any) (T, error)) (*T, bool) {
	v, ok := args[name]
	if !ok || v == nil {
		return nil, true
	}
	t, err := unmarshal(v)
	if err != nil {
		return nil, false
	}
	return &t, true
}

func unmarshalStatus(v any) (domain.LicenceStatus, error) {
	s, err := graphql.UnmarshalString(v)
	return domain.LicenceStatus(s), err
}
