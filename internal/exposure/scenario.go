package exposure

import (
	"context"
	"errors"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// RefChecker says which ids name records of a kind in the system of
// record: the reference check of the mutations, which a scenario's
// records pass too.
type RefChecker interface {
	ExistingIDs(ctx context.Context, kind domain.Kind, ids []string) (map[string]bool, error)
}

// WhatIf makes, from a view, a view of the same graph with a scenario's
// changes, writing nothing; with the records it changed, as changed, and
// the links (supplier, customer) whose judgement they may alter. The
// view it returns lives inside base and is released before it.
type WhatIf func(ctx context.Context, base View, s domain.Scenario) (View, *domain.Hypothetical, [][2]string, error)

// WhatIfOn adapts the WhatIf method of a concrete view type.
func WhatIfOn[V View](f func(V, context.Context, domain.Scenario) (V, *domain.Hypothetical, [][2]string, error)) WhatIf {
	return func(ctx context.Context, base View, s domain.Scenario) (View, *domain.Hypothetical, [][2]string, error) {
		v, ok := base.(V)
		if !ok {
			return nil, nil, nil, errors.New("exposure: a scenario needs a view of the store that made it")
		}
		sv, h, touched, err := f(v, ctx, s)
		if err != nil {
			return nil, nil, nil, err
		}
		return sv, h, touched, nil
	}
}

// WithScenarios lets the engine answer exposureScenario: whatIf makes the
// scenario's view, refs checks its references as the mutations do.
func (e *Engine) WithScenarios(whatIf WhatIf, refs RefChecker) *Engine {
	e.whatIf, e.refs = whatIf, refs
	return e
}

// ExposureScenario implements domain.ExposureService: exposure for q on
// the graph as it stands (the baseline) and with q.Change, both on one
// version of the graph, compared. Nothing is written.
func (e *Engine) ExposureScenario(ctx context.Context, q domain.ScenarioQuery) (domain.ExposureScenario, error) {
	if e.whatIf == nil {
		return domain.ExposureScenario{}, domain.Errorf(domain.CodeInternal, "this server's exposure store cannot apply scenarios")
	}
	q.ExposureQuery = normalize(q.ExposureQuery)
	invalid := q.Change.Check()
	if len(invalid) == 0 && e.refs != nil {
		unknown, err := domain.UnknownRefs(ctx, e.refs.ExistingIDs, q.Change.Refs())
		if err != nil {
			return domain.ExposureScenario{}, err
		}
		invalid = unknown
	}
	if err := invalid.AsError(); err != nil {
		return domain.ExposureScenario{}, err
	}
	return with(ctx, e, func(b *bound) (domain.ExposureScenario, error) {
		sv, hyp, touched, err := e.whatIf(ctx, b.store, q.Change)
		if err != nil {
			return domain.ExposureScenario{}, err
		}
		defer sv.Release()
		s := &bound{store: sv, c: sv.Memo(func() any { return newCaches() }).(*caches)}
		return compareScenario(ctx, b, s, q, hyp, touched)
	})
}

// compareScenario answers q on the baseline b and the scenario s.
func compareScenario(ctx context.Context, b, s *bound, q domain.ScenarioQuery, hyp *domain.Hypothetical, touched [][2]string) (domain.ExposureScenario, error) {
	vb, base, err := b.exposedList(ctx, q.ExposureQuery)
	if err != nil {
		return domain.ExposureScenario{}, err
	}
	vs, scen, err := s.exposedList(ctx, q.ExposureQuery)
	if err != nil {
		return domain.ExposureScenario{}, err
	}
	newly, gone := diffExposed(base, scen)
	out := domain.ExposureScenario{BaselineCount: base.Len(), ScenarioCount: scen.Len(),
		NewlyExposedCount: len(newly), NoLongerExposedCount: len(gone), Hypothetical: hyp, Query: q.ExposureQuery}
	if out.NewlyExposed, err = s.scenarioCompanies(ctx, vs, q, newly[:min(len(newly), q.First)], hyp); err != nil {
		return domain.ExposureScenario{}, err
	}
	if out.NoLongerExposed, err = b.scenarioCompanies(ctx, vb, q, gone[:min(len(gone), q.First)], nil); err != nil {
		return domain.ExposureScenario{}, err
	}
	out.ChangedHops, err = changedHops(ctx, b, s, touched, q.AsOf, hyp)
	return out, err
}

// scenarioCompanies fills the figures q asks for and the paths of xs, on
// e's view; hyp marks the hops judged in a scenario.
func (e *bound) scenarioCompanies(ctx context.Context, v string, q domain.ScenarioQuery, xs []domain.ExposedCompany, hyp *domain.Hypothetical) ([]domain.ScenarioCompany, error) {
	var err error
	if q.Fields.Details {
		if xs, err = e.withDetails(ctx, v, q.ExposureQuery, xs); err != nil {
			return nil, err
		}
	}
	if q.Fields.Since {
		if err = e.withSince(ctx, v, q.ExposureQuery, xs); err != nil {
			return nil, err
		}
	}
	out := make([]domain.ScenarioCompany, len(xs))
	for i, x := range xs {
		out[i].ExposedCompany = x
		if q.Paths == 0 {
			continue
		}
		paths, err := e.store.ExposurePaths(ctx, domain.PathsQuery{CompanyID: x.CompanyID, ExposureQuery: q.ExposureQuery, First: q.Paths})
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			for j := range p.Hops {
				if hyp != nil {
					p.Hops[j].Hypothetical = hyp
				}
			}
		}
		out[i].Paths = paths
	}
	return out, nil
}

// changedHops judges the touched links on d in the baseline and the
// scenario, and keeps those whose judgement differs: controlled, covered
// or reason, or a controlled hop on one side only.
func changedHops(ctx context.Context, b, s *bound, touched [][2]string, d domain.Date, hyp *domain.Hypothetical) ([]domain.HopChange, error) {
	before, err := b.store.ClassifyHops(ctx, touched, d)
	if err != nil {
		return nil, err
	}
	after, err := s.store.ClassifyHops(ctx, touched, d)
	if err != nil {
		return nil, err
	}
	// ClassifyHops keeps the order of the pairs, leaving out those with no
	// link: walk both lists along touched.
	var out []domain.HopChange
	i, j := 0, 0
	for _, p := range touched {
		var x, y *domain.SupplyHop
		if i < len(before) && before[i].Supplier == p[0] && before[i].Customer == p[1] {
			x = &before[i]
			i++
		}
		if j < len(after) && after[j].Supplier == p[0] && after[j].Customer == p[1] {
			y = &after[j]
			y.Hypothetical = hyp
			j++
		}
		if judgedAlike(x, y) {
			continue
		}
		out = append(out, domain.HopChange{Supplier: p[0], Customer: p[1], Baseline: x, Scenario: y})
	}
	return out, nil
}

// judgedAlike says whether two judgements of a link (nil: no link) agree
// on what exposure depends on.
func judgedAlike(x, y *domain.SupplyHop) bool {
	switch {
	case x == nil && y == nil:
		return true
	case x == nil:
		return !y.Controlled
	case y == nil:
		return !x.Controlled
	}
	return x.Controlled == y.Controlled && x.Covered == y.Covered && x.Reason == y.Reason
}
