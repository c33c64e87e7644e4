package measure

import (
	"context"
	"testing"
	"time"
)

// A request is timed to its Received mark when it makes one (work after
// the answer arrived is the client's), else to its end.
func TestMeasureTimesToReceived(t *testing.T) {
	const after = 200 * time.Millisecond
	cell := Cell{Concurrency: 1, Requests: 3, Duration: time.Minute, Timeout: time.Minute}
	tests := []struct {
		name    string
		mark    bool
		atMost  time.Duration
		atLeast time.Duration
	}{
		{"marked", true, after / 2, 0},
		{"unmarked", false, time.Minute, after},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Measure(context.Background(), tc.name, cell, func(ctx context.Context, _ int) error {
				if tc.mark {
					Received(ctx)
				}
				time.Sleep(after)
				return nil
			})
			if res.OK != 3 || res.P50 > tc.atMost || res.P50 < tc.atLeast {
				t.Errorf("%d ok, p50 %s; want 3 ok, p50 in [%s, %s]", res.OK, res.P50, tc.atLeast, tc.atMost)
			}
		})
	}
}
