// Package loadtest holds a mixed read workload against a licencegraph
// server for a fixed time with a fixed number of clients, and reports
// throughput, latency percentiles, errors and the server's memory over
// consecutive windows (issue 7, "Load"). It only talks to a loopback URL,
// and every run is bounded by its duration and a per-request timeout.
package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/licencegraph/licencegraph/bench/gqlclient"
)

// post sends one GraphQL request and returns its data (gqlclient.Post).
var post = gqlclient.Post

// The mix: the read-API shapes of the anchors benchmark's W1–W5
// (bench/anchors: company page, filtered list, exposedCompanies,
// exposurePaths, search).
const (
	companyPageQuery = `query W1($id: ID!, $asOf: Date) { company(id: $id) { id name sectors { id }
  suppliers(first: 10) { edges { node { supplier { id name licencesHeld(asOf: $asOf) { id status }
    suppliers(first: 10) { edges { node { supplier { id name licencesHeld(asOf: $asOf) { id status } } } } } } } } } } }`
	filteredListQuery = `query W2($country: String!, $sector: ID!, $asOf: Date) {
  companies(filter: {country: $country, sector: $sector}, first: 50) { totalCount edges { node { id name
    suppliers(first: 10) { edges { node { supplier { id name licencesHeld(asOf: $asOf) { id status } } } } } } } } }`
	exposedQuery = `query W3($asOf: Date) { exposedCompanies(sector: "automotive", maxDepth: 4, asOf: $asOf, first: 20) {
  totalCount edges { node { company { id } minDepth pathCount uncoveredSuppliers { id } } } } }`
	pathsQuery = `query W4($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, maxDepth: 4, first: 10) {
  depth hops { supplier { id } customer { id } controlled covered reason licences { id } } } }`
	searchQuery = `query W5($text: String!) { search(text: $text, first: 20) { id name } }`

	sampleCompaniesQuery = `{ companies(first: 100) { edges { node { id name country { code } sectors { id } } } } }`
)

// Workload names, in the order of the mix.
var Workloads = []string{"company page", "filtered list", "exposedCompanies", "exposurePaths", "search"}

// Mix is the request bodies of each workload, drawn from the served data.
type Mix struct {
	bodies [][][]byte // per workload, its samples
}

// Samples says how many variable sets each workload rotates through.
func (m *Mix) Samples() []int {
	out := make([]int, len(m.bodies))
	for i, b := range m.bodies {
		out[i] = len(b)
	}
	return out
}

// CheckLoopback refuses a URL whose host is not a loopback address.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("loadtest: URL %q: %w", raw, err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("loadtest: %s is not a loopback address: the load test only runs on this machine", host)
}

// Prepare draws the mix's variables from what the server at endpoint (the
// /graphql URL) serves: companies of the first page (their pages, their
// (country, sector) lists, words of their names), and the exposed
// companies of the exposure question (whose paths are asked). It asks the
// exposure question once, which also warms the server's cache.
func Prepare(ctx context.Context, client *http.Client, endpoint, asOf string) (*Mix, error) {
	if err := CheckLoopback(endpoint); err != nil {
		return nil, err
	}
	body := func(q string, vars map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		return b
	}
	data, err := post(ctx, client, endpoint, body(sampleCompaniesQuery, nil))
	if err != nil {
		return nil, fmt.Errorf("loadtest: sampling companies: %w", err)
	}
	var page struct {
		Companies struct {
			Edges []struct {
				Node struct {
					ID, Name string
					Country  struct{ Code string }
					Sectors  []struct{ ID string }
				}
			}
		}
	}
	if err := remarshal(data, &page); err != nil {
		return nil, err
	}
	m := &Mix{bodies: make([][][]byte, len(Workloads))}
	seenList, seenText := map[string]bool{}, map[string]bool{}
	for i, e := range page.Companies.Edges {
		n := e.Node
		if i%10 == 0 {
			m.bodies[0] = append(m.bodies[0], body(companyPageQuery, map[string]any{"id": n.ID, "asOf": asOf}))
		}
		for _, s := range n.Sectors {
			key := n.Country.Code + "/" + s.ID
			if !seenList[key] && len(m.bodies[1]) < 10 {
				seenList[key] = true
				m.bodies[1] = append(m.bodies[1], body(filteredListQuery, map[string]any{"country": n.Country.Code, "sector": s.ID, "asOf": asOf}))
			}
		}
		if words := strings.Fields(n.Name); len(words) > 1 && i%10 == 5 {
			text := strings.Join(words[1:min(3, len(words))], " ")
			if !seenText[text] {
				seenText[text] = true
				m.bodies[4] = append(m.bodies[4], body(searchQuery, map[string]any{"text": text}))
			}
		}
	}
	exposed := body(exposedQuery, map[string]any{"asOf": asOf})
	m.bodies[2] = [][]byte{exposed}
	data, err = post(ctx, client, endpoint, exposed)
	if err != nil {
		return nil, fmt.Errorf("loadtest: the exposure question: %w", err)
	}
	var ex struct {
		ExposedCompanies struct {
			Edges []struct {
				Node struct{ Company struct{ ID string } }
			}
		}
	}
	if err := remarshal(data, &ex); err != nil {
		return nil, err
	}
	for i, e := range ex.ExposedCompanies.Edges {
		if i%2 == 0 && len(m.bodies[3]) < 8 {
			m.bodies[3] = append(m.bodies[3], body(pathsQuery, map[string]any{"id": e.Node.Company.ID, "asOf": asOf}))
		}
	}
	for i, b := range m.bodies {
		if len(b) == 0 {
			return nil, fmt.Errorf("loadtest: no sample for %s (is the world loaded?)", Workloads[i])
		}
	}
	return m, nil
}

func remarshal(v any, out any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Options bound one run.
type Options struct {
	Endpoint string        // the /graphql URL (loopback)
	Clients  int           // concurrent clients, each sending its next request when the last is answered
	Warmup   time.Duration // sent first, not measured
	Duration time.Duration // measured
	Windows  int           // windows the measured time is cut into (default DefaultWindows)
	Timeout  time.Duration // per request
	// Memory samples the server's memory in bytes (e.g. its RSS); nil: not
	// measured. SampleEvery is its period (default 1 s).
	Memory      func() (uint64, error)
	SampleEvery time.Duration
	// Probe reads the server's runtime figures for the leak check; nil:
	// no leak check.
	Probe *Probe
}

// WorkloadResult is one workload's share of a run.
type WorkloadResult struct {
	Name       string
	OK, Errors int
	P50, P99   time.Duration
}

// Result is what one run measured.
type Result struct {
	Clients    int
	Elapsed    time.Duration
	OK, Errors int
	FirstError string
	Throughput float64 // answered requests per second (without errors)
	P50, P99   time.Duration
	Workloads  []WorkloadResult
	// The server's memory: see memory.
	memory
	// What a leak changes: see Leaks.
	Leaks Leaks
}

// Run holds the mix with o.Clients clients: o.Warmup unmeasured, then
// (with a probe, after a settled reading) o.Duration measured, then a
// settled reading. Client i starts at workload i and each client cycles
// through the workloads, so every workload is in flight at once.
func Run(ctx context.Context, client *http.Client, m *Mix, o Options) Result {
	if o.Windows <= 0 {
		o.Windows = DefaultWindows(o.Duration)
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = time.Second
	}
	res := Result{Clients: o.Clients}
	res.MemoryWindows, res.MemoryPeaks = make([]uint64, o.Windows), make([]uint64, o.Windows)
	var mu sync.Mutex
	t := newTally(&mu, Workloads, &res.Errors, &res.FirstError)
	next := func(c, i int) (int, string, []byte) {
		w := (c + i) % len(m.bodies)
		samples := m.bodies[w]
		return w, "", samples[(c+i/len(m.bodies))%len(samples)]
	}
	ph := phase{client: client, probe: o.Probe, memory: o.Memory, warmup: o.Warmup, duration: o.Duration,
		windows: o.Windows, sampleEvery: o.SampleEvery}
	measureFrom := ph.run(ctx, &mu, &res.memory, &res.Leaks, func(runCtx context.Context, measureFrom, end time.Time, _ bool, wg *sync.WaitGroup) {
		readers{client: client, endpoint: o.Endpoint, timeout: o.Timeout, measureFrom: measureFrom, end: end}.run(ctx, runCtx, wg, o.Clients, t, next)
	})
	res.Elapsed = min(time.Since(measureFrom), o.Duration+o.Timeout)
	res.OK, res.P50, res.P99, res.Workloads = t.results()
	res.Throughput = float64(res.OK) / o.Duration.Seconds()
	ph.end(ctx, &res.Leaks, res.OK)
	return res
}

// tally gathers the answers of the measured requests, per workload, under
// the run's mutex; errors also count into the run's error count and
// first error.
type tally struct {
	mu         *sync.Mutex
	names      []string
	latencies  [][]time.Duration
	errs       []int
	all        []time.Duration
	errors     *int
	firstError *string
}

func newTally(mu *sync.Mutex, names []string, errors *int, firstError *string) *tally {
	return &tally{mu: mu, names: names, latencies: make([][]time.Duration, len(names)), errs: make([]int, len(names)),
		errors: errors, firstError: firstError}
}

// add records one answer of workload w (label says what it asked, for the
// first error's message).
func (t *tally) add(w int, label string, d time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		t.latencies[w] = append(t.latencies[w], d)
		t.all = append(t.all, d)
		return
	}
	t.errs[w]++
	*t.errors++
	if *t.firstError == "" {
		*t.firstError = fmt.Sprintf("%s%s: %v", t.names[w], label, err)
	}
}

// results are the answered requests, their p50 and p99, and each
// workload's.
func (t *tally) results() (ok int, p50, p99 time.Duration, workloads []WorkloadResult) {
	p50, p99 = percentiles(t.all)
	for w, l := range t.latencies {
		r := WorkloadResult{Name: t.names[w], OK: len(l), Errors: t.errs[w]}
		r.P50, r.P99 = percentiles(l)
		workloads = append(workloads, r)
	}
	return len(t.all), p50, p99, workloads
}

// readers are the clients of a run: each sends its next request when the
// last is answered, from the start until end; answers before measureFrom
// (the warm-up) are not counted.
type readers struct {
	client           *http.Client
	endpoint         string
	timeout          time.Duration
	measureFrom, end time.Time
}

// run starts n clients in wg; next gives client c's i-th request: its
// workload, a label for errors and the body.
func (r readers) run(ctx, runCtx context.Context, wg *sync.WaitGroup, n int, t *tally, next func(c, i int) (int, string, []byte)) {
	for c := range n {
		wg.Go(func() {
			for i := 0; ; i++ {
				w, label, body := next(c, i)
				sent := time.Now()
				if !sent.Before(r.end) || runCtx.Err() != nil {
					return
				}
				// Timed to the answer's last byte, as bench-api times
				// (measure.PostMeasured): decoding the answer is the
				// client's work, and on these 2 cores it competes with
				// the server for the same CPU.
				rctx, cancel := context.WithTimeout(ctx, r.timeout)
				raw, status, err := gqlclient.Send(rctx, r.client, r.endpoint, body)
				d := time.Since(sent)
				cancel()
				if err == nil {
					err = gqlclient.Check(raw, status)
				}
				if !sent.Before(r.measureFrom) {
					t.add(w, label, d, err)
				}
			}
		})
	}
}

func percentiles(l []time.Duration) (p50, p99 time.Duration) {
	if len(l) == 0 {
		return 0, 0
	}
	slices.Sort(l)
	at := func(p float64) time.Duration { return l[min(int(float64(len(l)-1)*p+0.5), len(l)-1)] }
	return at(0.50), at(0.99)
}

// Print writes the run as Markdown: a summary line, the per-workload
// table and the memory windows.
func (r Result) Print(w io.Writer) {
	fmt.Fprintf(w, "\n### %d clients, %s measured\n\n", r.Clients, r.Elapsed.Round(time.Second))
	fmt.Fprintf(w, "| workload | requests | errors | p50 | p99 |\n|---|---:|---:|---:|---:|\n")
	for _, x := range r.Workloads {
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s |\n", x.Name, x.OK, x.Errors, ms(x.P50), ms(x.P99))
	}
	fmt.Fprintf(w, "| **all** | **%d** | **%d** | **%s** | **%s** |\n\n", r.OK, r.Errors, ms(r.P50), ms(r.P99))
	fmt.Fprintf(w, "Throughput %.1f requests/s.", r.Throughput)
	if r.FirstError != "" {
		fmt.Fprintf(w, " First error: %.200s", r.FirstError)
	}
	fmt.Fprintln(w)
	if r.PeakMemory > 0 {
		means, peaks := make([]string, len(r.MemoryWindows)), make([]string, len(r.MemoryPeaks))
		for i := range r.MemoryWindows {
			means[i], peaks[i] = mib(r.MemoryWindows[i]), mib(r.MemoryPeaks[i])
		}
		fmt.Fprintf(w, "Server RSS (reported, not judged): peak %s; mean per window %s (%+.1f %%); largest sample per window %s.\n",
			mib(r.PeakMemory), strings.Join(means, " → "), 100*r.Growth, strings.Join(peaks, " → "))
	}
	if r.MemoryErr != "" {
		fmt.Fprintf(w, "Memory sampling failed: %s\n", r.MemoryErr)
	}
	r.Leaks.print(w)
}

func ms(d time.Duration) string {
	if d >= 10*time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Microsecond).String()
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// GoHeap samples this process's Go heap in use (runtime.MemStats), for a
// server run in the same process as the load (tests).
func GoHeap() (uint64, error) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, nil
}

// ProcessRSS returns a sampler of a process's resident set size, from
// /proc/PID/status (Linux).
func ProcessRSS(pid int) func() (uint64, error) {
	return func() (uint64, error) { return procStatus(pid, "VmRSS:") }
}

// ProcessPeakRSS is a process's high-water RSS (VmHWM) since it started.
func ProcessPeakRSS(pid int) (uint64, error) { return procStatus(pid, "VmHWM:") }

func procStatus(pid int, field string) (uint64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("loadtest: " + field + " not in /proc/" + strconv.Itoa(pid) + "/status")
}
