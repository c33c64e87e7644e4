package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/licencegraph/licencegraph/internal/server"
)

// Leaks are judged on what a leak changes, not on RSS: RSS follows the
// heap goal, which under GOGC=400 swings with the collector's timing
// (132 → 147 → 134 MiB means of a healthy server failed a 10 % RSS limit).
// The figures come from the server's own runtime (/debug/runtime, served
// with DEBUG_ENDPOINTS=true) and from /proc for its Neo4j connections:
//
//   - settled readings before and after the measured time: the load
//     stopped, its idle connections closed, a short settle, a forced
//     collection; the live heap then holds what the server keeps, not
//     what it is answering, so end minus start is what the run left
//     behind;
//   - the live heap after a forced collection at the middle of each
//     window, under load, and its least-squares slope: the trend;
//   - goroutines and Neo4j connections at the settled readings:
//     goroutines and busy connections must be back at their starting
//     level; open connections are the driver's pool, reported.

// Probe reads a server's runtime figures and counts its Neo4j connections.
type Probe struct {
	// URL is the server's /debug/runtime.
	URL string
	// Client reads it; nil: one without keep-alive, so that each reading
	// opens and closes its own connection (the same goroutines at start
	// and end).
	Client *http.Client
	// Connections counts the server's Neo4j connections, open and busy
	// (Neo4jConnections.Count); nil: not counted.
	Connections func(context.Context) (open, busy int, err error)
	// Settle is how long the server rests before a settled reading
	// (default 1 s); SettleMax how long the end reading waits for
	// goroutines and connections to come back (default 15 s).
	Settle, SettleMax time.Duration
}

// DebugURL is the /debug/runtime URL of the server whose /graphql is
// endpoint.
func DebugURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("loadtest: URL %q: %w", endpoint, err)
	}
	u.Path, u.RawQuery = server.DebugRuntimePath, ""
	return u.String(), nil
}

// Read returns the server's runtime figures, after a collection when
// forceGC.
func (p *Probe) Read(ctx context.Context, forceGC bool) (server.RuntimeReport, error) {
	var rep server.RuntimeReport
	client := p.Client
	if client == nil {
		client = noKeepAlive
	}
	u := p.URL
	if forceGC {
		u += "?gc=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return rep, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return rep, fmt.Errorf("loadtest: reading %s: %w", p.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return rep, fmt.Errorf("loadtest: reading %s: %w", p.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return rep, fmt.Errorf("loadtest: %s answered %d: start the server with DEBUG_ENDPOINTS=true", p.URL, resp.StatusCode)
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return rep, fmt.Errorf("loadtest: %s: %w", p.URL, err)
	}
	if _, ok := rep.Metrics[liveHeapMetric]; !ok {
		return rep, fmt.Errorf("loadtest: %s does not report %s", p.URL, liveHeapMetric)
	}
	return rep, nil
}

var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

const (
	liveHeapMetric   = "/gc/heap/live:bytes"
	goroutinesMetric = "/sched/goroutines:goroutines"
)

// Snapshot is a settled reading of the server.
type Snapshot struct {
	LiveHeap   uint64 // after a forced collection
	Goroutines int
	// Neo4j connections: open (TCP) and busy (a transaction open on
	// them); -1: not counted.
	Connections, Busy int
	// Leak is the deliberate leak's account, when the server runs one.
	Leak *server.LeakReport
}

func (p *Probe) snapshot(ctx context.Context) (Snapshot, error) {
	rep, err := p.Read(ctx, true)
	if err != nil {
		return Snapshot{}, err
	}
	s := Snapshot{LiveHeap: uint64(rep.Metrics[liveHeapMetric]), Goroutines: int(rep.Metrics[goroutinesMetric]),
		Connections: -1, Busy: -1, Leak: rep.Leak}
	if p.Connections != nil {
		if s.Connections, s.Busy, err = p.Connections(ctx); err != nil {
			return s, fmt.Errorf("loadtest: counting Neo4j connections: %w", err)
		}
	}
	return s, nil
}

// Settled takes a settled reading: closeIdle closes the load's idle
// connections (each holds a goroutine of the server), then the server
// rests for p.Settle. For the end reading (start given) it reads again
// every half second until goroutines and busy Neo4j connections are back
// at start's level, for up to p.SettleMax: in-flight work ends on its
// own, a leak does not.
func (p *Probe) Settled(ctx context.Context, closeIdle func(), start *Snapshot) (Snapshot, error) {
	settle, most := p.Settle, p.SettleMax
	if settle <= 0 {
		settle = time.Second
	}
	if most <= 0 {
		most = 15 * time.Second
	}
	if closeIdle != nil {
		closeIdle()
	}
	deadline := time.Now().Add(most)
	wait := settle
	for {
		if err := sleep(ctx, wait); err != nil {
			return Snapshot{}, err
		}
		s, err := p.snapshot(ctx)
		if err != nil || start == nil || time.Now().After(deadline) ||
			s.Goroutines <= start.Goroutines && s.Busy <= start.Busy {
			return s, err
		}
		wait = 500 * time.Millisecond
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Leaks is what a run measured of what a leak changes.
type Leaks struct {
	Start, End Snapshot
	// LiveHeap is the live heap after a forced collection at the middle
	// of each window, under load; Trend its least-squares growth over the
	// measured time, in bytes (the slope times the duration), and PerMinute
	// the same slope per minute.
	LiveHeap  []uint64
	Trend     int64
	PerMinute float64
	Requests  int // answered in the measured time, for the bytes per request
	Err       string
}

// Retained is the live heap the measured time left behind: the settled
// end reading over the settled start.
func (l Leaks) Retained() int64 { return int64(l.End.LiveHeap) - int64(l.Start.LiveHeap) }

// LeakLimits are the thresholds of Check.
type LeakLimits struct {
	// MaxRetained bounds the live heap the measured time may leave
	// behind (settled end over settled start), in bytes; RetainedFraction
	// of the start's live heap, when larger, is the bound instead.
	MaxRetained      int64
	RetainedFraction float64
	// MaxTrend bounds the live heap's growth under load over the
	// measured time, fitted by least squares over the windows' readings.
	MaxTrend int64
}

// DefaultLeakLimits are make loadtest's, chosen from the noise of a
// steady server (docs/performance.md, "The leak check"): its settled
// readings differed by at most +0.6 MiB (the first phase of a fresh
// server; within 0.1 MiB after), so 2 MiB (or 1 % of a larger live heap),
// a leak of about 420 bytes a request over the ~5,000 requests of a full
// phase; the readings under load carry the answers in flight, and their
// fitted growth moved by -5.3 … +6.7 MiB over 31 phases, so the trend's
// bound is 12 MiB.
var DefaultLeakLimits = LeakLimits{MaxRetained: 2 << 20, RetainedFraction: 0.01, MaxTrend: 12 << 20}

// retainedLimit is the bound on Retained for this run.
func (lim LeakLimits) retainedLimit(start uint64) int64 {
	return max(lim.MaxRetained, int64(lim.RetainedFraction*float64(start)))
}

// Check returns what a leak changed, one line each; none on a steady
// server. Goroutines and busy Neo4j connections must be back at their
// starting level (the end reading waited for them); open connections are
// the driver's pool, which keeps what it opened, so they are reported.
func (l Leaks) Check(lim LeakLimits) []string {
	if l.Err != "" {
		return []string{"leak check failed: " + l.Err}
	}
	var out []string
	if r, most := l.Retained(), lim.retainedLimit(l.Start.LiveHeap); r > most {
		out = append(out, fmt.Sprintf("live heap after the run %s above before it (%s per request; limit %s)",
			mibSigned(r), perRequest(r, l.Requests), mibSigned(most)))
	}
	if l.Trend > lim.MaxTrend {
		out = append(out, fmt.Sprintf("live heap under load trended up %s over the measured time (%s per minute; limit %s)",
			mibSigned(l.Trend), mibSigned(int64(l.PerMinute)), mibSigned(lim.MaxTrend)))
	}
	if l.End.Goroutines > l.Start.Goroutines {
		out = append(out, fmt.Sprintf("goroutines %d after the run, %d before it", l.End.Goroutines, l.Start.Goroutines))
	}
	if l.End.Busy > l.Start.Busy {
		out = append(out, fmt.Sprintf("Neo4j connections with a transaction open: %d after the run, %d before it (%d open)",
			l.End.Busy, l.Start.Busy, l.End.Connections))
	}
	return out
}

// Deliberate names the server's deliberate leak, if it runs one.
func (l Leaks) Deliberate() string {
	if k := l.End.Leak; k != nil {
		return fmt.Sprintf("LOADTEST_LEAK=%d (the server keeps %d bytes of every GraphQL request, on purpose)", k.BytesPerRequest, k.BytesPerRequest)
	}
	return ""
}

// slope is the least-squares slope of ys over evenly spaced xs, in units
// of y per step.
func slope(ys []uint64) float64 {
	n := float64(len(ys))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i, y := range ys {
		x := float64(i)
		sx, sy, sxx, sxy = sx+x, sy+float64(y), sxx+x*x, sxy+x*float64(y)
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// sampleLiveHeap reads the live heap after a forced collection at the
// middle of each of windows windows of duration from measureFrom. The
// readings are bounded by ctx, not by the load's end: the last one may
// still be answering when the load stops.
func sampleLiveHeap(ctx context.Context, p *Probe, measureFrom time.Time, duration time.Duration, windows int) ([]uint64, error) {
	window := duration / time.Duration(windows)
	out := make([]uint64, 0, windows)
	for k := range windows {
		if err := sleep(ctx, time.Until(measureFrom.Add(window*time.Duration(k)+window/2))); err != nil {
			return out, err
		}
		rep, err := p.Read(ctx, true)
		if err != nil {
			return out, err
		}
		out = append(out, uint64(rep.Metrics[liveHeapMetric]))
	}
	return out, nil
}

// DefaultWindows is the number of windows a measured duration is cut
// into: one per 5 s, at least 6 (the fewest a slope is worth fitting on)
// and at most 12.
func DefaultWindows(d time.Duration) int { return min(max(int(d/(5*time.Second)), 6), 12) }

// print writes the leak figures of a run.
func (l Leaks) print(w io.Writer) {
	if l.Err != "" {
		fmt.Fprintf(w, "Leak check failed: %s\n", l.Err)
		return
	}
	if len(l.LiveHeap) == 0 {
		return
	}
	heap := make([]string, len(l.LiveHeap))
	for i, v := range l.LiveHeap {
		heap[i] = fmt.Sprintf("%.1f", float64(v)/(1<<20))
	}
	fmt.Fprintf(w, "Live heap after a forced collection, middle of each window: %s MiB (trend %s over the measured time, %s per minute).\n",
		strings.Join(heap, " → "), mibSigned(l.Trend), mibSigned(int64(l.PerMinute)))
	conns := func(s Snapshot) string {
		switch {
		case s.Connections < 0:
			return "not counted"
		case s.Busy < 0:
			return fmt.Sprintf("%d open", s.Connections)
		}
		return fmt.Sprintf("%d open, %d busy", s.Connections, s.Busy)
	}
	fmt.Fprintf(w, "Settled before → after the measured time: live heap %.1f → %.1f MiB (%s, %s per request); goroutines %d → %d; Neo4j connections %s → %s.\n",
		float64(l.Start.LiveHeap)/(1<<20), float64(l.End.LiveHeap)/(1<<20), mibSigned(l.Retained()), perRequest(l.Retained(), l.Requests),
		l.Start.Goroutines, l.End.Goroutines, conns(l.Start), conns(l.End))
	if d := l.Deliberate(); d != "" {
		fmt.Fprintf(w, "Deliberate leak on: %s; %.1f MiB kept by it so far.\n", d, float64(l.End.Leak.RetainedBytes)/(1<<20))
	}
}

func mibSigned(b int64) string { return fmt.Sprintf("%+.1f MiB", float64(b)/(1<<20)) }

func perRequest(b int64, requests int) string {
	if requests == 0 {
		return "no request"
	}
	return fmt.Sprintf("%+d B", b/int64(requests))
}

// phase holds a load the way the leak check needs it: the warm-up (not
// measured), a settled reading, the measured time with its samples (RSS
// every sampleEvery, the live heap once per window), and — by end — a
// settled reading.
type phase struct {
	client           *http.Client
	probe            *Probe
	memory           func() (uint64, error)
	warmup, duration time.Duration
	windows          int
	sampleEvery      time.Duration
}

// run calls load for the warm-up (measureFrom == end: nothing counted,
// warm set) and again for the measured time; load starts its clients in
// wg, bounded by runCtx. It returns when the measured time's clients and
// samplers are done, with the time measuring began.
func (ph phase) run(ctx context.Context, mu *sync.Mutex, mem *memory, leaks *Leaks,
	load func(runCtx context.Context, measureFrom, end time.Time, warm bool, wg *sync.WaitGroup)) time.Time {
	if ph.warmup > 0 {
		end := time.Now().Add(ph.warmup)
		wctx, cancel := context.WithDeadline(ctx, end)
		var wg sync.WaitGroup
		load(wctx, end, end, true, &wg)
		wg.Wait()
		cancel()
	}
	if ph.probe != nil {
		s, err := ph.probe.Settled(ctx, ph.client.CloseIdleConnections, nil)
		leaks.Start = s
		if err != nil {
			leaks.Err = err.Error()
		}
	}
	measureFrom := time.Now()
	end := measureFrom.Add(ph.duration)
	runCtx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	var wg sync.WaitGroup
	load(runCtx, measureFrom, end, false, &wg)
	if ph.memory != nil {
		wg.Go(func() {
			sampleMemory(runCtx, mu, mem, ph.memory, measureFrom, ph.duration, ph.windows, ph.sampleEvery)
		})
	}
	if ph.probe != nil && leaks.Err == "" {
		wg.Go(func() {
			heap, err := sampleLiveHeap(ctx, ph.probe, measureFrom, ph.duration, ph.windows)
			perWindow := slope(heap)
			mu.Lock()
			defer mu.Unlock()
			leaks.LiveHeap = heap
			leaks.Trend = int64(perWindow * float64(ph.windows))
			leaks.PerMinute = perWindow * float64(time.Minute) / float64(ph.duration/time.Duration(ph.windows))
			if err != nil && ctx.Err() == nil && leaks.Err == "" {
				leaks.Err = err.Error()
			}
		})
	}
	wg.Wait()
	return measureFrom
}

// end takes the settled end reading, once the load (and whatever the
// phase undoes after it) is over.
func (ph phase) end(ctx context.Context, leaks *Leaks, requests int) {
	leaks.Requests = requests
	if ph.probe == nil || leaks.Err != "" {
		return
	}
	s, err := ph.probe.Settled(ctx, ph.client.CloseIdleConnections, &leaks.Start)
	leaks.End = s
	if err != nil {
		leaks.Err = err.Error()
	}
}
