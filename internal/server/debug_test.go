package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDebugRuntime(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	tests := []struct {
		name       string
		opts       Options
		query      string
		graphql    int // requests sent to /graphql first
		wantStatus int
		wantForced bool
		wantLeak   *LeakReport
	}{
		{name: "off by default", opts: Options{}, wantStatus: http.StatusNotFound},
		{name: "on", opts: Options{Debug: true}, wantStatus: http.StatusOK},
		{name: "forced collection", opts: Options{Debug: true}, query: "?gc=1", wantStatus: http.StatusOK, wantForced: true},
		{name: "the leak needs the debug endpoints", opts: Options{LeakBytesPerRequest: 1000}, graphql: 3, wantStatus: http.StatusNotFound},
		{name: "the leak counts GraphQL requests", opts: Options{Debug: true, LeakBytesPerRequest: 1000}, graphql: 3,
			wantStatus: http.StatusOK, wantLeak: &LeakReport{BytesPerRequest: 1000, Requests: 3, RetainedBytes: 3000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.GraphQL = ok
			srv := httptest.NewServer(Handler(tc.opts))
			defer srv.Close()
			for range tc.graphql {
				resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{__typename}"}`))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			resp, err := http.Get(srv.URL + DebugRuntimePath + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK {
				return
			}
			var rep RuntimeReport
			if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
				t.Fatal(err)
			}
			if rep.ForcedGC != tc.wantForced {
				t.Errorf("forcedGC %v, want %v", rep.ForcedGC, tc.wantForced)
			}
			for _, name := range runtimeMetrics {
				if _, ok := rep.Metrics[name]; !ok {
					t.Errorf("%s missing", name)
				}
			}
			if rep.Metrics["/sched/goroutines:goroutines"] <= 0 {
				t.Errorf("no goroutine counted")
			}
			// Before the process's first collection there is no live-heap
			// figure yet; a forced one makes it.
			if tc.wantForced && (rep.Metrics["/gc/heap/live:bytes"] <= 0 || rep.Metrics["/gc/cycles/total:gc-cycles"] <= 0) {
				t.Errorf("after a forced collection: live heap %v, cycles %v", rep.Metrics["/gc/heap/live:bytes"], rep.Metrics["/gc/cycles/total:gc-cycles"])
			}
			switch {
			case tc.wantLeak == nil && rep.Leak != nil:
				t.Errorf("leak %+v reported, none on", *rep.Leak)
			case tc.wantLeak != nil && (rep.Leak == nil || *rep.Leak != *tc.wantLeak):
				t.Errorf("leak %+v, want %+v", rep.Leak, *tc.wantLeak)
			}
		})
	}
}

// A forced collection leaves the live heap at what is reachable: the
// deliberate leak's bytes are, a dropped allocation is not.
func TestDebugRuntimeLiveHeapFollowsTheLeak(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := httptest.NewServer(Handler(Options{GraphQL: ok, Debug: true, LeakBytesPerRequest: 256 << 10}))
	defer srv.Close()
	live := func() float64 {
		resp, err := http.Get(srv.URL + DebugRuntimePath + "?gc=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep RuntimeReport
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return rep.Metrics["/gc/heap/live:bytes"]
	}
	before := live()
	for range 40 { // 10 MiB
		resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if grew := live() - before; grew < 9<<20 || grew > 12<<20 {
		t.Errorf("live heap grew %.1f MiB after leaking 10 MiB", grew/(1<<20))
	}
}
