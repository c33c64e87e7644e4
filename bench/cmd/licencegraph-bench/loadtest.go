package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/licencegraph/licencegraph/bench/loadtest"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// loadtestCommand: licencegraph-bench loadtest --url http://127.0.0.1:8080/graphql
// [--server-pid PID] [--mix reads|writes]: the load tests of make loadtest.
// reads (issue 7): the mixed read workload at each client count; it fails
// when a request failed or when the server's memory grew by more than
// --max-growth between the first window and a later one. writes (issue
// 14): --readers readers on random dates and one writer granting or
// revoking a licence every --write-every through the store NEO4J_URI
// names; it fails on any error or stale answer (memory is reported).
func loadtestCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback only)")
	clients := fs.String("clients", "8,32", "comma-separated numbers of concurrent clients, one run each")
	warmup := fs.Duration("warmup", 20*time.Second, "unmeasured load before each run")
	duration := fs.Duration("duration", 60*time.Second, "measured time of each run")
	windows := fs.Int("windows", 3, "memory windows per run")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	prepareTimeout := fs.Duration("prepare-timeout", 10*time.Minute, "timeout of the first exposure question (it fills the server's cache)")
	asOf := fs.String("as-of", "2026-06-01", "date of the exposure questions and licences")
	pid := fs.Int("server-pid", 0, "the server's process id, to sample its RSS (0: memory not measured)")
	maxGrowth := fs.Float64("max-growth", 0.10, "largest allowed growth of the server's mean memory from the first window to a later one (reads)")
	mixName := fs.String("mix", "reads", "reads: the mixed read workload at --clients; writes: --readers on random dates and one licence writer")
	readers := fs.Int("readers", 8, "readers of the writes mix")
	writeEvery := fs.Duration("write-every", time.Second, "the writer's period (writes)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := loadtest.CheckLoopback(*endpoint); err != nil {
		return err
	}
	switch *mixName {
	case "reads":
	case "writes":
		if *readers < 1 || *readers > 256 {
			return fmt.Errorf("loadtest: bad reader count %d", *readers)
		}
		return loadtestWrites(ctx, stdout, stderr, *endpoint, *asOf, *pid, *readers, *warmup, *duration, *writeEvery, *windows, *timeout, *prepareTimeout)
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
	var memory func() (uint64, error)
	if *pid > 0 {
		memory = loadtest.ProcessRSS(*pid)
	}
	var failed []error
	for _, n := range counts {
		r := loadtest.Run(ctx, client, mix, loadtest.Options{Endpoint: *endpoint, Clients: n, Warmup: *warmup,
			Duration: *duration, Windows: *windows, Timeout: *timeout, Memory: memory})
		r.Print(stdout)
		if r.Errors > 0 {
			failed = append(failed, fmt.Errorf("%d clients: %d requests failed", n, r.Errors))
		}
		if memory != nil && !r.Flat(*maxGrowth) {
			failed = append(failed, fmt.Errorf("%d clients: server memory grew %.1f %% (limit %.0f %%)", n, 100*r.Growth, 100**maxGrowth))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if *pid > 0 {
		if peak, err := loadtest.ProcessPeakRSS(*pid); err == nil {
			fmt.Fprintf(stdout, "\nServer peak RSS since it started (VmHWM): %.0f MiB\n", float64(peak)/(1<<20))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("loadtest: %w", errors.Join(failed...))
	}
	fmt.Fprintln(stdout, "\nloadtest: no errors, memory flat")
	return nil
}

// loadtestWrites runs the writes mix once.
func loadtestWrites(ctx context.Context, stdout, stderr io.Writer, endpoint, asOf string, pid, readers int,
	warmup, duration, every time.Duration, windows int, timeout, prepareTimeout time.Duration) error {
	date, err := domain.ParseDate(asOf)
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
	pctx, cancel := context.WithTimeout(ctx, prepareTimeout)
	start := time.Now()
	mix, err := loadtest.PrepareWrites(pctx, client, endpoint, date)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loadtest: writes mix ready in %s (%d exposed automakers, %d uncovered hops on %s)\n",
		time.Since(start).Round(time.Millisecond), len(mix.OEMs), len(mix.Hops), date)
	var memory func() (uint64, error)
	if pid > 0 {
		memory = loadtest.ProcessRSS(pid)
	}
	r := loadtest.RunWrites(ctx, client, store, mix, loadtest.WritesOptions{Endpoint: endpoint, Readers: readers,
		Warmup: warmup, Duration: duration, WriteEvery: every, Timeout: timeout, Windows: windows, Memory: memory})
	r.Print(stdout)
	if pid > 0 {
		if peak, err := loadtest.ProcessPeakRSS(pid); err == nil {
			fmt.Fprintf(stdout, "\nServer peak RSS since it started (VmHWM): %.0f MiB\n", float64(peak)/(1<<20))
		}
	}
	var failed []error
	if n := r.Errors + r.WriteErrors + r.CheckErrors; n > 0 {
		failed = append(failed, fmt.Errorf("%d requests, writes or checks failed; the first: %s", n, r.FirstError))
	}
	if r.Stale > 0 {
		failed = append(failed, fmt.Errorf("%d of %d reads after an acknowledged write did not show it; the first: %s", r.Stale, r.Checks, r.FirstStale))
	}
	if len(failed) > 0 {
		return fmt.Errorf("loadtest: %w", errors.Join(failed...))
	}
	fmt.Fprintln(stdout, "\nloadtest: no errors, every acknowledged write visible to the next read")
	return ctx.Err()
}
