package loadtest

import (
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/graphql", "http://localhost:1/graphql", "http://[::1]:80/graphql"} {
		if err := CheckLoopback(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://example.org/graphql", "http://10.0.0.1/graphql", "http://0.0.0.0:8080/graphql", "::"} {
		if err := CheckLoopback(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
}

func TestFlat(t *testing.T) {
	for _, tc := range []struct {
		windows []uint64
		growth  float64
		flat    bool
	}{
		{[]uint64{100, 105, 110}, 0.10, true},
		{[]uint64{100, 111, 100}, 0.11, false},
		{[]uint64{100, 90, 95}, -0.05, true},
		{[]uint64{100, 0, 95}, -0.05, false}, // a window without a sample
	} {
		r := Result{memory: memory{MemoryWindows: tc.windows, Growth: tc.growth}}
		if got := r.Flat(0.10); got != tc.flat {
			t.Errorf("%v: Flat = %v, want %v", tc.windows, got, tc.flat)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var l []time.Duration
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	p50, p99 := percentiles(l)
	if p50 != 51*time.Millisecond && p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Fatalf("p50 %s p99 %s", p50, p99)
	}
}
