// Package measure drives a fixed GraphQL workload against a server over
// HTTP and reports latency percentiles and throughput: the measuring both
// the read-API bench and the anchors comparison use, so that their figures
// are taken the same way. It only talks to the URL it is given (loopback in
// our scripts), and every run is bounded by a request count and a duration.
package measure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/licencegraph/licencegraph/bench/gqlclient"
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
	Warmup      int           // requests sent first and not measured…
	WarmupFor   time.Duration // …for at most this long (0: no limit)
	Timeout     time.Duration // per request
}

// Result is what one cell measured.
type Result struct {
	Workload    string
	Concurrency int
	OK, Failed  int
	P50, P99    time.Duration
	Throughput  float64 // successful requests per second
	Timeouts    int     // failed requests that ran out of time
	Elapsed     time.Duration
	FirstError  string
}

// Run measures w against url (the /graphql endpoint).
func Run(ctx context.Context, client *http.Client, url string, w Workload, c Cell) Result {
	body, _ := json.Marshal(map[string]any{"query": w.Query, "variables": w.Variables})
	return Measure(ctx, w.Name, c, func(ctx context.Context, _ int) error {
		return PostMeasured(ctx, client, url, body)
	})
}

// Post sends one GraphQL request and returns its decoded data
// (gqlclient.Post).
var Post = gqlclient.Post

// PostMeasured sends a measured GraphQL request: its latency ends when the
// answer's last byte has arrived (Received); checking the answer for
// errors is the client's work, not the server's. Decoding a nested page's
// 87 KB answer took the client 2.1 ms, which was counted as the server's.
func PostMeasured(ctx context.Context, client *http.Client, url string, body []byte) error {
	raw, status, err := gqlclient.Send(ctx, client, url, body)
	Received(ctx)
	if err != nil {
		return err
	}
	return gqlclient.Check(raw, status)
}

type receivedKey struct{}

// Received marks, inside a request Measure times, the moment its answer
// was received; without a mark the request is timed to its end.
func Received(ctx context.Context) {
	if t, ok := ctx.Value(receivedKey{}).(*time.Time); ok {
		*t = time.Now()
	}
}

// Measure runs one cell: c.Warmup requests first (unmeasured, stopping at
// the first failure), then c.Concurrency clients sending requests until
// c.Requests were sent or c.Duration has passed. one sends request number
// i (from 0, warm-up included) within ctx; c.Timeout bounds each. A request
// that ends by its timeout counts in Timeouts as well as Failed.
func Measure(ctx context.Context, name string, c Cell, one func(ctx context.Context, i int) error) Result {
	call := func(i int) (time.Duration, error) {
		rctx, cancel := context.WithTimeout(ctx, c.Timeout)
		defer cancel()
		var received time.Time
		rctx = context.WithValue(rctx, receivedKey{}, &received)
		start := time.Now()
		err := one(rctx, i)
		end := time.Now()
		if !received.IsZero() {
			end = received
		}
		if err != nil && rctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w after %s: %v", ErrTimeout, c.Timeout, err)
		}
		return end.Sub(start), err
	}
	n := 0
	warmStart := time.Now()
	for range c.Warmup {
		_, err := call(n)
		n++
		if err != nil || (c.WarmupFor > 0 && time.Since(warmStart) > c.WarmupFor) || ctx.Err() != nil {
			break
		}
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		res       = Result{Workload: name, Concurrency: c.Concurrency}
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
				i := n + issued
				issued++
				mu.Unlock()
				d, err := call(i)
				mu.Lock()
				if err != nil {
					res.Failed++
					if errors.Is(err, ErrTimeout) {
						res.Timeouts++
					}
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
	res.Elapsed = time.Since(start)
	if len(latencies) > 0 {
		slices.Sort(latencies)
		res.P50 = percentile(latencies, 0.50)
		res.P99 = percentile(latencies, 0.99)
		res.Throughput = float64(res.OK) / res.Elapsed.Seconds()
	}
	return res
}

// ErrTimeout marks a request that ran out of its Cell.Timeout.
var ErrTimeout = errors.New("timeout")

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

// Summary is the distribution of a few samples (the cold questions of
// make bench-api, where each sample costs a write or a fresh date).
type Summary struct {
	N             int
	P50, P90, Max time.Duration
}

// Summarize returns the nearest-rank p50 and p90 and the largest of ds
// (left unchanged); all zero when ds is empty.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return Summary{N: len(sorted), P50: NearestRank(sorted, 0.50), P90: NearestRank(sorted, 0.90), Max: sorted[len(sorted)-1]}
}

// NearestRank is the p-quantile (0 < p <= 1) of sorted by the
// nearest-rank method: the smallest sample with at least p of the samples
// at or below it. sorted must not be empty.
func NearestRank(sorted []time.Duration, p float64) time.Duration {
	k := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}
