package projection

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// memo holds answers derived from one version of the projection; applying
// a write replaces it, so nothing in it outlives the version it was
// computed at.
type memo struct {
	mu      sync.Mutex
	derived *lru.Cache[string, any]
	// owner is the exposure engine's own memo for this version
	// (View.Memo).
	owner any
}

// memoEntries bounds the derived answers kept per version (first-hop maps
// per date: ≤ a few MB each at 100,000 companies).
const memoEntries = 64

func newMemo() *memo {
	c, err := lru.New[string, any](memoEntries)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &memo{derived: c}
}

// derive returns the answer kept under key for the view's version, or
// computes and keeps it. Two views computing the same key at once may
// both compute it; they get equal answers.
func derive[T any](v *View, key string, compute func() T) T {
	if x, ok := v.memo.derived.Get(key); ok {
		return x.(T)
	}
	x := compute()
	v.memo.derived.Add(key, x)
	return x
}

// lookup returns the answer kept under key for the view's version.
func lookup[T any](v *View, key string) (T, bool) {
	if x, ok := v.memo.derived.Get(key); ok {
		return x.(T), true
	}
	var zero T
	return zero, false
}

// Memo returns the value kept for the view's version by its owner (the
// exposure engine), created by create on first use.
func (v *View) Memo(create func() any) any {
	v.memo.mu.Lock()
	defer v.memo.mu.Unlock()
	if v.memo.owner == nil {
		v.memo.owner = create()
	}
	return v.memo.owner
}
