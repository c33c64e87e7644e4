package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/licencegraph/licencegraph/graph/loader"
	"github.com/licencegraph/licencegraph/graph/model"
	"github.com/licencegraph/licencegraph/graph/paging"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// scenarioFromInput converts exposureScenario's change, each record read
// as its mutation reads it (lists without repeats, licence defaults).
func scenarioFromInput(in model.ScenarioInput) domain.Scenario {
	var s domain.Scenario
	for _, l := range in.GrantLicences {
		s.GrantLicences = append(s.GrantLicences, licenceFromInput(*l))
	}
	for _, r := range in.RevokeLicences {
		s.RevokeLicences = append(s.RevokeLicences, domain.Revocation{ID: r.ID, On: deref(r.On)})
	}
	for _, x := range in.SetExclusions {
		sectors := domain.Dedupe(x.Sectors)
		if sectors == nil {
			sectors = []string{}
		}
		s.SetExclusions = append(s.SetExclusions, domain.ExclusionChange{LicenceID: x.LicenceID, Sectors: sectors})
	}
	for _, l := range in.AddLinks {
		s.AddLinks = append(s.AddLinks, supplyLinkFromInput(*l))
	}
	for _, k := range in.RemoveLinks {
		s.RemoveLinks = append(s.RemoveLinks, domain.LinkKey{Supplier: k.Supplier, Customer: k.Customer})
	}
	for _, x := range in.SuspendControls {
		s.SuspendControls = append(s.SuspendControls, domain.Suspension{ID: x.ID, From: x.From, Until: deref(x.Until)})
	}
	return s
}

// scenarioAsked reads from exposureScenario's selection how many
// companies each list asks for (the larger `first`), how many paths
// their `paths` ask for (0 when not selected), which costly figures, and
// whether their first hops.
// Outside an operation: the defaults, with paths.
func scenarioAsked(ctx context.Context) (first, paths int, fields domain.ExposedFields, firstHops bool) {
	fc, oc := graphql.GetFieldContext(ctx), graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return domain.DefaultScenarioCompanies, domain.DefaultPaths, domain.ExposedFields{Details: true, Since: true}, true
	}
	for _, list := range graphql.CollectFields(oc, fc.Field.Selections, []string{"ExposureScenario"}) {
		if list.Name != "newlyExposed" && list.Name != "noLongerExposed" {
			continue
		}
		first = max(first, intArg(list.ArgumentMap(oc.Variables), "first", domain.DefaultScenarioCompanies))
		for _, f := range graphql.CollectFields(oc, list.Selections, []string{"ExposedCompany"}) {
			switch f.Name {
			case "paths":
				paths = max(paths, intArg(f.ArgumentMap(oc.Variables), "first", domain.DefaultPaths))
			case "pathCount", "uncoveredSuppliers", "confidence":
				fields.Details = true
			case "since":
				fields.Since = true
			case "firstHops", "firstHopReasons":
				firstHops = true
			}
		}
	}
	// Out-of-bounds values are refused by the fields that take them
	// (newlyExposed, paths), naming their own argument.
	return min(max(first, 0), domain.MaxScenarioCompanies), min(max(paths, 0), domain.MaxPaths), fields, firstHops
}

// intArg is an Int argument, def when absent or null.
func intArg(args map[string]any, name string, def int) int {
	switch v := args[name].(type) {
	case int:
		return v
	case int64:
		return int(v)
	}
	return def
}

// scenarioFirst is the `first` of a scenario's list: def when absent, at
// most 1,000.
func scenarioFirst(first *int, def int) (int, error) {
	n := def
	if first != nil {
		n = *first
	}
	if n < 0 || n > domain.MaxScenarioCompanies {
		return 0, &domain.Error{Code: domain.CodeBadUserInput, Field: "first",
			Message: fmt.Sprintf("first must be between 0 and %d", domain.MaxScenarioCompanies)}
	}
	return n, nil
}

// scenarioNodes is the first companies of a scenario's list (first
// checked as the query was: within its bounds), judged there, with their
// paths.
func scenarioNodes(list []domain.ScenarioCompany, first *int, q domain.ExposureQuery) ([]*paging.ExposedCompanyNode, error) {
	n, err := scenarioFirst(first, domain.DefaultScenarioCompanies)
	if err != nil {
		return nil, err
	}
	out := make([]*paging.ExposedCompanyNode, 0, min(n, len(list)))
	for _, x := range list[:min(n, len(list))] {
		out = append(out, &paging.ExposedCompanyNode{ExposedCompany: x.ExposedCompany, Query: q, Judged: true, Paths: x.Paths,
			FirstHops: loader.Pointers(x.FirstHops), FirstHopReasons: reasonsOf(x.FirstHops)})
	}
	return out, nil
}

// hopLicences resolves a hop's licences; for a hop judged in a scenario,
// the licences the scenario changed (or granted) as it has them.
func hopLicences(ctx context.Context, h *domain.SupplyHop) ([]*domain.Licence, error) {
	if h.Hypothetical == nil {
		return licences(ctx, h.Licences)
	}
	var stored []string
	for _, id := range h.Licences {
		if _, ok := h.Hypothetical.Licences[id]; !ok {
			stored = append(stored, id)
		}
	}
	got, err := licences(ctx, stored)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*domain.Licence, len(got))
	for _, l := range got {
		byID[l.ID] = l
	}
	out := make([]*domain.Licence, 0, len(h.Licences))
	for _, id := range h.Licences {
		if x, ok := h.Hypothetical.Licences[id]; ok {
			out = append(out, &x)
		} else if l, ok := byID[id]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}
