package measure

import (
	"context"
	"slices"
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

func TestSummarize(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name          string
		in            []time.Duration
		n             int
		p50, p90, max time.Duration
	}{
		{"empty", nil, 0, 0, 0, 0},
		{"one", ms(7), 1, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"two", ms(9, 1), 2, time.Millisecond, 9 * time.Millisecond, 9 * time.Millisecond},
		{"ten, unsorted", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 10, 5 * time.Millisecond, 9 * time.Millisecond, 10 * time.Millisecond},
		{"twenty with an outlier", append(ms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3), 5*time.Second), 20,
			time.Millisecond, 2 * time.Millisecond, 5 * time.Second},
		{"thirty", ms(30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 30,
			15 * time.Millisecond, 27 * time.Millisecond, 30 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.in)
			s := Summarize(tc.in)
			if s.N != tc.n || s.P50 != tc.p50 || s.P90 != tc.p90 || s.Max != tc.max {
				t.Errorf("Summarize = %+v, want n %d p50 %s p90 %s max %s", s, tc.n, tc.p50, tc.p90, tc.max)
			}
			if !slices.Equal(before, tc.in) {
				t.Errorf("Summarize changed its argument")
			}
		})
	}
}
