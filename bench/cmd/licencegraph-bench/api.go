package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/licencegraph/licencegraph/bench/cold"
	"github.com/licencegraph/licencegraph/bench/loadtest"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// apiCommand: licencegraph-bench api --url URL --server-pid PID
// --started-at MS: issue 14's cold/warm benchmark (make bench-api) against
// a server started at MS (Unix milliseconds) that may still be loading its
// projection. Writes go to the store NEO4J_URI names, as another process's
// would.
func apiCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback only)")
	companies := fs.Int("companies", 0, "size of the served world (for the report)")
	pid := fs.Int("server-pid", 0, "the server's process id: its RSS is read from /proc after the measurements (0: not measured)")
	startedAt := fs.Int64("started-at", 0, "when the server was started, Unix milliseconds (0: ready time not measured)")
	serverLog := fs.String("server-log", "", "the server's log (LOG_LEVEL=info), to read the projection's load time from")
	readyTimeout := fs.Duration("ready-timeout", 15*time.Minute, "how long to wait for /readyz")
	samples := fs.Int("samples", 20, "samples of each question (at most)")
	budget := fs.Duration("budget", 8*time.Minute, "time for the samples (at most; at least one round)")
	timeout := fs.Duration("timeout", 2*time.Minute, "per-request and per-write timeout")
	asOf := fs.String("as-of", "2026-06-01", "the date asked after writes")
	prefix := fs.String("licence-prefix", "BENCH-API-LIC", "ids of the licences the bench grants and revokes")
	loadSummary := fs.String("load-summary", "", "the loader's output when the world was loaded (for the report)")
	loadSeconds := fs.Float64("load-seconds", 0, "the load's wall time (for the report)")
	out := fs.String("json", "", "write the report here")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := loadtest.CheckLoopback(*endpoint); err != nil {
		return err
	}
	date, err := domain.ParseDate(*asOf)
	if err != nil {
		return fmt.Errorf("bench: --as-of: %w", err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	rep := cold.Report{Companies: *companies, Date: time.Now().UTC().Format(time.DateOnly),
		Machine: fmt.Sprintf("%d cores, %s", runtime.NumCPU(), runtime.Version())}

	ready, err := waitReady(ctx, client, *endpoint, *readyTimeout)
	if err != nil {
		return err
	}
	if *startedAt > 0 {
		rep.ReadySeconds = ready.Sub(time.UnixMilli(*startedAt)).Seconds()
	}
	fmt.Fprintf(stderr, "bench: server ready %.1f s after its start\n", rep.ReadySeconds)
	if *loadSummary != "" {
		if raw, err := os.ReadFile(*loadSummary); err == nil {
			rep.LoadSummary, _, _ = strings.Cut(string(raw), "\n")
			rep.LoadSeconds = *loadSeconds
		}
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
	res, err := cold.Run(ctx, cold.Options{
		URL: *endpoint, Client: client, Store: store, Samples: *samples, Budget: *budget, Timeout: *timeout,
		Date: date, Prefix: *prefix,
		Log: func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) },
	})
	rep.Result = res
	if err != nil {
		return err
	}
	if *serverLog != "" {
		// Read once the questions are done: the server may log the load a
		// moment after /readyz says ready.
		rep.ProjectionSeconds = projectionLoad(*serverLog)
	}
	if *pid > 0 {
		if rep.RSS, err = loadtest.ProcessRSS(*pid)(); err != nil {
			return fmt.Errorf("bench: server memory: %w", err)
		}
		rep.PeakRSS, _ = loadtest.ProcessPeakRSS(*pid)
	}
	fmt.Fprintln(stdout, rep.Markdown())
	if *out != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return err
		}
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("bench: %d questions or writes failed; the first: %s", len(rep.Errors), rep.Errors[0])
	}
	return nil
}

// waitReady polls the server's /readyz (beside the GraphQL endpoint) every
// 100 ms until it answers 200, and returns when it did.
func waitReady(ctx context.Context, client *http.Client, endpoint string, limit time.Duration) (time.Time, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return time.Time{}, err
	}
	u.Path = "/readyz"
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == http.StatusOK {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return time.Time{}, fmt.Errorf("bench: %s not ready after %s", u, limit)
}

var projectionTook = regexp.MustCompile(`msg="projection loaded".* took=(\S+)`)

// projectionLoad reads the projection's load time from the server's log
// (its "projection loaded" line; the last one); 0 when absent.
func projectionLoad(path string) float64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	secs := 0.0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if m := projectionTook.FindStringSubmatch(sc.Text()); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil {
				secs = d.Seconds()
			}
		}
	}
	return secs
}

// apiDocCommand: licencegraph-bench api-doc [--doc FILE] [--svg FILE]
// REPORT...: rewrites the generated part of docs/performance.md and the
// plot from reports written by api.
func apiDocCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("api-doc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	doc := fs.String("doc", "docs/performance.md", "the Markdown file to rewrite")
	svg := fs.String("svg", "docs/exposure-cold.svg", "the plot to write (linked from the document by its name)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	reports, err := readReports[cold.Report](fs.Args())
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		return fmt.Errorf("api-doc: no reports given")
	}
	if err := os.WriteFile(*svg, []byte(cold.Figure(reports).SVG()), 0o644); err != nil {
		return err
	}
	link := relLink(*doc, *svg)
	if err := cold.WriteDoc(*doc, "## Exposure questions cold and warm (`make bench-api`)", cold.RenderDoc(reports, link)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bench: wrote %s and %s\n", *doc, *svg)
	return nil
}

// relLink is the link from the document to the plot: its name when both
// are in one directory, else its path.
func relLink(doc, svg string) string {
	dir := doc[:strings.LastIndexByte(doc, '/')+1]
	if rest, ok := strings.CutPrefix(svg, dir); ok && dir != "" {
		return rest
	}
	return svg
}
