package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/licencegraph/licencegraph/bench/anchors"
	"github.com/licencegraph/licencegraph/bench/measure"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
)

// anchorsCommand measures one scale against the anchors (licencegraph in
// this process, the Neo4j GraphQL Library in bench/library, the raw
// driver) on the database NEO4J_URI names, prints the table and writes the
// report as JSON for anchors-doc.
func anchorsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("anchors", flag.ContinueOnError)
	fs.SetOutput(stderr)
	companies := fs.Int("companies", 0, "size of the loaded world (for the report)")
	libDir := fs.String("library-dir", "bench/library", "directory of server.mjs and its node_modules")
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
	app.TuneGCForServing() // licencegraph is served by this process, as by serve
	if err := os.MkdirAll(*workDir, 0o755); err != nil {
		return err
	}
	a := &anchors.Anchors{
		Config: cfg, Companies: *companies, LibraryDir: *libDir, WorkDir: *workDir,
		Concurrencies: concs, AsOf: *asOf,
		Cell:    measure.Cell{Requests: *requests, Duration: *duration, Warmup: *warmup, WarmupFor: *warmupFor, Timeout: *timeout},
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
	fs := flag.NewFlagSet("anchors-doc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	doc := fs.String("doc", "docs/performance.md", "the Markdown file to rewrite")
	clients := fs.Int("clients", 8, "client count the targets are judged at")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	reports, err := readReports[anchors.ScaleReport](fs.Args())
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		return fmt.Errorf("anchors-doc: no reports given")
	}
	if err := anchors.WriteDoc(*doc, "## Against the anchors (`make bench`)", anchors.RenderDoc(reports, *clients)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bench: wrote %s\n", *doc)
	return nil
}
