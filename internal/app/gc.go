package app

import (
	"os"
	"runtime/debug"
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
	}
}

// The collector settings of TuneGCForServing.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 1 << 30
)
