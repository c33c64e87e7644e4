package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/licencegraph/licencegraph/internal/metrics"
)

// A handler that records how many requests run at once and holds each
// until release is closed.
type holdingHandler struct {
	running, most atomic.Int32
	started       chan struct{}
	release       chan struct{}
}

func (h *holdingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.running.Add(1)
	defer h.running.Add(-1)
	for {
		m := h.most.Load()
		if n <= m || h.most.CompareAndSwap(m, n) {
			break
		}
	}
	h.started <- struct{}{}
	<-h.release
	w.WriteHeader(http.StatusOK)
}

func TestLimitConcurrency(t *testing.T) {
	tests := []struct {
		name     string
		limit    int
		wait     time.Duration
		requests int
		upgrade  bool // websocket upgrades are not counted
		// want: requests answered 200 and 503, and the most running at once
		wantOK, wantBusy int
		wantMost         int32
	}{
		{name: "waiting requests run when a slot frees", limit: 2, wait: 5 * time.Second, requests: 5, wantOK: 5, wantMost: 2},
		{name: "past the wait: 503 UNAVAILABLE", limit: 2, wait: 50 * time.Millisecond, requests: 4, wantOK: 2, wantBusy: 2, wantMost: 2},
		{name: "no limit", limit: 0, requests: 4, wantOK: 4, wantMost: 4},
		{name: "subscriptions are not counted", limit: 1, wait: 50 * time.Millisecond, requests: 3, upgrade: true, wantOK: 3, wantMost: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &holdingHandler{started: make(chan struct{}, tc.requests), release: make(chan struct{})}
			srv := httptest.NewServer(limitConcurrency(tc.limit, tc.wait, h))
			defer srv.Close()

			refusedBefore := testutil.ToFloat64(metrics.RequestsRefused)
			var ok, busy atomic.Int32
			var wg sync.WaitGroup
			for range tc.requests {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
					if tc.upgrade {
						req.Header.Set("Upgrade", "websocket")
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					switch resp.StatusCode {
					case http.StatusOK:
						ok.Add(1)
					case http.StatusServiceUnavailable:
						var body struct {
							Errors []struct {
								Extensions struct{ Code string }
							}
						}
						if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Errors) != 1 ||
							body.Errors[0].Extensions.Code != "UNAVAILABLE" || resp.Header.Get("Retry-After") == "" {
							t.Errorf("503 answer: %+v (err %v), Retry-After %q", body, err, resp.Header.Get("Retry-After"))
						}
						busy.Add(1)
					default:
						t.Errorf("status %d", resp.StatusCode)
					}
				}()
			}
			// Let the admitted requests start, and the others wait (or give up).
			admitted := tc.requests
			if tc.limit > 0 && !tc.upgrade {
				admitted = tc.limit
			}
			for range admitted {
				<-h.started
			}
			time.Sleep(200 * time.Millisecond) // past the short waits, well within the long one
			if tc.limit > 0 && tc.wantBusy == 0 && !tc.upgrade && int(h.running.Load()) != tc.limit {
				t.Errorf("%d running while others wait, want %d", h.running.Load(), tc.limit)
			}
			// The metrics say the same: running, waiting.
			if tc.limit > 0 && !tc.upgrade {
				waiting := 0
				if tc.wantBusy == 0 {
					waiting = tc.requests - tc.limit
				}
				if r, w := testutil.ToFloat64(metrics.RequestsRunning), testutil.ToFloat64(metrics.RequestsWaiting); int(r) != tc.limit || int(w) != waiting {
					t.Errorf("metrics: %g running, %g waiting; want %d, %d", r, w, tc.limit, waiting)
				}
			}
			close(h.release)
			go func() { // later admissions signal too
				for range h.started {
				}
			}()
			wg.Wait()
			close(h.started)
			if refused := testutil.ToFloat64(metrics.RequestsRefused) - refusedBefore; int(refused) != tc.wantBusy {
				t.Errorf("metrics: %g refused, want %d", refused, tc.wantBusy)
			}
			if r, w := testutil.ToFloat64(metrics.RequestsRunning), testutil.ToFloat64(metrics.RequestsWaiting); r != 0 || w != 0 {
				t.Errorf("metrics after the requests: %g running, %g waiting", r, w)
			}
			if int(ok.Load()) != tc.wantOK || int(busy.Load()) != tc.wantBusy || h.most.Load() != tc.wantMost {
				t.Errorf("ok %d, busy %d, most at once %d; want %d, %d, %d", ok.Load(), busy.Load(), h.most.Load(), tc.wantOK, tc.wantBusy, tc.wantMost)
			}
		})
	}
}

// A request waiting for a slot stops waiting when its client goes.
func TestLimitConcurrencyClientGone(t *testing.T) {
	h := &holdingHandler{started: make(chan struct{}, 2), release: make(chan struct{})}
	handler := limitConcurrency(1, time.Minute, h)
	go handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
	<-h.started

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil).WithContext(ctx))
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a request whose client has gone still waits for a slot")
	}
	close(h.release)
}
