// Command licencegraph is the one binary of the project: the GraphQL server
// and the commands that prepare its database.
//
//	licencegraph serve            migrate, then serve GraphQL, GraphiQL and the probes
//	licencegraph migrate          apply pending database migrations
//	licencegraph seed PATH...     load seed files or directories (--dry-run)
//	licencegraph generate ...     write a synthetic world as seed files
//	licencegraph export ...       the graph as seed files (a backup) or FtM, exposure as CSV
//	licencegraph ping             exit 0 if Neo4j answers, 1 otherwise
//	licencegraph version          print the version
//
// Configuration comes from the environment (see README.md).
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
	"os/signal"
	"syscall"
	"time"

	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "licencegraph:", err)
		}
		os.Exit(exitCode(err))
	}
}

var errUsage = errors.New("usage")

const usage = `usage: licencegraph <command> [flags]

commands:
  serve               migrate, then serve GraphQL at /graphql, GraphiQL at /,
                      /healthz, /readyz and /metrics (or on METRICS_ADDR)
  migrate             apply pending database migrations
  seed [--dry-run] PATH...
                      load seed files (YAML/CSV) or directories of them;
                      seed --help lists the file kinds and their columns
  generate --companies N --seed S --out DIR
                      write a synthetic world as seed files
  export --format seed|ftm|csv [--out DIR|FILE]
                      the graph as seed files (a backup that seed restores)
                      or FollowTheMoney JSON lines; exposed companies as CSV;
                      export --help for the flags
  ping                check that Neo4j answers (exit status 0) or not (1)
  version             print the version

Configuration is read from the environment; see README.md.
`

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "licencegraph", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "generate":
		return generateCommand(ctx, args, stdout, stderr)
	case "seed": // reads the configuration itself, so --help needs none
		return seedCommand(ctx, args, getenv, stdout, stderr)
	case "export": // likewise
		return exportCommand(ctx, args, getenv, stdout, stderr)
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, args)
	case "ping":
		return ping(ctx, cfg, log, args)
	case "migrate":
		return migrateCommand(ctx, cfg, log, args)
	default:
		fmt.Fprintf(stderr, "licencegraph: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	log.Info("starting licencegraph", "version", version, "config", cfg)
	app.TuneGCForServing()
	a, err := app.New(cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Close(cctx); err != nil {
			log.Warn("closing the database driver", "err", err)
		}
	}()
	// The server starts even when the database is down: /readyz reports it
	// and requests answer UNAVAILABLE until it is back.
	// Migrations run when the database first answers, in the background,
	// so a server started before its database still comes up.
	// The projection loads after them; /readyz waits for it.
	go func() {
		migrateWhenReady(ctx, a.Store, log)
		a.LoadProjection(ctx)
	}()
	if cfg.MetricsAddr == "" || cfg.MetricsAddr == config.MetricsOff {
		return server.Run(ctx, cfg.ListenAddr, a.Handler, cfg.ShutdownTimeout, log, nil)
	}
	// /metrics on a listener of its own: both stop when either fails.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.Metrics)
		err := server.Run(ctx, cfg.MetricsAddr, mux, cfg.ShutdownTimeout, log.With("listener", "metrics"), nil)
		cancel()
		errc <- err
	}()
	err = server.Run(ctx, cfg.ListenAddr, a.Handler, cfg.ShutdownTimeout, log, nil)
	cancel()
	return errors.Join(err, <-errc)
}

func ping(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("ping", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for an answer")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	store, err := app.OpenStore(cfg, log)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	pctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := store.Ping(pctx); err != nil {
		return fmt.Errorf("neo4j at %s does not answer: %w", cfg.Neo4jURI, err)
	}
	return nil
}
