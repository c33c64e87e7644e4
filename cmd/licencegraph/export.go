package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/export"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/exposurecsv"
	"github.com/licencegraph/licencegraph/internal/projection"
)

const exportUsage = `usage: licencegraph export --format seed --out DIR [--max-rows N]
       licencegraph export --format ftm [--out FILE]
       licencegraph export --format csv [--out FILE] [--sector ID] [--as-of YYYY-MM-DD]
                           [--max-depth N] [--min-confidence T] [--since]

Formats:
  seed  the whole graph as seed files in DIR (new or empty), which
        'licencegraph seed DIR' loads into an empty database to the same
        graph: the backup of README.md. Consistent when no write is
        committed meanwhile (checked: the export fails otherwise).
  ftm   the whole graph as FollowTheMoney entities, one JSON object a line
        (docs/ftm.md), to FILE or standard output.
  csv   the exposed companies (the exposedCompanies question; the same
        answer as GET /export/exposed.csv) as CSV, to FILE or standard
        output.
Neo4j is configured by the environment (NEO4J_URI, ...; see README.md).

Flags:
`

func exportCommand(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "seed, ftm or csv (required)")
	out := fs.String("out", "", "seed: the directory (required); ftm, csv: the file (default: standard output)")
	maxRows := fs.Int("max-rows", export.DefaultMaxRows, "seed: most records per CSV file; larger kinds are split into <kind>-001.<kind>.csv, …")
	sector := fs.String("sector", "", "csv: only companies of this sector or one below it")
	asOf := fs.String("as-of", "", "csv: the date asked (YYYY-MM-DD; default today)")
	maxDepth := fs.Int("max-depth", exposure.DefaultMaxDepth, "csv: longest path, 1 to 6")
	minConf := fs.String("min-confidence", "", "csv: count only paths of at least this confidence (0 < T <= 1)")
	since := fs.Bool("since", false, "csv: fill the since column (first day of the current exposure)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), exportUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "licencegraph export: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	var q exposurecsv.Question
	switch *format {
	case "seed":
		if *out == "" {
			fmt.Fprintln(stderr, "licencegraph export: --format seed needs --out DIR")
			return errUsage
		}
	case "ftm":
	case "csv":
		// The same parameters, defaults and checks as the HTTP export.
		v := url.Values{"sector": {*sector}, "asOf": {*asOf}, "maxDepth": {strconv.Itoa(*maxDepth)},
			"minConfidence": {*minConf}, "since": {strconv.FormatBool(*since)}}
		var err error
		if q, err = exposurecsv.ParseQuestion(v, domain.Today()); err != nil {
			fmt.Fprintf(stderr, "licencegraph export: %v\n", err)
			return errUsage
		}
	default:
		fmt.Fprintf(stderr, "licencegraph export: --format must be seed, ftm or csv, not %q\n", *format)
		fs.Usage()
		return errUsage
	}
	store, log, err := storeFromEnv(getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	start := time.Now()
	switch *format {
	case "seed":
		sum, err := export.Seed(ctx, store, *out, export.SeedOptions{MaxRows: *maxRows})
		if err != nil {
			return err
		}
		for _, k := range sum.Kinds {
			fmt.Fprintf(stdout, "export: %-9s %9d records, %d files\n", k.Kind, k.Records, len(k.Files))
		}
		if sum.UncitedSources > 0 {
			fmt.Fprintf(stdout, "export: %d sources cited by no record are not exported (they hold nothing but their reference)\n", sum.UncitedSources)
		}
		fmt.Fprintf(stdout, "export: graph version %s:%d written to %s in %s; restore with: licencegraph seed %s\n",
			sum.Version.Epoch, sum.Version.Seq, *out, time.Since(start).Round(time.Millisecond), *out)
	case "ftm":
		err := writeTo(*out, stdout, func(w io.Writer) error {
			sum, err := export.FtM(ctx, store, w)
			if err == nil {
				fmt.Fprintf(stderr, "export: %v FtM entities by schema in %s\n", sum.Entities, time.Since(start).Round(time.Millisecond))
			}
			return err
		})
		if err != nil {
			return err
		}
	case "csv":
		proj := projection.New(store, log)
		engine := exposure.New(exposure.Views(proj.Acquire))
		err := writeTo(*out, stdout, func(w io.Writer) error {
			n, err := exposurecsv.Write(ctx, engine, store, q, w, nil)
			if err == nil {
				fmt.Fprintf(stderr, "export: %d exposed companies in %s\n", n, time.Since(start).Round(time.Millisecond))
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(stderr, "export: peak RSS %d MiB\n", ru.Maxrss/1024) // Linux reports KiB
	}
	return nil
}

// writeTo runs write on the file path (created or truncated) or, when
// path is empty, on stdout.
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
