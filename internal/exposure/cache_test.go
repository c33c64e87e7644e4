package exposure

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent callers share one computation; it goes on while one caller
// remains and is cancelled when the last one leaves.
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
	t.Run("cancelled when every caller has gone", func(t *testing.T) {
		c := newCaches()
		cancelled := make(chan struct{})
		stay, leave := context.WithCancel(context.Background())
		first, leaveFirst := context.WithCancel(context.Background())
		compute := func(ctx context.Context) (int, error) {
			<-ctx.Done()
			close(cancelled)
			return 0, ctx.Err()
		}
		errs := make(chan error, 2)
		go func() { _, err := once(first, c, "k", compute); errs <- err }()
		time.Sleep(20 * time.Millisecond)
		go func() { _, err := once(stay, c, "k", compute); errs <- err }()
		time.Sleep(20 * time.Millisecond)
		leaveFirst()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("the caller that left: %v", err)
		}
		select {
		case <-cancelled:
			t.Fatal("cancelled while a caller still waits")
		case <-time.After(50 * time.Millisecond):
		}
		leave()
		<-errs
		select {
		case <-cancelled:
		case <-time.After(2 * time.Second):
			t.Fatal("not cancelled after every caller left")
		}
	})
}
