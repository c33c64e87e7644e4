// Command licencegraph-bench measures licencegraph from outside the
// product, the way a client would: over HTTP against a running server, or
// by serving it in this process through internal/app when the statements it
// sends must be recorded. It holds no product code; the numbers it prints
// are the ones in docs/performance.md.
//
//	licencegraph-bench api --url URL          exposure questions cold and warm, server
//	                                          memory and start (make bench-api)
//	licencegraph-bench api-doc REPORT...      rewrite its part of docs/performance.md
//	                                          and the plot docs/exposure-cold.svg
//	licencegraph-bench steady --url URL       read-API latency of repeated questions,
//	                                          p50/p99 at 1 and 8 clients
//	licencegraph-bench anchors --companies N  against the Neo4j GraphQL Library and
//	                                          the raw driver, on NEO4J_URI (make bench)
//	licencegraph-bench anchors-doc REPORT...  rewrite docs/performance.md's generated part
//	licencegraph-bench loadtest --url URL     mixed read load, or readers with a
//	                                          writer (--mix writes): errors, p50/p99,
//	                                          stale reads, leaks, server memory (make loadtest)
//
// Every command is bounded (request counts, durations, per-request
// timeouts) and only talks to loopback in the scripts that run it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "licencegraph-bench:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsage is returned for bad command lines; the flag package (or run)
// has already said what is wrong.
var errUsage = errors.New("usage")

const usage = `usage: licencegraph-bench <command> [flags]

commands:
  api --url URL [--server-pid PID --started-at MS] [--json FILE]
                      exposure questions cold (first for a date, first after a
                      licence or supply-link write made through NEO4J_URI's
                      store) and warm at 1 client; server RSS and ready time
  api-doc [--doc FILE] [--svg FILE] REPORT...
                      rewrite make bench-api's part of docs/performance.md and
                      its plot
  steady --url URL    repeated read-API questions at 1 and 8 clients, p50/p99
  anchors --companies N [--library-dir DIR] [--json FILE]
                      licencegraph (served in this process) against the Neo4j
                      GraphQL Library and the raw driver on NEO4J_URI
  anchors-doc [--doc FILE] REPORT...
                      rewrite the generated part of docs/performance.md
  loadtest --url URL [--server-pid PID] [--mix reads|writes]
                      hold a mixed read load (8 and 32 clients, 60 s), or 8
                      readers on random dates and a licence writer (writes,
                      through NEO4J_URI's store), report throughput, p50/p99,
                      stale reads and the server's memory; judge leaks from
                      its /debug/runtime (DEBUG_ENDPOINTS=true)

Each command's flags: licencegraph-bench <command> -h. The Makefile targets
bench-api, bench and loadtest run these (scripts/bench*.sh, loadtest.sh).
`

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "api":
		return apiCommand(ctx, args, stdout, stderr)
	case "api-doc":
		return apiDocCommand(args, stdout, stderr)
	case "steady":
		return steadyCommand(ctx, args, stdout, stderr)
	case "anchors":
		return anchorsCommand(ctx, args, stdout, stderr)
	case "anchors-doc":
		return anchorsDocCommand(args, stdout, stderr)
	case "loadtest":
		return loadtestCommand(ctx, args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "licencegraph-bench: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
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

// readReports reads the JSON reports of a bench command (for its -doc
// command), naming the file of one that does not decode.
func readReports[T any](paths []string) ([]T, error) {
	var out []T
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var r T
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, r)
	}
	return out, nil
}
