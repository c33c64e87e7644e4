package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/bench/loadtest"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// loadtestCommand: licencegraph-bench loadtest --url http://127.0.0.1:8080/graphql
// [--server-pid PID] [--mix reads|writes]: the load tests of make loadtest.
// reads (issue 7): the mixed read workload at each client count; it fails
// when a request failed or when the leak check finds something (issue 20:
// live heap left behind or trending up, goroutines or Neo4j connections
// not back at their starting level). writes (issue 14): --readers readers
// on random dates and one writer granting or revoking a licence every
// --write-every through the store NEO4J_URI names; it fails on any error,
// stale answer, or goroutines or Neo4j connections not back (its live
// heap is reported). The server's RSS is reported, never judged.
func loadtestCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback only)")
	clients := fs.String("clients", "8,32", "comma-separated numbers of concurrent clients, one run each")
	warmup := fs.Duration("warmup", 20*time.Second, "unmeasured load before each run")
	duration := fs.Duration("duration", 60*time.Second, "measured time of each run")
	windows := fs.Int("windows", 0, "windows per run (0: one per 5 s of --duration, 6 to 12)")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	prepareTimeout := fs.Duration("prepare-timeout", 10*time.Minute, "timeout of the first exposure question (it fills the server's cache)")
	asOf := fs.String("as-of", "2026-06-01", "date of the exposure questions and licences")
	pid := fs.Int("server-pid", 0, "the server's process id, to sample its RSS and count its Neo4j connections (0: neither)")
	leakCheck := fs.Bool("leak-check", true, "read the server's /debug/runtime (DEBUG_ENDPOINTS=true) and judge leaks")
	neo4jURI := fs.String("neo4j-uri", os.Getenv("NEO4J_URI"), "the server's Neo4j (NEO4J_USER, NEO4J_PASSWORD), asked which of the server's connections run a transaction; empty: not asked")
	boltPort := fs.Int("bolt-port", 0, "Neo4j's Bolt port, whose connections from --server-pid are counted (0: --neo4j-uri's)")
	maxRetained := fs.Float64("max-retained-mib", mibOf(loadtest.DefaultLeakLimits.MaxRetained), "largest live heap (MiB) a run may leave behind: settled, after a forced collection, end over start…")
	retainedPercent := fs.Float64("max-retained-percent", 100*loadtest.DefaultLeakLimits.RetainedFraction, "…or this share of the start's live heap, when larger")
	maxTrend := fs.Float64("max-heap-trend-mib", mibOf(loadtest.DefaultLeakLimits.MaxTrend), "largest live-heap growth (MiB) over the measured time, fitted by least squares over the windows' readings under load")
	mixName := fs.String("mix", "reads", "reads: the mixed read workload at --clients; writes: --readers on random dates and one licence writer")
	readers := fs.Int("readers", 8, "readers of the writes mix")
	writeEvery := fs.Duration("write-every", time.Second, "the writer's period (writes)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := loadtest.CheckLoopback(*endpoint); err != nil {
		return err
	}
	if *windows <= 0 {
		*windows = loadtest.DefaultWindows(*duration)
	}
	if *boltPort == 0 {
		*boltPort = boltPortOf(*neo4jURI)
	}
	limits := loadtest.LeakLimits{MaxRetained: int64(*maxRetained * (1 << 20)), RetainedFraction: *retainedPercent / 100,
		MaxTrend: int64(*maxTrend * (1 << 20))}
	var probe *loadtest.Probe
	if *leakCheck {
		u, err := loadtest.DebugURL(*endpoint)
		if err != nil {
			return err
		}
		probe = &loadtest.Probe{URL: u}
		if *pid > 0 {
			conns := loadtest.Neo4jConnections{PID: *pid, Port: *boltPort}
			if *neo4jURI != "" {
				d, err := openDriver(*neo4jURI)
				if err != nil {
					return err
				}
				defer d.Close(context.Background())
				conns.Driver = d
			}
			probe.Connections = conns.Count
		}
		if _, err := probe.Read(ctx, false); err != nil {
			return err
		}
	}
	var memory func() (uint64, error)
	if *pid > 0 {
		memory = loadtest.ProcessRSS(*pid)
	}
	switch *mixName {
	case "reads":
	case "writes":
		if *readers < 1 || *readers > 256 {
			return fmt.Errorf("loadtest: bad reader count %d", *readers)
		}
		return loadtestWrites(ctx, stdout, stderr, writesRun{endpoint: *endpoint, asOf: *asOf, pid: *pid, readers: *readers,
			warmup: *warmup, duration: *duration, every: *writeEvery, windows: *windows, timeout: *timeout,
			prepareTimeout: *prepareTimeout, memory: memory, probe: probe})
	default:
		return fmt.Errorf("loadtest: --mix %q: want reads or writes", *mixName)
	}
	counts, err := clientCounts(*clients, 256, "loadtest: bad client count")
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	pctx, cancel := context.WithTimeout(ctx, *prepareTimeout)
	start := time.Now()
	mix, err := loadtest.Prepare(pctx, client, *endpoint, *asOf)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loadtest: mix ready in %s (samples per workload: %v)\n", time.Since(start).Round(time.Millisecond), mix.Samples())
	var failed []error
	var deliberate string
	for _, n := range counts {
		r := loadtest.Run(ctx, client, mix, loadtest.Options{Endpoint: *endpoint, Clients: n, Warmup: *warmup,
			Duration: *duration, Windows: *windows, Timeout: *timeout, Memory: memory, Probe: probe})
		r.Print(stdout)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r.Errors > 0 {
			failed = append(failed, fmt.Errorf("%d clients: %d requests failed", n, r.Errors))
		}
		if probe != nil {
			for _, p := range r.Leaks.Check(limits) {
				failed = append(failed, fmt.Errorf("%d clients: %s", n, p))
			}
			deliberate = r.Leaks.Deliberate()
		}
	}
	printPeak(stdout, *pid)
	return verdict(stdout, failed, deliberate, true, "no errors, no leak")
}

// verdict ends a loadtest command: the failures, naming the deliberate
// leak when the server runs one (and saying so when a check that judges
// the heap let it pass).
func verdict(stdout io.Writer, failed []error, deliberate string, heapJudged bool, ok string) error {
	if len(failed) > 0 {
		if deliberate != "" {
			failed = append(failed, errors.New("the server leaks on purpose: "+deliberate))
		}
		return fmt.Errorf("loadtest: %w", errors.Join(failed...))
	}
	switch {
	case deliberate != "" && heapJudged:
		fmt.Fprintf(stdout, "\nloadtest: the deliberate leak went unnoticed: %s\n", deliberate)
	case deliberate != "":
		fmt.Fprintf(stdout, "\nloadtest: the deliberate leak is on, %s; this mix reports the live heap without judging it\n", deliberate)
	}
	fmt.Fprintln(stdout, "\nloadtest: "+ok)
	return nil
}

func printPeak(stdout io.Writer, pid int) {
	if pid > 0 {
		if peak, err := loadtest.ProcessPeakRSS(pid); err == nil {
			fmt.Fprintf(stdout, "\nServer peak RSS since it started (VmHWM): %.0f MiB\n", float64(peak)/(1<<20))
		}
	}
}

// boltPortOf is the port of a Neo4j URI (7687 when it names none).
func boltPortOf(uri string) int {
	if u, err := url.Parse(uri); err == nil {
		if p, err := strconv.Atoi(u.Port()); err == nil {
			return p
		}
	}
	return 7687
}

func mibOf(b int64) float64 { return float64(b) / (1 << 20) }

// openDriver opens a driver on uri with NEO4J_USER and NEO4J_PASSWORD,
// for the leak check's one question to Neo4j.
func openDriver(uri string) (neo4j.DriverWithContext, error) {
	auth := neo4j.NoAuth()
	if u := os.Getenv("NEO4J_USER"); u != "" {
		auth = neo4j.BasicAuth(u, os.Getenv("NEO4J_PASSWORD"), "")
	}
	d, err := neo4j.NewDriverWithContext(uri, auth)
	if err != nil {
		return nil, fmt.Errorf("loadtest: --neo4j-uri: %w", err)
	}
	return d, nil
}

// writesRun is one run of the writes mix.
type writesRun struct {
	endpoint, asOf          string
	pid, readers, windows   int
	warmup, duration, every time.Duration
	timeout, prepareTimeout time.Duration
	memory                  func() (uint64, error)
	probe                   *loadtest.Probe
}

// loadtestWrites runs the writes mix once.
func loadtestWrites(ctx context.Context, stdout, stderr io.Writer, o writesRun) error {
	date, err := domain.ParseDate(o.asOf)
	if err != nil {
		return fmt.Errorf("loadtest: --as-of: %w", err)
	}
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	store, err := app.OpenStore(cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	pctx, cancel := context.WithTimeout(ctx, o.prepareTimeout)
	start := time.Now()
	mix, err := loadtest.PrepareWrites(pctx, client, o.endpoint, date)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loadtest: writes mix ready in %s (%d exposed automakers, %d uncovered hops on %s)\n",
		time.Since(start).Round(time.Millisecond), len(mix.OEMs), len(mix.Hops), date)
	r := loadtest.RunWrites(ctx, client, store, mix, loadtest.WritesOptions{Endpoint: o.endpoint, Readers: o.readers,
		Warmup: o.warmup, Duration: o.duration, WriteEvery: o.every, Timeout: o.timeout, Windows: o.windows,
		Memory: o.memory, Probe: o.probe})
	r.Print(stdout)
	printPeak(stdout, o.pid)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var failed []error
	if n := r.Errors + r.WriteErrors + r.CheckErrors; n > 0 {
		failed = append(failed, fmt.Errorf("%d requests, writes or checks failed; the first: %s", n, r.FirstError))
	}
	if r.Stale > 0 {
		failed = append(failed, fmt.Errorf("%d of %d reads after an acknowledged write did not show it; the first: %s", r.Stale, r.Checks, r.FirstStale))
	}
	deliberate := ""
	if o.probe != nil {
		// Goroutines and connections are judged here too; the live heap is
		// reported only: the warm-up's answers for hundreds of dates are
		// still kept at the start reading and retired by the first write,
		// which would hide a leak of the same size.
		for _, p := range r.Leaks.Check(loadtest.LeakLimits{MaxRetained: math.MaxInt64, MaxTrend: math.MaxInt64}) {
			failed = append(failed, errors.New(p))
		}
		deliberate = r.Leaks.Deliberate()
	}
	return verdict(stdout, failed, deliberate, false, "no errors, every acknowledged write visible to the next read, goroutines and Neo4j connections back")
}
