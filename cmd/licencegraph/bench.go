package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/licencegraph/licencegraph/internal/bench"
	"github.com/licencegraph/licencegraph/internal/config"
)

// The read-API workload of issue 4: exposure questions and the nested page
// whose round trips must not grow with page sizes.
const (
	exposedQuery = `query($asOf: Date) { exposedCompanies(sector: "automotive", maxDepth: 4, asOf: $asOf, first: 20) {
  totalCount edges { node { company { id } minDepth pathCount uncoveredSuppliers { id } } } } }`
	pathsQuery = `query($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, first: 10) {
  depth hops { supplier { id } customer { id } controlled covered reason licences { id } } } }`
	nestedQuery = `{ companies(first: 50) { edges { node { sectors { id }
  suppliers(first: 10) { edges { node { supplier { licencesHeld { clients { id } } } } } } } } } }`
)

// benchCommand: licencegraph bench --url http://127.0.0.1:8080/graphql;
// `bench anchors` and `bench anchors-doc` are issue 6's benchmark (make
// bench).
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "anchors":
			return anchorsCommand(ctx, args[1:], stdout, stderr)
		case "anchors-doc":
			return anchorsDocCommand(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback)")
	concurrency := fs.String("concurrency", "1,8", "comma-separated client counts")
	requests := fs.Int("requests", 200, "measured requests per cell (at most)")
	duration := fs.Duration("duration", 30*time.Second, "time per cell (at most)")
	timeout := fs.Duration("timeout", 60*time.Second, "per-request timeout")
	asOf := fs.String("as-of", "2026-06-01", "date of the exposure questions")
	workloads := fs.String("workloads", "exposedCompanies,exposurePaths,nested", "which workloads")
	warmup := fs.Int("warmup", 100, "warm-up requests per cell (at most; not measured)")
	warmupFor := fs.Duration("warmup-for", 5*time.Second, "warm-up time per cell (at most; at least one request)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	concs, err := clientCounts(*concurrency, 64, "bench: bad concurrency")
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	oem, err := pickOEM(ctx, client, *url, *asOf)
	if err != nil {
		return fmt.Errorf("bench: choosing an exposed OEM: %w", err)
	}
	all := map[string]bench.Workload{
		"exposedCompanies": {Name: "exposedCompanies(automotive, maxDepth 4)", Query: exposedQuery, Variables: map[string]any{"asOf": *asOf}},
		"exposurePaths":    {Name: "exposurePaths(" + oem + ")", Query: pathsQuery, Variables: map[string]any{"id": oem, "asOf": *asOf}},
		"nested":           {Name: "nested page (50 × 10)", Query: nestedQuery},
	}
	fmt.Fprintln(stdout, "| workload | clients | p50 | p99 | throughput | requests |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|---|")
	for _, name := range strings.Split(*workloads, ",") {
		w, ok := all[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("bench: unknown workload %q", name)
		}
		for _, c := range concs {
			r := bench.Run(ctx, client, *url, w, bench.Cell{Concurrency: c, Requests: *requests, Duration: *duration,
				Warmup: *warmup, WarmupFor: *warmupFor, Timeout: *timeout})
			fmt.Fprintln(stdout, r.Format())
		}
	}
	return nil
}

// clientCounts parses a comma-separated list of client counts, each from 1
// to max; a bad one is an error starting with what.
func clientCounts(list string, max int, what string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > max {
			return nil, fmt.Errorf("%s %q", what, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// pickOEM returns an automaker exposed on asOf (depth 2, cheap to find),
// found through the API itself.
func pickOEM(ctx context.Context, client *http.Client, url, asOf string) (string, error) {
	q := `query($asOf: Date) { exposedCompanies(sector: "automotive-oem", maxDepth: 2, asOf: $asOf, first: 1) { edges { node { company { id } } } } }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"asOf": asOf}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			ExposedCompanies struct {
				Edges []struct {
					Node struct{ Company struct{ ID string } }
				}
			}
		}
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	if len(out.Errors) > 0 {
		return "", fmt.Errorf("%s", out.Errors[0].Message)
	}
	for _, e := range out.Data.ExposedCompanies.Edges {
		return e.Node.Company.ID, nil
	}
	return "", fmt.Errorf("no exposed automaker on %s", asOf)
}

// anchorsCommand measures one scale against the anchors (licencegraph in
// this process, the Neo4j GraphQL Library in bench/, the raw driver) on
// the database NEO4J_URI names, prints the table and writes the report as
// JSON for anchors-doc.
func anchorsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench anchors", flag.ContinueOnError)
	fs.SetOutput(stderr)
	companies := fs.Int("companies", 0, "size of the loaded world (for the report)")
	libDir := fs.String("library-dir", "bench", "directory of server.mjs and its node_modules")
	workDir := fs.String("work-dir", ".cache/bench", "where type definitions, profiles and reports go")
	concurrency := fs.String("concurrency", "1,8,32", "comma-separated client counts")
	requests := fs.Int("requests", 2000, "measured requests per cell (at most)")
	duration := fs.Duration("duration", 8*time.Second, "measured time per cell (at most)")
	warmup := fs.Int("warmup", 20, "warm-up requests per cell (at most)")
	warmupFor := fs.Duration("warmup-for", 2*time.Second, "warm-up time per cell (at most; at least one request)")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	asOf := fs.String("as-of", "2026-06-01", "date of licences and exposure questions")
	profile := fs.Int("profile-clients", 8, "CPU-profile licencegraph under W1 and W3 at this client count (0: no profile)")
	out := fs.String("json", "", "write the report here (default: WORK-DIR/report-cCOMPANIES.json)")
	only := fs.String("only", "", "comma-separated workload prefixes to run (e.g. W1,W2; default all)")
	warmFor := fs.Duration("warm-for", 5*time.Second, "send every workload to every target this long before the first cell (0: no warm-up phase)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	concs, err := clientCounts(*concurrency, 128, "bench: bad concurrency")
	if err != nil {
		return err
	}
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	serverGC() // licencegraph is served by this process, as by serve
	if err := os.MkdirAll(*workDir, 0o755); err != nil {
		return err
	}
	a := &bench.Anchors{
		Config: cfg, Companies: *companies, LibraryDir: *libDir, WorkDir: *workDir,
		Concurrencies: concs, AsOf: *asOf,
		Cell:    bench.Cell{Requests: *requests, Duration: *duration, Warmup: *warmup, WarmupFor: *warmupFor, Timeout: *timeout},
		Profile: *profile > 0, ProfileClient: *profile,
		WarmFor: *warmFor,
		Only:    strings.FieldsFunc(*only, func(r rune) bool { return r == ',' || r == ' ' }),
		Log:     stderr,
		Logger:  slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}
	rep, err := a.Run(ctx)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintln(stdout, rep.Markdown(*profile))
	path := *out
	if path == "" {
		path = filepath.Join(*workDir, fmt.Sprintf("report-c%d.json", *companies))
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	for _, c := range rep.Checks {
		if !c.OK {
			return fmt.Errorf("bench: CORRECTNESS CHECK FAILED: %s, %s, sample %s: %s", c.Workload, c.Target, c.Sample, c.Detail)
		}
	}
	return nil
}

// anchorsDocCommand rewrites the generated part of docs/performance.md
// from reports written by anchors.
func anchorsDocCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench anchors-doc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	doc := fs.String("doc", "docs/performance.md", "the Markdown file to rewrite")
	clients := fs.Int("clients", 8, "client count the targets are judged at")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	var reports []bench.ScaleReport
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var r bench.ScaleReport
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		reports = append(reports, r)
	}
	if len(reports) == 0 {
		return fmt.Errorf("bench anchors-doc: no reports given")
	}
	if err := bench.WriteDoc(*doc, "## Against the anchors (`make bench`)", bench.RenderDoc(reports, *clients)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bench: wrote %s\n", *doc)
	return nil
}
