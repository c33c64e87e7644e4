// Package loader holds the per-request dataloaders of the GraphQL API:
// nested field resolvers read relations through them, so a list of N
// parents costs one database round trip per relation, not N.
//
// Loaders are built for each operation by Middleware and read with For.
// The store's batch reads return maps (Neo4j's UNWIND … MATCH does not keep
// the order of its input).
package loader

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Batch timing (see Batcher): a batch goes after quiet without a new key,
// or maxWait after its first key. 2 ms of quiet split a level's keys now
// and then on a loaded 2-core machine; 4 ms did not (round-trip test).
const (
	defaultQuiet   = 4 * time.Millisecond
	defaultMaxWait = 16 * time.Millisecond
	pollStep       = 100 * time.Microsecond
)

// Loaders are one request's dataloaders.
type Loaders struct {
	Company          *Batcher[string, domain.Company]
	Sector           *Batcher[string, domain.Sector]
	SectorChildren   *Batcher[string, []domain.Sector]
	Material         *Batcher[string, domain.Material]
	ExportControl    *Batcher[string, domain.ExportControl]
	Suppliers        *Batcher[domain.LinkPageKey, domain.SupplyLinkPage]
	Customers        *Batcher[domain.LinkPageKey, domain.SupplyLinkPage]
	LicencesHeld     *Batcher[domain.HeldKey, []domain.Licence]
	LicencesCovering *Batcher[domain.CoveringKey, []domain.Licence]
	LicenceClients   *Batcher[string, []domain.Company]
	Licence          *Batcher[string, domain.Licence]
	// SupplyLink is keyed by [supplier, customer].
	SupplyLink *Batcher[[2]string, domain.SupplyLink]
}

// PageHook runs when a batch of supply-link pages has been read, before
// the resolvers that asked for them resume: ctx is the first asker's.
type PageHook func(ctx context.Context, upstream bool, pages map[domain.LinkPageKey]domain.SupplyLinkPage)

// LicenceHook runs likewise after a batch of licencesHeld or
// licencesCovering lists.
type LicenceHook func(ctx context.Context, lists [][]domain.Licence)

// New builds a request's loaders on the store (see Batcher for when a
// batch goes). Pages of supply links also prime Company with the companies at their other end,
// read in the same query, so `supplier`/`customer` cost no round trip.
func New(s domain.ReadService) *Loaders { return build(s, batcherOptions{}, Options{}) }

func build(s domain.ReadService, o batcherOptions, hooks Options) *Loaders {
	l := &Loaders{
		Company:          NewBatcher(s.CompaniesByIDs, o.named("Company")),
		Sector:           NewBatcher(s.SectorsByIDs, o.named("Sector")),
		SectorChildren:   NewBatcher(s.SectorChildren, o.named("SectorChildren")),
		Material:         NewBatcher(s.MaterialsByIDs, o.named("Material")),
		ExportControl:    NewBatcher(s.ExportControlsByIDs, o.named("ExportControl")),
		LicencesHeld:     NewBatcher(licencesThen(s.LicencesHeld, hooks.OnLicences), o.named("LicencesHeld")),
		LicencesCovering: NewBatcher(licencesThen(s.LicencesCovering, hooks.OnLicences), o.named("LicencesCovering")),
		LicenceClients:   NewBatcher(s.LicenceClients, o.named("LicenceClients")),
		Licence:          NewBatcher(s.LicencesByIDs, o.named("Licence")),
		SupplyLink:       NewBatcher(s.SupplyLinksByPairs, o.named("SupplyLink")),
	}
	l.Suppliers = NewBatcher(l.priming(s.SupplierPages, true, hooks.OnPages), o.named("Suppliers"))
	l.Customers = NewBatcher(l.priming(s.CustomerPages, false, hooks.OnPages), o.named("Customers"))
	return l
}

func (o batcherOptions) named(name string) batcherOptions {
	o.name = name
	return o
}

func licencesThen[K comparable](fetch func(context.Context, []K) (map[K][]domain.Licence, error), then LicenceHook) func(context.Context, []K) (map[K][]domain.Licence, error) {
	if then == nil {
		return fetch
	}
	return func(ctx context.Context, keys []K) (map[K][]domain.Licence, error) {
		lists, err := fetch(ctx, keys)
		if err == nil {
			then(ctx, slices.Collect(maps.Values(lists)))
		}
		return lists, err
	}
}

type pageFetch = func(context.Context, []domain.LinkPageKey) (map[domain.LinkPageKey]domain.SupplyLinkPage, error)

func (l *Loaders) priming(fetch pageFetch, upstream bool, then PageHook) pageFetch {
	return func(ctx context.Context, keys []domain.LinkPageKey) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
		pages, err := fetch(ctx, keys)
		for k, p := range pages {
			if k.Reads == domain.AllLinkReads { // others read in part must not answer other fields
				l.PrimeCompanies(p.Others)
			}
		}
		if err == nil && then != nil {
			then(ctx, upstream, pages)
		}
		return pages, err
	}
}

// PrimeCompanies caches companies a resolver has already read.
func (l *Loaders) PrimeCompanies(cs []domain.Company) {
	for _, c := range cs {
		l.Company.Prime(c.ID, c)
	}
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders. Outside a request built by Middleware
// it is an internal error, reported by the loaders' callers.
func For(ctx context.Context) (*Loaders, error) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		return nil, domain.Errorf(domain.CodeInternal, "internal error")
	}
	return l, nil
}

// Options configure the loaders Middleware builds.
type Options struct {
	// Quiet is how long a batch waits without a new key before it goes
	// (0: defaultQuiet). Tests lengthen it to show which batches wait.
	Quiet time.Duration
	// OnPages and OnLicences (may be nil) run after each batch of
	// supply-link pages, of licence lists.
	OnPages    PageHook
	OnLicences LicenceHook
}

// Middleware gives every GraphQL operation fresh loaders on s, so nothing
// is cached across requests.
func Middleware(s domain.ReadService, o Options) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			// A subscription lives for many events: a cache would answer
			// later events with the first one's data.
			return next(With(ctx, build(s, batcherOptions{noCache: true, quiet: o.Quiet}, Options{})))
		}
		return next(With(ctx, build(s, batcherOptions{quiet: o.Quiet}, o)))
	}
}

// One loads one key; a key the store does not hold is nil, not an error.
func One[K comparable, V any](ctx context.Context, l *Batcher[K, V], key K) (*V, error) {
	v, err := l.Load(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Many loads keys in order, leaving out those the store does not hold.
func Many[K comparable, V any](ctx context.Context, l *Batcher[K, V], keys []K) ([]*V, error) {
	thunks := make([]func() (V, error), len(keys))
	for i, k := range keys {
		thunks[i] = l.LoadThunk(ctx, k)
	}
	out := make([]*V, 0, len(keys))
	for _, th := range thunks {
		v, err := th()
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, &v)
	}
	return out, nil
}

// List loads a key whose value is a list, as pointers.
func List[K comparable, V any](ctx context.Context, l *Batcher[K, []V], key K) ([]*V, error) {
	vs, err := l.Load(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return Pointers(vs), nil
}

// Pointers returns pointers to the elements of vs (never nil).
func Pointers[V any](vs []V) []*V {
	out := make([]*V, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}
