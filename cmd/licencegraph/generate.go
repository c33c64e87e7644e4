package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/licencegraph/licencegraph/internal/synth"
)

// generateCommand implements `licencegraph generate`: it writes a synthetic
// world of CSV seed files (sectors, materials, controls, companies, supply,
// licences) into --out, for benchmarks and load tests. The same flags give
// byte-identical files.
func generateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	companies := fs.Int("companies", 1000, fmt.Sprintf("number of companies (at least %d)", synth.MinCompanies))
	seed := fs.Int64("seed", 1, "random seed: the same flags give the same files")
	links := fs.Float64("links-per-company", synth.DefaultLinksPerCompany, "average number of supply links per company")
	asOf := fs.String("as-of", synth.DefaultAsOf.Format(time.DateOnly), "reference date (YYYY-MM-DD) that link periods and licence validity are drawn around")
	maxRows := fs.Int("max-rows", 0, "split a kind with more records into files of at most this many, <kind>-001.<kind>.csv, … (0: one file per kind); the loader writes each file in one transaction")
	out := fs.String("out", "", "output directory (required; created if missing, generated files overwritten)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: licencegraph generate --out DIR [--companies N] [--seed S] [--links-per-company L] [--as-of YYYY-MM-DD] [--max-rows N]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "licencegraph generate: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "licencegraph generate: --out is required")
		fs.Usage()
		return errUsage
	}
	date, err := time.Parse(time.DateOnly, *asOf)
	if err != nil {
		fmt.Fprintf(stderr, "licencegraph generate: --as-of %q is not a date (YYYY-MM-DD)\n", *asOf)
		return errUsage
	}
	start := time.Now()
	sum, err := synth.Generate(ctx, synth.Options{
		Companies:       *companies,
		Seed:            *seed,
		LinksPerCompany: *links,
		AsOf:            date,
		MaxRows:         *maxRows,
	}, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d companies, %d supply links, %d licences, %d sectors, %d materials, %d controls in %s, %d files (%s)\n",
		sum.Companies, sum.SupplyLinks, sum.Licences, sum.Sectors, sum.Materials, sum.Controls,
		*out, len(sum.Files), time.Since(start).Round(time.Millisecond))
	return nil
}
