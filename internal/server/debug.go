package server

import (
	"math"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
)

// DebugRuntimePath serves the runtime's own figures when Options.Debug is
// on: what `make loadtest` reads to tell a leak from the collector's
// rhythm (an RSS figure moves with the heap goal, the live heap after a
// collection does not).
const DebugRuntimePath = "/debug/runtime"

// runtimeMetrics are the figures /debug/runtime reports, under the names
// runtime/metrics gives them (the same names Prometheus's Go collector
// derives its own from).
var runtimeMetrics = []string{
	"/gc/heap/live:bytes",                // heap marked live by the last collection
	"/gc/heap/goal:bytes",                // where the next collection starts
	"/gc/cycles/total:gc-cycles",         // collections so far
	"/gc/gogc:percent",                   // GOGC in force
	"/gc/gomemlimit:bytes",               // the soft memory limit in force
	"/memory/classes/heap/objects:bytes", // live and not yet swept objects
	"/memory/classes/total:bytes",        // all memory the runtime mapped
	"/sched/goroutines:goroutines",
}

// RuntimeReport is the JSON of /debug/runtime.
type RuntimeReport struct {
	// ForcedGC says collections ran just before the figures were read
	// (?gc=1), so /gc/heap/live:bytes is the live heap now.
	ForcedGC bool               `json:"forcedGC"`
	Metrics  map[string]float64 `json:"metrics"`
	// Leak is the deliberate leak's account, when it is on.
	Leak *LeakReport `json:"leak,omitempty"`
}

// LeakReport is what the deliberate leak holds.
type LeakReport struct {
	BytesPerRequest int   `json:"bytesPerRequest"`
	Requests        int64 `json:"requests"`
	RetainedBytes   int64 `json:"retainedBytes"`
}

// debugRuntime answers GET /debug/runtime[?gc=1].
func debugRuntime(l *leak) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		force, _ := strconv.ParseBool(r.URL.Query().Get("gc"))
		if force {
			// Twice: what sync.Pools hold (encoder buffers grown to the
			// largest answer) survives one collection in their victim
			// cache, and would count as live.
			runtime.GC()
			runtime.GC()
		}
		samples := make([]metrics.Sample, len(runtimeMetrics))
		for i, name := range runtimeMetrics {
			samples[i].Name = name
		}
		metrics.Read(samples)
		rep := RuntimeReport{ForcedGC: force, Metrics: make(map[string]float64, len(samples))}
		for _, s := range samples {
			switch s.Value.Kind() {
			case metrics.KindUint64:
				rep.Metrics[s.Name] = float64(s.Value.Uint64())
			case metrics.KindFloat64:
				if v := s.Value.Float64(); !math.IsInf(v, 0) && !math.IsNaN(v) {
					rep.Metrics[s.Name] = v
				}
			}
		}
		if l != nil {
			rep.Leak = l.report()
		}
		writeJSON(w, http.StatusOK, rep)
	}
}

// leak is the deliberate leak of LOADTEST_LEAK_BYTES_PER_REQUEST: every
// GraphQL request leaves bytesPerRequest bytes behind for the life of the
// process. It exists to prove that `make loadtest` catches a leak; nothing
// else turns it on.
type leak struct {
	bytesPerRequest int
	mu              sync.Mutex
	kept            [][]byte
	requests        atomic.Int64
}

func newLeak(bytesPerRequest int) *leak {
	if bytesPerRequest <= 0 {
		return nil
	}
	return &leak{bytesPerRequest: bytesPerRequest}
}

func (l *leak) wrap(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, l.bytesPerRequest)
		for i := range b {
			b[i] = byte(i) // written, so that it is resident too, not only counted
		}
		l.mu.Lock()
		l.kept = append(l.kept, b)
		l.mu.Unlock()
		l.requests.Add(1)
		next.ServeHTTP(w, r)
	})
}

func (l *leak) report() *LeakReport {
	n := l.requests.Load()
	return &LeakReport{BytesPerRequest: l.bytesPerRequest, Requests: n, RetainedBytes: n * int64(l.bytesPerRequest)}
}
