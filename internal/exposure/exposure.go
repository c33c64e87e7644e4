// Package exposure answers SPEC's exposure questions: which companies
// depend, directly or through suppliers, on a Chinese producer with no
// valid licence to ship to them. The graph work runs in Neo4j
// (neo4jstore/exposure.go); this package checks arguments, fills defaults
// and bounds what one request may ask for.
package exposure

import (
	"context"
	"fmt"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
)

// Store is what the engine needs of the database.
type Store interface {
	ExposedCompanies(ctx context.Context, q domain.ExposureQuery) ([]domain.ExposedCompany, error)
	ExposurePaths(ctx context.Context, companyID string, q domain.ExposureQuery, limit int) ([]domain.ExposurePath, error)
	ClassifyHops(ctx context.Context, pairs [][2]string, d domain.Date) ([]domain.SupplyHop, error)
	CompanyExists(ctx context.Context, id string) (bool, error)
}

// DefaultMaxDepth is SPEC's default for maxDepth.
const DefaultMaxDepth = 4

// MaxPaths bounds the paths one request may list.
const MaxPaths = 10000

// Engine implements domain.ExposureService on a Store.
type Engine struct {
	store Store
}

// New returns the exposure engine on a Neo4j store.
func New(store *neo4jstore.Store) domain.ExposureService { return NewWithStore(store) }

// NewWithStore returns the engine on any Store.
func NewWithStore(store Store) *Engine { return &Engine{store: store} }

// normalize fills defaults: today, DefaultMaxDepth.
func normalize(q domain.ExposureQuery) (domain.ExposureQuery, error) {
	if q.AsOf.IsZero() {
		q.AsOf = domain.Today()
	}
	if q.MaxDepth == 0 {
		q.MaxDepth = DefaultMaxDepth
	}
	if q.MaxDepth < 1 || q.MaxDepth > domain.MaxExposureDepth {
		return q, &domain.Error{Code: domain.CodeBadUserInput, Field: "maxDepth",
			Message: fmt.Sprintf("maxDepth must be between 1 and %d", domain.MaxExposureDepth)}
	}
	return q, nil
}

// ExposedCompanies implements domain.ExposureService.
func (e *Engine) ExposedCompanies(ctx context.Context, q domain.ExposureQuery) ([]domain.ExposedCompany, error) {
	q, err := normalize(q)
	if err != nil {
		return nil, err
	}
	return e.store.ExposedCompanies(ctx, q)
}

// ExposurePaths implements domain.ExposureService. An unknown company is
// NOT_FOUND; a known one without paths has none.
func (e *Engine) ExposurePaths(ctx context.Context, companyID string, q domain.ExposureQuery, limit int) ([]domain.ExposurePath, error) {
	q, err := normalize(q)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxPaths {
		return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "first",
			Message: fmt.Sprintf("first must be between 1 and %d", MaxPaths)}
	}
	ok, err := e.store.CompanyExists(ctx, companyID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &domain.Error{Code: domain.CodeNotFound, Field: "companyId", Message: fmt.Sprintf("no company %q", companyID)}
	}
	return e.store.ExposurePaths(ctx, companyID, q, limit)
}

// ClassifyHop implements domain.ExposureService.
func (e *Engine) ClassifyHop(ctx context.Context, supplier, customer string, asOf domain.Date) (domain.SupplyHop, error) {
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
