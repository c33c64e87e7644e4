package loader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

type fetchLog struct {
	mu      sync.Mutex
	batches [][]int
}

func (f *fetchLog) fetch(_ context.Context, keys []int) (map[int]string, error) {
	f.mu.Lock()
	f.batches = append(f.batches, slices.Clone(keys))
	f.mu.Unlock()
	out := map[int]string{}
	for _, k := range keys {
		if k >= 0 {
			out[k] = fmt.Sprint("v", k)
		}
	}
	return out, nil
}

// Keys asked for by goroutines started together go in one batch; values
// come back per key; a key the fetch does not return is ErrNotFound.
func TestBatcherBatchesABurst(t *testing.T) {
	log := &fetchLog{}
	b := NewBatcher(log.fetch, batcherOptions{})
	var wg sync.WaitGroup
	got := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = b.Load(context.Background(), i-1) // -1 is not found
		}()
	}
	wg.Wait()
	if len(log.batches) > 2 {
		t.Errorf("%d batches for one burst of 50 keys", len(log.batches))
	}
	if !errors.Is(errs[0], ErrNotFound) {
		t.Errorf("key -1: %q, %v; want ErrNotFound", got[0], errs[0])
	}
	for i := 1; i < 50; i++ {
		if errs[i] != nil || got[i] != fmt.Sprint("v", i-1) {
			t.Errorf("key %d: %q, %v", i-1, got[i], errs[i])
		}
	}
}

// A cached key costs no fetch; a primed one neither; without a cache every
// load fetches.
func TestBatcherCache(t *testing.T) {
	log := &fetchLog{}
	b := NewBatcher(log.fetch, batcherOptions{})
	b.Prime(7, "primed")
	ctx := context.Background()
	if v, _ := b.Load(ctx, 7); v != "primed" {
		t.Errorf("primed key: %q", v)
	}
	b.Load(ctx, 1)
	b.Load(ctx, 1)
	if len(log.batches) != 1 {
		t.Errorf("%d fetches, want 1", len(log.batches))
	}
	uncached := NewBatcher(log.fetch, batcherOptions{noCache: true})
	uncached.Load(ctx, 1)
	uncached.Load(ctx, 1)
	if len(log.batches) != 3 {
		t.Errorf("%d fetches without a cache, want 3", len(log.batches))
	}
}

// Keys that keep arriving are sent after maxWait at the latest.
func TestBatcherMaxWait(t *testing.T) {
	log := &fetchLog{}
	b := NewBatcher(log.fetch, batcherOptions{quiet: time.Hour, maxWait: 20 * time.Millisecond})
	start := time.Now()
	if _, err := b.Load(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waited %s", d)
	}
}

// Prefetch sends its keys at once, without the quiet wait; loads of those
// keys then wait for that batch instead of starting one; keys already
// asked for are not fetched again; without a cache it does nothing.
func TestBatcherPrefetch(t *testing.T) {
	const quiet = 2 * time.Second
	log := &fetchLog{}
	b := NewBatcher(log.fetch, batcherOptions{quiet: quiet})
	ctx := context.Background()
	pending := b.LoadThunk(ctx, 7) // goes after the quiet wait
	start := time.Now()
	b.Prefetch(ctx, []int{1, 2, 2, 3, 7})
	for _, k := range []int{1, 2, 3} {
		if v, err := b.Load(ctx, k); err != nil || v != fmt.Sprint("v", k) {
			t.Errorf("key %d: %q, %v", k, v, err)
		}
	}
	if took := time.Since(start); took >= quiet/2 {
		t.Errorf("prefetched keys took %s: they waited for quiet", took)
	}
	if v, err := pending(); err != nil || v != "v7" {
		t.Errorf("key 7: %q, %v", v, err)
	}
	log.mu.Lock()
	batches := slices.Clone(log.batches)
	log.mu.Unlock()
	if len(batches) != 2 || !slices.Equal(batches[0], []int{1, 2, 3}) || !slices.Equal(batches[1], []int{7}) {
		t.Errorf("batches %v, want [1 2 3] at once, then [7] (asked for before, so not prefetched)", batches)
	}

	off := &fetchLog{}
	nc := NewBatcher(off.fetch, batcherOptions{noCache: true})
	nc.Prefetch(ctx, []int{1})
	time.Sleep(20 * time.Millisecond)
	off.mu.Lock()
	defer off.mu.Unlock()
	if len(off.batches) != 0 {
		t.Errorf("prefetch without a cache fetched %v", off.batches)
	}
}
