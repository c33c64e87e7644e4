package exposure

import (
	"context"
	"errors"
	"fmt"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Answers derived from one version of the graph are kept in that
// version's memo (View.Memo): the projection drops the memo when it
// applies a write, so answers are never stale and nothing here needs
// retiring.

// Memo sizes: entries kept for one version.
const (
	reachEntries  = 32     // exposed lists, whole graph or one sector (≤ 5 MB each at 100,000 companies)
	detailEntries = 50_000 // one exposed company's path count and suppliers
	pathEntries   = 4_096  // one company's listed paths
	sinceEntries  = 50_000 // one exposed company's since
	spanEntries   = 256    // one company's timeline
	firstEntries  = 512    // one company's first hops, judged (hundreds each, ~130 B a hop)
)

type caches struct {
	reach   *lru.Cache[string, *reach]
	details *lru.Cache[string, detail]
	paths   *lru.Cache[string, pathsEntry]
	since   *lru.Cache[string, domain.Date]
	spans   *lru.Cache[string, []domain.ExposureInterval]
	firsts  *lru.Cache[string, []domain.SupplyHop]

	mu    sync.Mutex
	calls map[string]*call
}

func newCaches() *caches {
	must := func(err error) {
		if err != nil {
			panic(err) // only for a size <= 0
		}
	}
	c := &caches{calls: map[string]*call{}}
	var err error
	c.reach, err = lru.New[string, *reach](reachEntries)
	must(err)
	c.details, err = lru.New[string, detail](detailEntries)
	must(err)
	c.paths, err = lru.New[string, pathsEntry](pathEntries)
	must(err)
	c.since, err = lru.New[string, domain.Date](sinceEntries)
	must(err)
	c.spans, err = lru.New[string, []domain.ExposureInterval](spanEntries)
	must(err)
	c.firsts, err = lru.New[string, []domain.SupplyHop](firstEntries)
	must(err)
	return c
}

// once computes a value for key once for concurrent callers on the same
// version. The first caller computes it in its own goroutine, under its
// own view; the others wait. A waiter whose computing caller went away
// (its context ended) computes the value itself.
func once[V any](ctx context.Context, c *caches, key string, compute func(context.Context) (V, error)) (V, error) {
	for {
		c.mu.Lock()
		cl, ok := c.calls[key]
		if !ok {
			cl = &call{done: make(chan struct{})}
			c.calls[key] = cl
			c.mu.Unlock()
			v, err := compute(ctx)
			cl.val, cl.err = v, err
			c.mu.Lock()
			delete(c.calls, key)
			c.mu.Unlock()
			close(cl.done)
			return v, err
		}
		c.mu.Unlock()
		select {
		case <-cl.done:
			if cl.err != nil && ctx.Err() == nil && (errors.Is(cl.err, context.Canceled) || errors.Is(cl.err, context.DeadlineExceeded)) {
				continue // the computing caller left; this one has time
			}
			if cl.err != nil {
				var zero V
				return zero, cl.err
			}
			return cl.val.(V), nil
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
}

// call is one computation in flight.
type call struct {
	done chan struct{}
	val  any
	err  error
}

func key(parts ...any) string { return fmt.Sprint(parts...) }

// kept returns what c keeps for each of ids under prefix+id, and the ids
// it keeps nothing for, in order.
func kept[T any](c *lru.Cache[string, T], prefix string, ids []string) (map[string]T, []string) {
	out := make(map[string]T, len(ids))
	var missing []string
	for _, id := range ids {
		if x, ok := c.Get(prefix + id); ok {
			out[id] = x
		} else {
			missing = append(missing, id)
		}
	}
	return out, missing
}
