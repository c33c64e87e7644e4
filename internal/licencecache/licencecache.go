// Package licencecache keeps companies' licence lists (licencesHeld,
// licencesCovering) between requests, keyed by the graph's version.
//
// Nested pages ask for the licences of hundreds of companies at once (a
// page of companies, their suppliers, each supplier's licences with their
// clients): the largest statement of such a request, and the same answer
// again and again, while licences change only when a seed load or a
// mutation commits. An entry is used only while the graph's version (a
// bookmark naming the last committed transaction, read once per batch) is
// the one it was read at, so any write by any process makes every earlier
// entry unusable: lists are never stale.
package licencecache

import (
	"context"
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// DefaultEntries bounds each of the two caches (one list per company and
// arguments; 100,000 lists of a generated 100,000-company world take
// about 40 MB).
const DefaultEntries = 100_000

// Version returns the graph's current version.
type Version func(ctx context.Context) (string, error)

// Reads answers the read API from reads, with licence lists cached. The
// lists it returns are shared between requests: callers must not modify
// them.
type Reads struct {
	domain.ReadService
	version  Version
	held     *lru.Cache[domain.HeldKey, entry]
	covering *lru.Cache[domain.CoveringKey, entry]
}

type entry struct {
	version  string
	licences []domain.Licence
}

// New wraps reads; entries bounds each cache (DefaultEntries if <= 0).
func New(reads domain.ReadService, version Version, entries int) *Reads {
	if entries <= 0 {
		entries = DefaultEntries
	}
	held, err := lru.New[domain.HeldKey, entry](entries)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	covering, err := lru.New[domain.CoveringKey, entry](entries)
	if err != nil {
		panic(err)
	}
	return &Reads{ReadService: reads, version: version, held: held, covering: covering}
}

// LicencesHeld reads the lists not cached at the current version.
func (r *Reads) LicencesHeld(ctx context.Context, keys []domain.HeldKey) (map[domain.HeldKey][]domain.Licence, error) {
	return cached(ctx, r.version, r.held, keys, r.ReadService.LicencesHeld)
}

// LicencesCovering reads the lists not cached at the current version.
func (r *Reads) LicencesCovering(ctx context.Context, keys []domain.CoveringKey) (map[domain.CoveringKey][]domain.Licence, error) {
	return cached(ctx, r.version, r.covering, keys, r.ReadService.LicencesCovering)
}

// Purge empties both caches (the bench records the statements of a
// request that finds nothing cached).
func (r *Reads) Purge() {
	r.held.Purge()
	r.covering.Purge()
}

func cached[K comparable](ctx context.Context, version Version, c *lru.Cache[K, entry], keys []K,
	fetch func(context.Context, []K) (map[K][]domain.Licence, error)) (map[K][]domain.Licence, error) {
	v, err := version(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[K][]domain.Licence, len(keys))
	var missing []K
	for _, k := range keys {
		if e, ok := c.Get(k); ok && e.version == v {
			out[k] = e.licences
			continue
		}
		missing = append(missing, k)
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := fetch(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, k := range missing {
		ls, ok := got[k]
		if !ok {
			// The store answers every key; a missing one is a bug there,
			// and caching "no licences" for it would hide it.
			return nil, domain.Wrap(domain.CodeInternal, fmt.Errorf("licence lists: no answer for %v", k), "internal error")
		}
		out[k] = ls
		c.Add(k, entry{version: v, licences: ls})
	}
	return out, nil
}
