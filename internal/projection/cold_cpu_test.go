package projection

import (
	"syscall"
	"testing"
	"time"
)

// cpuLoop is b.Loop that also reports the process's CPU time per op
// (cpu-ms/op, garbage collection included): the machine is shared, and
// CPU time moves less with its load than wall time.
func cpuLoop(b *testing.B) bool {
	if _, ok := cpuStarts[b]; !ok {
		cpuStarts[b] = cpuTime()
	}
	if b.Loop() {
		return true
	}
	b.ReportMetric(float64(cpuTime()-cpuStarts[b])/float64(b.N)/1e6, "cpu-ms/op")
	delete(cpuStarts, b)
	return false
}

var cpuStarts = map[*testing.B]time.Duration{}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
