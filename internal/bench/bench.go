// Package bench drives a fixed GraphQL workload against a server over HTTP
// and reports latency percentiles and throughput. It only talks to the URL
// it is given (loopback in our scripts), and every run is bounded by a
// request count and a duration.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Workload is one GraphQL operation with its variables.
type Workload struct {
	Name      string
	Query     string
	Variables map[string]any
}

// Cell bounds one measurement.
type Cell struct {
	Concurrency int
	Requests    int           // stop after this many measured requests…
	Duration    time.Duration // …or after this long, whichever comes first
	Warmup      int           // requests sent first and not measured
	Timeout     time.Duration // per request
}

// Result is what one cell measured.
type Result struct {
	Workload    string
	Concurrency int
	OK, Failed  int
	P50, P99    time.Duration
	Throughput  float64 // successful requests per second
	FirstError  string
}

// Run measures w against url (the /graphql endpoint).
func Run(ctx context.Context, client *http.Client, url string, w Workload, c Cell) Result {
	body, _ := json.Marshal(map[string]any{"query": w.Query, "variables": w.Variables})
	one := func() (time.Duration, error) {
		rctx, cancel := context.WithTimeout(ctx, c.Timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(rctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		elapsed := time.Since(start)
		if err != nil {
			return 0, err
		}
		var out struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return 0, fmt.Errorf("status %d: not JSON", resp.StatusCode)
		}
		if len(out.Errors) > 0 {
			return 0, fmt.Errorf("%v: %s", out.Errors[0].Extensions["code"], out.Errors[0].Message)
		}
		return elapsed, nil
	}
	for range c.Warmup {
		if _, err := one(); err != nil {
			break
		}
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		res       = Result{Workload: w.Name, Concurrency: c.Concurrency}
		wg        sync.WaitGroup
		issued    int
	)
	deadline := time.Now().Add(c.Duration)
	start := time.Now()
	for range c.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if issued >= c.Requests || time.Now().After(deadline) || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				issued++
				mu.Unlock()
				d, err := one()
				mu.Lock()
				if err != nil {
					res.Failed++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
				} else {
					res.OK++
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) > 0 {
		slices.Sort(latencies)
		res.P50 = percentile(latencies, 0.50)
		res.P99 = percentile(latencies, 0.99)
		res.Throughput = float64(res.OK) / elapsed.Seconds()
	}
	return res
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted)-1)*p + 0.5)
	return sorted[min(i, len(sorted)-1)]
}

// Format prints a result as a table row.
func (r Result) Format() string {
	if r.OK == 0 {
		return fmt.Sprintf("| %s | %d | – | – | – | %d failed: %.80s |", r.Workload, r.Concurrency, r.Failed, r.FirstError)
	}
	note := ""
	if r.Failed > 0 {
		note = fmt.Sprintf("%d failed: %.60s", r.Failed, r.FirstError)
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %.1f/s | %d ok %s |", r.Workload, r.Concurrency,
		r.P50.Round(100*time.Microsecond), r.P99.Round(100*time.Microsecond), r.Throughput, r.OK, note)
}
