package exposure

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent callers share one computation; a waiter whose computing
// caller leaves computes the value itself.
func TestOnce(t *testing.T) {
	t.Run("shared", func(t *testing.T) {
		c := newCaches()
		var runs atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := once(context.Background(), c, "k", func(ctx context.Context) (int, error) {
					runs.Add(1)
					<-release
					return 42, nil
				})
				if v != 42 || err != nil {
					t.Errorf("got %d, %v", v, err)
				}
			}()
		}
		time.Sleep(50 * time.Millisecond)
		close(release)
		wg.Wait()
		if n := runs.Load(); n != 1 {
			t.Errorf("%d computations for 5 concurrent callers", n)
		}
	})
	t.Run("a waiter takes over when the computing caller leaves", func(t *testing.T) {
		c := newCaches()
		first, leave := context.WithCancel(context.Background())
		started := make(chan struct{})
		firstErr := make(chan error, 1)
		go func() {
			_, err := once(first, c, "k", func(ctx context.Context) (int, error) {
				close(started)
				<-ctx.Done()
				return 0, ctx.Err()
			})
			firstErr <- err
		}()
		<-started
		second := make(chan int, 1)
		go func() {
			v, err := once(context.Background(), c, "k", func(ctx context.Context) (int, error) { return 7, nil })
			if err != nil {
				t.Errorf("the waiter: %v", err)
			}
			second <- v
		}()
		time.Sleep(20 * time.Millisecond)
		leave()
		if err := <-firstErr; err == nil {
			t.Error("the caller that left got no error")
		}
		select {
		case v := <-second:
			if v != 7 {
				t.Errorf("the waiter got %d, want its own 7", v)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the waiter never got an answer")
		}
	})
}
