package exposure

import (
	"context"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// Exposure answers are costly (every controlled hop judged, a search over
// the whole supply graph) and asked again and again with the same
// arguments, while the graph changes rarely. The engine keeps them keyed
// by the graph's version (Store.Version: a bookmark naming the last
// committed transaction), so any write by any process — a mutation, a seed
// load — makes every earlier entry unreachable: answers are never stale,
// and the first request after a write pays for the computation.

// Cache sizes: entries, each for one version.
const (
	reachEntries   = 16     // whole-graph searches (≈ 4 MB each at 100,000 companies)
	sectorEntries  = 64     // sector memberships
	detailEntries  = 50_000 // one exposed company's path count and suppliers
	pathEntries    = 4_096  // one company's listed paths
	computeTimeout = 2 * time.Minute
)

type caches struct {
	reach   *lru.Cache[string, *reach]
	sectors *lru.Cache[string, map[string]bool]
	details *lru.Cache[string, detail]
	paths   *lru.Cache[string, pathsEntry]
	flight  singleflight.Group
}

func newCaches() *caches {
	must := func(err error) {
		if err != nil {
			panic(err) // only for a size <= 0
		}
	}
	c := &caches{}
	var err error
	c.reach, err = lru.New[string, *reach](reachEntries)
	must(err)
	c.sectors, err = lru.New[string, map[string]bool](sectorEntries)
	must(err)
	c.details, err = lru.New[string, detail](detailEntries)
	must(err)
	c.paths, err = lru.New[string, pathsEntry](pathEntries)
	must(err)
	return c
}

// once computes a value for key once for all concurrent callers. The
// computation does not end when the caller that started it goes away (the
// others wait for it) but keeps that caller's deadline — the request
// timeout, which the store also sends to Neo4j as the transaction timeout
// — or computeTimeout without one; each caller waits as long as its own
// context allows.
func once[V any](ctx context.Context, c *caches, key string, compute func(context.Context) (V, error)) (V, error) {
	ch := c.flight.DoChan(key, func() (any, error) {
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = time.Now().Add(computeTimeout)
		}
		cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer cancel()
		return compute(cctx)
	})
	var zero V
	select {
	case <-ctx.Done():
		return zero, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(V), nil
	}
}

func key(parts ...any) string { return fmt.Sprint(parts...) }
