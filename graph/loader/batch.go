package loader

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
)

// tracer makes a span of each batch sent (a child of the operation's
// span when tracing is on; free when it is off).
var tracer = otel.Tracer("github.com/licencegraph/licencegraph/graph/loader")

// ErrNotFound is a key the fetch function did not return.
var ErrNotFound = errors.New("loader: not found")

// Batcher is a dataloader that sends a batch when its keys stop arriving
// instead of after a fixed window. dataloadgen (used before) waits a fixed
// time from the first key: 16 ms per level of a nested query was most of
// a nested page's latency, and shorter windows split a level's keys on a
// loaded 2-core machine. gqlgen resolves the items of a list in
// goroutines started together, so a level's keys arrive in a burst: the
// batch goes once the scheduler has run every runnable goroutine without
// a new key (quiet), or maxWait after its first key.
type Batcher[K comparable, V any] struct {
	name    string // names its spans
	fetch   func(context.Context, []K) (map[K]V, error)
	cache   bool
	quiet   time.Duration
	maxWait time.Duration

	mu      sync.Mutex
	results map[K]*result[V] // every key asked for (cache) or the pending batch's
	batch   *batch[K, V]
}

type result[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func (r *result[V]) wait() (V, error) {
	<-r.done
	return r.v, r.err
}

type batch[K comparable, V any] struct {
	keys    []K
	results map[K]*result[V]
	first   time.Time
	last    time.Time
}

// batcherOptions configure a Batcher.
type batcherOptions struct {
	name           string
	noCache        bool
	quiet, maxWait time.Duration
}

// NewBatcher returns a Batcher on fetch, which returns the values of the
// keys it holds (the others are ErrNotFound).
func NewBatcher[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error), o batcherOptions) *Batcher[K, V] {
	if o.quiet <= 0 {
		o.quiet = defaultQuiet
	}
	if o.maxWait <= 0 {
		o.maxWait = max(defaultMaxWait, o.quiet)
	}
	return &Batcher[K, V]{name: o.name, fetch: fetch, cache: !o.noCache, quiet: o.quiet, maxWait: o.maxWait, results: map[K]*result[V]{}}
}

// Load returns the value of key, batched with the keys other goroutines
// ask for meanwhile.
func (b *Batcher[K, V]) Load(ctx context.Context, key K) (V, error) {
	return b.LoadThunk(ctx, key)()
}

// LoadThunk queues key and returns a function that waits for its value.
func (b *Batcher[K, V]) LoadThunk(ctx context.Context, key K) func() (V, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.results[key]; ok {
		return r.wait
	}
	if b.batch != nil {
		if r, ok := b.batch.results[key]; ok {
			return r.wait
		}
	}
	r := &result[V]{done: make(chan struct{})}
	if b.cache {
		b.results[key] = r
	}
	now := time.Now()
	if b.batch == nil {
		b.batch = &batch[K, V]{results: map[K]*result[V]{}, first: now}
		go b.dispatch(ctx, b.batch)
	}
	b.batch.keys = append(b.batch.keys, key)
	b.batch.results[key] = r
	b.batch.last = now
	return r.wait
}

// Prime caches a value read elsewhere (no-op without a cache, or for a key
// already asked for).
func (b *Batcher[K, V]) Prime(key K, v V) {
	if !b.cache {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.results[key]; ok {
		return
	}
	r := &result[V]{done: make(chan struct{}), v: v}
	close(r.done)
	b.results[key] = r
}

// Prefetch fetches, in one batch sent now, those of keys nobody has asked
// for yet: for a caller that knows every key a level of the query will
// ask (graph/prefetch.go), so the level's loads find them without waiting
// for keys to stop arriving. Without a cache it does nothing.
func (b *Batcher[K, V]) Prefetch(ctx context.Context, keys []K) {
	if !b.cache {
		return
	}
	bt := &batch[K, V]{results: map[K]*result[V]{}}
	b.mu.Lock()
	for _, k := range keys {
		if _, ok := b.results[k]; ok {
			continue
		}
		if b.batch != nil {
			if _, ok := b.batch.results[k]; ok {
				continue
			}
		}
		r := &result[V]{done: make(chan struct{})}
		b.results[k] = r
		bt.keys = append(bt.keys, k)
		bt.results[k] = r
	}
	b.mu.Unlock()
	if len(bt.keys) > 0 {
		go b.send(ctx, bt)
	}
}

// dispatch waits for the batch's keys to stop arriving, then sends it.
func (b *Batcher[K, V]) dispatch(ctx context.Context, bt *batch[K, V]) {
	for {
		// Let every runnable goroutine — the batch's siblings — run first.
		runtime.Gosched()
		time.Sleep(pollStep)
		b.mu.Lock()
		now := time.Now()
		if now.Sub(bt.last) >= b.quiet || now.Sub(bt.first) >= b.maxWait {
			b.batch = nil
			b.mu.Unlock()
			break
		}
		b.mu.Unlock()
	}
	b.send(ctx, bt)
}

// send fetches the batch's keys and hands out their values.
func (b *Batcher[K, V]) send(ctx context.Context, bt *batch[K, V]) {
	ctx, span := tracer.Start(ctx, "loader "+b.name)
	if span.IsRecording() {
		span.SetAttributes(attribute.String("loader.name", b.name), attribute.Int("loader.keys", len(bt.keys)))
	}
	values, err := b.fetch(ctx, bt.keys)
	if err != nil {
		span.SetStatus(codes.Error, "batch failed")
	}
	span.End()
	for k, r := range bt.results {
		switch v, ok := values[k]; {
		case err != nil:
			r.err = err
		case ok:
			r.v = v
		default:
			r.err = ErrNotFound
		}
		close(r.done)
	}
}
