// Package exposure answers the exposure questions of docs/exposure.md:
// which companies depend, directly or through suppliers, on a Chinese
// producer with no valid licence to ship to them. The graph work runs in
// the store it is given (Store, implemented on Neo4j by neo4jstore); this
// package combines the store's searches, fills the date default and keeps
// answers per graph version (cache.go). Questions arrive validated
// (domain.ExposureQuery and friends).
package exposure

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Store is the searches the engine combines (internal/projection answers
// them from memory). Questions arrive validated.
type Store interface {
	UncoveredHops(ctx context.Context, d domain.Date) (map[string][]string, error)
	WalkLevels(ctx context.Context, ids []string, d domain.Date, levels int) ([][]string, error)
	PropagateLabels(ctx context.Context, from map[string][]string, to []string, d domain.Date, max int) (map[string][]string, error)
	ExposureDetails(ctx context.Context, ids []string, q domain.ExposureQuery) (map[string]domain.ExposedCompany, error)
	SectorMembers(ctx context.Context, sector string) ([]string, error)
	ExposurePaths(ctx context.Context, q domain.PathsQuery) ([]domain.ExposurePath, error)
	ClassifyHops(ctx context.Context, pairs [][2]string, d domain.Date) ([]domain.SupplyHop, error)
	CompanyExists(ctx context.Context, id string) (bool, error)
	ForeignClients(ctx context.Context, producer string, d domain.Date) ([]string, error)
	DatedChanges(ctx context.Context, suppliers []string, from, to domain.Date) (map[string][]string, []string, error)
}

// View is the graph at one version, held for one question: every search
// of the question sees the same graph, and answers kept in its Memo are
// dropped with the version.
type View interface {
	Store
	// Version names the graph's state; it changes with every write.
	Version() string
	// Memo returns the value kept for this version, made by create on
	// first use.
	Memo(create func() any) any
	Release()
}

// Source gives views of the graph, each up to date with every write
// committed before it was asked for.
type Source interface {
	Acquire(ctx context.Context) (View, error)
}

// Views adapts the Acquire of a concrete view type to Source.
func Views[V View](acquire func(context.Context) (V, error)) Source {
	return SourceFunc(func(ctx context.Context) (View, error) {
		v, err := acquire(ctx)
		if err != nil {
			return nil, err
		}
		return v, nil
	})
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) (View, error)

// Acquire implements Source.
func (f SourceFunc) Acquire(ctx context.Context) (View, error) { return f(ctx) }

// DefaultMaxDepth is the API's default for maxDepth.
const DefaultMaxDepth = 4

// Engine implements domain.ExposureService on a Source.
type Engine struct {
	src Source
	// whatIf and refs answer exposureScenario (WithScenarios).
	whatIf WhatIf
	refs   RefChecker
}

var _ domain.ExposureService = (*Engine)(nil)

// New returns the engine on a source of views.
func New(src Source) *Engine { return &Engine{src: src} }

// bound is the engine on one view, for one question.
type bound struct {
	store View
	c     *caches
}

// with runs f on a view acquired for this question.
func with[T any](ctx context.Context, e *Engine, f func(*bound) (T, error)) (T, error) {
	v, err := e.src.Acquire(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	defer v.Release()
	return f(&bound{store: v, c: v.Memo(func() any { return newCaches() }).(*caches)})
}

// ExposedCompanies implements domain.ExposureService: every exposed
// company with its path count and first suppliers.
func (e *Engine) ExposedCompanies(ctx context.Context, q domain.ExposureQuery) ([]domain.ExposedCompany, error) {
	return with(ctx, e, func(b *bound) ([]domain.ExposedCompany, error) { return b.ExposedCompanies(ctx, q) })
}

type page struct {
	list  []domain.ExposedCompany
	total int
	more  bool
}

// ExposedCompanyPage implements domain.ExposureService.
func (e *Engine) ExposedCompanyPage(ctx context.Context, q domain.ExposureQuery, p domain.Page, fields domain.ExposedFields) ([]domain.ExposedCompany, int, bool, error) {
	got, err := with(ctx, e, func(b *bound) (page, error) {
		list, total, more, err := b.ExposedCompanyPage(ctx, q, p, fields)
		return page{list, total, more}, err
	})
	return got.list, got.total, got.more, err
}

// ExposurePaths implements domain.ExposureService. An unknown company is
// NOT_FOUND; a known one without paths has none.
func (e *Engine) ExposurePaths(ctx context.Context, q domain.PathsQuery) ([]domain.ExposurePath, error) {
	return with(ctx, e, func(b *bound) ([]domain.ExposurePath, error) { return b.ExposurePaths(ctx, q) })
}

// ClassifyHop implements domain.ExposureService.
func (e *Engine) ClassifyHop(ctx context.Context, supplier, customer string, asOf domain.Date) (domain.SupplyHop, error) {
	return with(ctx, e, func(b *bound) (domain.SupplyHop, error) { return b.ClassifyHop(ctx, supplier, customer, asOf) })
}

// ClientCoverage implements domain.ExposureService.
func (e *Engine) ClientCoverage(ctx context.Context, producer string, asOf domain.Date) ([]domain.SupplyHop, error) {
	return with(ctx, e, func(b *bound) ([]domain.SupplyHop, error) { return b.ClientCoverage(ctx, producer, asOf) })
}

// ExposureChanges implements domain.ExposureService.
func (e *Engine) ExposureChanges(ctx context.Context, q domain.ChangesQuery) (domain.ExposureChanges, error) {
	return with(ctx, e, func(b *bound) (domain.ExposureChanges, error) { return b.ExposureChanges(ctx, q) })
}

// ExposureTimeline implements domain.ExposureService. An unknown company
// is NOT_FOUND.
func (e *Engine) ExposureTimeline(ctx context.Context, q domain.TimelineQuery) ([]domain.ExposureInterval, error) {
	return with(ctx, e, func(b *bound) ([]domain.ExposureInterval, error) { return b.ExposureTimeline(ctx, q) })
}

// ChangeDates implements domain.ExposureService.
func (e *Engine) ChangeDates(ctx context.Context, q domain.DatesQuery) ([]domain.Date, error) {
	return with(ctx, e, func(b *bound) ([]domain.Date, error) { return b.ChangeDates(ctx, q) })
}

// normalize fills the date default: today.
func normalize(q domain.ExposureQuery) domain.ExposureQuery {
	if q.AsOf.IsZero() {
		q.AsOf = domain.Today()
	}
	return q
}

// ExposedCompanies: every exposed company with its path count and first
// suppliers. It costs a path count per company; the API pages with
// ExposedCompanyPage.
func (e *bound) ExposedCompanies(ctx context.Context, q domain.ExposureQuery) ([]domain.ExposedCompany, error) {
	q = normalize(q)
	v, list, err := e.exposedList(ctx, q)
	if err != nil {
		return nil, err
	}
	return e.withDetails(ctx, v, q, domain.ExposedRange(list, 0, list.Len()))
}

func (e *bound) ExposedCompanyPage(ctx context.Context, q domain.ExposureQuery, p domain.Page, fields domain.ExposedFields) ([]domain.ExposedCompany, int, bool, error) {
	q = normalize(q)
	v, list, err := e.exposedList(ctx, q)
	if err != nil {
		return nil, 0, false, err
	}
	start := 0
	if p.After != "" {
		start = list.Search(p.After)
		if start < list.Len() && list.At(start).CompanyID == p.After {
			start++
		}
	}
	end := min(start+p.First, list.Len())
	page := domain.ExposedRange(list, start, end)
	if fields.Details {
		if page, err = e.withDetails(ctx, v, q, page); err != nil {
			return nil, 0, false, err
		}
	}
	if fields.Since {
		if err = e.withSince(ctx, v, q, page); err != nil {
			return nil, 0, false, err
		}
	}
	return page, list.Len(), end < list.Len(), nil
}

func (e *bound) ExposurePaths(ctx context.Context, q domain.PathsQuery) ([]domain.ExposurePath, error) {
	q.ExposureQuery = normalize(q.ExposureQuery)
	companyID := q.CompanyID
	v := e.store.Version()
	k := key("paths|", v, "|", q.AsOf, "|", q.MaxDepth, "|", q.ConfidenceKey(), "|", q.First, "|", companyID)
	if hit, ok := e.c.paths.Get(k); ok {
		return hit.paths, nil
	}
	got, err := once(ctx, e.c, k, func(ctx context.Context) (pathsEntry, error) {
		ok, err := e.store.CompanyExists(ctx, companyID)
		if err != nil {
			return pathsEntry{}, err
		}
		if !ok {
			return pathsEntry{}, &domain.Error{Code: domain.CodeNotFound, Field: "companyId", Message: fmt.Sprintf("no company %q", companyID)}
		}
		paths, err := e.store.ExposurePaths(ctx, q)
		if err != nil {
			return pathsEntry{}, err
		}
		entry := pathsEntry{paths: paths}
		e.c.paths.Add(k, entry)
		return entry, nil
	})
	return got.paths, err
}

func (e *bound) ClassifyHop(ctx context.Context, supplier, customer string, asOf domain.Date) (domain.SupplyHop, error) {
	if asOf.IsZero() {
		asOf = domain.Today()
	}
	hops, err := e.store.ClassifyHops(ctx, [][2]string{{supplier, customer}}, asOf)
	if err != nil {
		return domain.SupplyHop{}, err
	}
	if len(hops) == 0 {
		return domain.SupplyHop{}, domain.Errorf(domain.CodeNotFound, "no supply link from %q to %q", supplier, customer)
	}
	return hops[0], nil
}

// ClientCoverage: one judged hop per
// foreign client of producer, by client id. An unknown producer is
// NOT_FOUND.
func (e *bound) ClientCoverage(ctx context.Context, producer string, asOf domain.Date) ([]domain.SupplyHop, error) {
	if asOf.IsZero() {
		asOf = domain.Today()
	}
	ok, err := e.store.CompanyExists(ctx, producer)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, domain.Errorf(domain.CodeNotFound, "no company %q", producer)
	}
	clients, err := e.store.ForeignClients(ctx, producer, asOf)
	if err != nil || len(clients) == 0 {
		return nil, err
	}
	pairs := make([][2]string, len(clients))
	for i, c := range clients {
		pairs[i] = [2]string{producer, c}
	}
	hops, err := e.store.ClassifyHops(ctx, pairs, asOf)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hops, func(a, b domain.SupplyHop) int { return strings.Compare(a.Customer, b.Customer) })
	return hops, nil
}

// ExposureChanges: exposure on q.AsOf
// (from) and on q.To, compared. Each change is explained by the licences of
// the company's uncovered suppliers (on the date it is exposed) whose
// validity starts, ends or is revoked in between, and by the controls
// whose change between the dates altered whether a material of a first
// hop of its paths (on that date) is controlled.
func (e *bound) ExposureChanges(ctx context.Context, cq domain.ChangesQuery) (domain.ExposureChanges, error) {
	q, to := cq.ExposureQuery, cq.To
	ds, err := e.dated()
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	v, before, err := e.exposedList(ctx, q)
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	qTo := q
	qTo.AsOf = to
	vTo, after, err := e.exposedList(ctx, qTo)
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	newly, gone := diffExposed(before, after)
	// Their first suppliers, on the date each is exposed.
	if newly, err = e.withDetails(ctx, vTo, qTo, newly); err != nil {
		return domain.ExposureChanges{}, err
	}
	if gone, err = e.withDetails(ctx, v, q, gone); err != nil {
		return domain.ExposureChanges{}, err
	}
	var suppliers []string
	for _, x := range append(append([]domain.ExposedCompany{}, newly...), gone...) {
		suppliers = append(suppliers, x.UncoveredSuppliers...)
	}
	bySupplier, _, err := e.store.DatedChanges(ctx, sortedSet(suppliers), q.AsOf, to)
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	controls, err := changedControls(ctx, ds, q.AsOf, to)
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	explain := func(xs []domain.ExposedCompany, on domain.ExposureQuery) ([]domain.ExposureChange, error) {
		mats := map[string][]string{} // the materials of each company's first hops
		if !controls.none() && len(xs) > 0 {
			var err error
			if mats, err = e.firstHopMaterials(ctx, ds, xs, on); err != nil {
				return nil, err
			}
		}
		out := make([]domain.ExposureChange, 0, len(xs))
		for _, x := range xs {
			var lics []string
			for _, s := range x.UncoveredSuppliers {
				lics = append(lics, bySupplier[s]...)
			}
			out = append(out, domain.ExposureChange{CompanyID: x.CompanyID, Licences: sortedSet(lics), Controls: controls.cited(mats[x.CompanyID])})
		}
		return out, nil
	}
	newlyExplained, err := explain(newly, qTo)
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	goneExplained, err := explain(gone, q)
	if err != nil {
		return domain.ExposureChanges{}, err
	}
	return domain.ExposureChanges{From: q.AsOf, To: to, NewlyExposed: newlyExplained, NoLongerExposed: goneExplained}, nil
}

// firstHopMaterials returns, per company of xs, the materials of the first
// hops of its paths q counts on q.AsOf.
func (e *bound) firstHopMaterials(ctx context.Context, ds dated, xs []domain.ExposedCompany, q domain.ExposureQuery) (map[string][]string, error) {
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = x.CompanyID
	}
	hops, err := ds.FirstHops(ctx, ids, q)
	if err != nil {
		return nil, err
	}
	var pairs [][2]string
	for _, hs := range hops {
		pairs = append(pairs, hs...)
	}
	judged, err := e.store.ClassifyHops(ctx, union(pairs, nil), q.AsOf)
	if err != nil {
		return nil, err
	}
	linkMats := make(map[[2]string][]string, len(judged))
	for _, h := range judged {
		linkMats[[2]string{h.Supplier, h.Customer}] = h.Materials
	}
	out := make(map[string][]string, len(hops))
	for id, hs := range hops {
		for _, h := range hs {
			out[id] = append(out[id], linkMats[h]...)
		}
	}
	return out, nil
}

// diffExposed returns the companies exposed only after (with their paths
// then) and only before (with their paths before); both inputs are sorted
// by id.
func diffExposed(before, after domain.ExposedList) (newly, gone []domain.ExposedCompany) {
	i, j := 0, 0
	for i < before.Len() || j < after.Len() {
		switch {
		case j == after.Len():
			gone = append(gone, before.At(i))
			i++
		case i == before.Len():
			newly = append(newly, after.At(j))
			j++
		default:
			b, a := before.At(i), after.At(j)
			switch c := strings.Compare(b.CompanyID, a.CompanyID); {
			case c < 0:
				gone = append(gone, b)
				i++
			case c > 0:
				newly = append(newly, a)
				j++
			default:
				i, j = i+1, j+1
			}
		}
	}
	return newly, gone
}
