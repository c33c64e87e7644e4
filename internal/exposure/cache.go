package exposure

import (
	"context"
	"fmt"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
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
	reachEntries   = 32     // exposed lists, whole graph or one sector (≤ 5 MB each at 100,000 companies)
	detailEntries  = 50_000 // one exposed company's path count and suppliers
	pathEntries    = 4_096  // one company's listed paths
	computeTimeout = 2 * time.Minute
)

type caches struct {
	reach   *lru.Cache[string, *reach]
	details *lru.Cache[string, detail]
	paths   *lru.Cache[string, pathsEntry]

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
	return c
}

// once computes a value for key once for all concurrent callers. The
// computation does not end when the caller that started it goes away —
// the others wait for it — but ends when every caller has gone (a client
// that disconnects cancels its database work); it keeps the first
// caller's deadline — the request timeout, which the store also sends to
// Neo4j as the transaction timeout — or computeTimeout without one.
func once[V any](ctx context.Context, c *caches, key string, compute func(context.Context) (V, error)) (V, error) {
	c.mu.Lock()
	cl, ok := c.calls[key]
	if !ok {
		deadline, has := ctx.Deadline()
		if !has {
			deadline = time.Now().Add(computeTimeout)
		}
		cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		cl = &call{done: make(chan struct{}), cancel: cancel}
		c.calls[key] = cl
		go func() {
			v, err := compute(cctx)
			cancel()
			c.mu.Lock()
			cl.val, cl.err = v, err
			if c.calls[key] == cl {
				delete(c.calls, key)
			}
			c.mu.Unlock()
			close(cl.done)
		}()
	}
	cl.waiters++
	c.mu.Unlock()

	var zero V
	select {
	case <-cl.done:
		if cl.err != nil {
			return zero, cl.err
		}
		return cl.val.(V), nil
	case <-ctx.Done():
		c.mu.Lock()
		cl.waiters--
		if cl.waiters == 0 {
			cl.cancel()
			if c.calls[key] == cl {
				delete(c.calls, key) // a caller arriving now starts afresh
			}
		}
		c.mu.Unlock()
		return zero, ctx.Err()
	}
}

// call is one computation in flight.
type call struct {
	done    chan struct{}
	val     any
	err     error
	waiters int
	cancel  context.CancelFunc
}

func key(parts ...any) string { return fmt.Sprint(parts...) }
