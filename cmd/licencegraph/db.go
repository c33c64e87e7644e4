package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/seed"
)

func migrateCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	store, err := app.OpenStore(cfg, log)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	res, err := store.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("migrations done", "applied", len(res.Applied), "version", res.Current)
	return nil
}

// migrateWhenReady retries until the database answers and the migrations
// are applied, or ctx ends.
func migrateWhenReady(ctx context.Context, store *neo4jstore.Store, log *slog.Logger) {
	delay := time.Second
	for {
		res, err := store.Migrate(ctx)
		if err == nil {
			log.Info("database schema up to date", "applied", len(res.Applied), "version", res.Current)
			return
		}
		log.Warn("migrations not applied yet; retrying", "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// seedMemoryLimit is the loader's default soft memory limit.
const seedMemoryLimit = 320 << 20

// seedUsage is the first part of `seed --help`; the file format follows,
// printed from internal/seed's table of kinds and columns.
const seedUsage = `usage: licencegraph seed [--dry-run] [--no-progress] PATH...

Loads seed files, or directories of them (searched recursively; hidden
entries and other extensions skipped), into Neo4j, after applying pending
migrations (not with --dry-run). Every file is attempted; the exit status
is 1 if any failed, and each error names file, line and field. Neo4j is
configured by the environment (NEO4J_URI, ...; see README.md).

Flags:
`

func seedCommand(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "validate everything, references against the graph included; write nothing")
	noProgress := fs.Bool("no-progress", false, "never show progress bars")
	help := func(w io.Writer) {
		fmt.Fprint(w, seedUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fmt.Fprintln(w)
		seed.PrintFormat(w)
	}
	fs.Usage = func() {} // the flag error is printed; a short hint follows
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help(stdout)
			return nil
		}
		fmt.Fprintln(stderr, "usage: licencegraph seed [--dry-run] [--no-progress] PATH... (seed --help: flags and file format)")
		return errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: licencegraph seed [--dry-run] [--no-progress] PATH... (seed --help: flags and file format)")
		return errUsage
	}
	store, log, err := storeFromEnv(getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	if !*dryRun {
		if _, err := store.Migrate(ctx); err != nil {
			return err
		}
	}
	// A large file is held whole until its one transaction commits; a soft
	// memory limit makes the collector work harder instead of letting the
	// heap double. GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(seedMemoryLimit)
	}
	var progress io.Writer
	if f, ok := stderr.(*os.File); ok && !*noProgress && term.IsTerminal(int(f.Fd())) {
		progress = stderr
	}
	loader := seed.New(store, seed.Options{DryRun: *dryRun, Progress: progress, Logger: log})
	sum, err := loader.Load(ctx, fs.Args())
	sum.Print(stdout)
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(stdout, "seed: peak RSS %d MiB\n", ru.Maxrss/1024) // Linux reports KiB
	}
	return err
}

// storeFromEnv opens the store the environment configures, with the
// logger it asks for: what the commands that work on the database alone
// (seed, export) start with.
func storeFromEnv(getenv func(string) string, stderr io.Writer) (*neo4jstore.Store, *slog.Logger, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, nil, fmt.Errorf("configuration: %w", err)
	}
	log := newLogger(cfg, stderr)
	store, err := app.OpenStore(cfg, log)
	return store, log, err
}
