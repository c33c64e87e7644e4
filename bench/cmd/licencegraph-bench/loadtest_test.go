package main

import (
	"errors"
	"strings"
	"testing"
)

func TestBoltPortOf(t *testing.T) {
	for uri, want := range map[string]int{
		"bolt://127.0.0.1:7745": 7745, "neo4j://db:7820": 7820, "bolt://localhost": 7687, "": 7687, "::": 7687,
	} {
		if got := boltPortOf(uri); got != want {
			t.Errorf("boltPortOf(%q) = %d, want %d", uri, got, want)
		}
	}
}

// The verdict names the deliberate leak in a failure, and says so when a
// run that judges the heap let it pass.
func TestVerdict(t *testing.T) {
	const leak = "LOADTEST_LEAK=4096 (on purpose)"
	for _, tc := range []struct {
		name       string
		failed     []error
		deliberate string
		heapJudged bool
		wantErr    []string
		wantOut    string
	}{
		{name: "pass", wantOut: "loadtest: ok"},
		{name: "a leak caught", failed: []error{errors.New("8 clients: live heap after the run +6.3 MiB")}, deliberate: leak, heapJudged: true,
			wantErr: []string{"8 clients: live heap", "the server leaks on purpose: " + leak}},
		{name: "a leak missed", deliberate: leak, heapJudged: true, wantOut: "the deliberate leak went unnoticed: " + leak},
		{name: "a mix that does not judge the heap", deliberate: leak, wantOut: "reports the live heap without judging it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := verdict(&out, tc.failed, tc.deliberate, tc.heapJudged, "ok")
			if len(tc.wantErr) == 0 && err != nil {
				t.Fatalf("error %v", err)
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not say %q", err, w)
				}
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q does not say %q", out.String(), tc.wantOut)
			}
		})
	}
}
