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

// fitMemoryLimit fits the soft memory limit to the heap the projection
// keeps live, once it is loaded: twice that heap plus room for the answers
// being built (fitHeadroom), never under fitFloor. Under GOGC=400 the heap
// would otherwise grow to the 1 GiB start-up limit under load (a 100,000-
// company server reached 1 GiB of RSS with 8 readers and a writer), and at
// a million companies the live heap alone approaches that limit. It leaves
// a limit the environment set alone.
func fitMemoryLimit(log *slog.Logger) {
	if !limitTuned.Load() {
		return
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	limit := fittedLimit(m.HeapAlloc)
	debug.SetMemoryLimit(limit)
	log.Info("memory limit fitted to the projection", "live_heap_mib", m.HeapAlloc>>20, "limit_mib", limit>>20)
}

func fittedLimit(liveHeap uint64) int64 {
	return max(fitFloor, 2*int64(liveHeap)+fitHeadroom)
}

// The collector settings of TuneGCForServing.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 1 << 30 // until the projection is loaded
	fitFloor         = 320 << 20
	fitHeadroom      = 256 << 20
)
