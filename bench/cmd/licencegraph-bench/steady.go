package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/licencegraph/licencegraph/bench/measure"
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

// steadyCommand: licencegraph-bench steady --url http://127.0.0.1:8080/graphql,
// issue 4's read-API benchmark against a running server: the same
// questions again and again (answers kept between writes), at 1 and 8
// clients. make bench-api measures the questions cold instead (api).
func steadyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("steady", flag.ContinueOnError)
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
	all := map[string]measure.Workload{
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
			r := measure.Run(ctx, client, *url, w, measure.Cell{Concurrency: c, Requests: *requests, Duration: *duration,
				Warmup: *warmup, WarmupFor: *warmupFor, Timeout: *timeout})
			fmt.Fprintln(stdout, r.Format())
		}
	}
	return nil
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
