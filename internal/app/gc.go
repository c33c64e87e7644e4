package app

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
)

// TuneGCForServing sets the collector the way `licencegraph serve` runs it;
// the benchmarks that serve licencegraph in their own process call it too,
// so that they measure the server as it is deployed. gqlgen allocates
// several short-lived objects per field of an answer: with the default
// GOGC=100 the collector took about a quarter of the CPU of a nested page of
// 5,000 objects, and 400 cut the CPU per request by ~25 %
// (docs/performance.md). The soft memory limit keeps the larger heap
// bounded. GOGC and GOMEMLIMIT, when set, win.
func TuneGCForServing() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
		limitTuned.Store(true)
	}
}

// limitTuned says TuneGCForServing set the soft memory limit (and so
// fitMemoryLimit may move it).
var limitTuned atomic.Bool

// fitMemoryLimit raises the soft memory limit above the heap the
// projection keeps live, once it is loaded: at a million companies that
// heap approaches the 1 GiB limit, and the collector would run without
// pause. It leaves a limit the environment set alone.
func fitMemoryLimit(log *slog.Logger) {
	if !limitTuned.Load() {
		return
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	limit := max(int64(serveMemoryLimit), 2*int64(m.HeapAlloc)+512<<20)
	debug.SetMemoryLimit(limit)
	log.Info("memory limit fitted to the projection", "live_heap_mib", m.HeapAlloc>>20, "limit_mib", limit>>20)
}

// The collector settings of TuneGCForServing.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 1 << 30
)
