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
