package loadtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/bench/loadtest"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// loadConfig is the configuration of the load tests' server: anonymous
// reads, and room for the first exposure question on a busy machine.
func loadConfig(t *testing.T) config.Config {
	cfg := testutil.Config(t)
	cfg.AllowAnonymousRead = true
	cfg.RequestTimeout = time.Minute
	return cfg
}

// serve starts app.New's handler for cfg in this process, as an embedding
// client builds it, and with world set loads a generated world of 500
// companies into a reset graph first.
func serve(t *testing.T, cfg config.Config, world bool) (*app.App, *httptest.Server) {
	t.Helper()
	a, err := app.New(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close(context.Background())
	})
	if !world {
		return a, srv
	}
	ctx := context.Background()
	if _, err := a.Store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, cfg)
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Companies: 500, Seed: 1}, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.New(a.Store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{dir}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return a, srv
}

// TestLoadShort is the suite's version of the load test (make loadtest: 8
// and 32 clients for 60 s on 100,000 companies): the same mixed read
// workload at 8 clients for 10 s on a generated world of 500 companies,
// with zero errors and every workload answered. Memory (the Go heap of
// this process, server and load together) is reported, not judged: 10 s
// windows on a shared machine are too short to say it is flat. The server
// is app.New's handler in this process, as an embedding client builds it.
func TestLoadShort(t *testing.T) {
	cfg := loadConfig(t)
	_, srv := serve(t, cfg, true)
	ctx := context.Background()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	endpoint := srv.URL + "/graphql"
	pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	mix, err := loadtest.Prepare(pctx, client, endpoint, "2026-06-01")
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	r := loadtest.Run(ctx, client, mix, loadtest.Options{Endpoint: endpoint, Clients: 8, Warmup: 2 * time.Second,
		Duration: 10 * time.Second, Timeout: time.Minute, Memory: loadtest.GoHeap})
	var out strings.Builder
	r.Print(&out)
	t.Logf("samples per workload %v\n%s", mix.Samples(), out.String())
	if r.Errors > 0 {
		t.Errorf("%d requests failed; first: %s", r.Errors, r.FirstError)
	}
	for _, w := range r.Workloads {
		if w.OK == 0 {
			t.Errorf("%s: no request answered", w.Name)
		}
	}
	if r.PeakMemory == 0 {
		t.Errorf("no memory sample")
	}
}

// TestWritesShort is the writer variant of make loadtest on the same kind
// of world: 2 readers on random dates for 2 s of warm-up and 6 s measured
// while a store of its own (another process, as far as the server knows)
// grants and revokes licences through both; no error, every acknowledged
// write is visible to the next read, and only the measured time's writes
// are counted as done.
func TestWritesShort(t *testing.T) {
	cfg := loadConfig(t)
	_, srv := serve(t, cfg, true)
	ctx := context.Background()
	store, err := app.OpenStore(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	endpoint := srv.URL + "/graphql"
	date, _ := domain.ParseDate("2026-06-01")
	mix, err := loadtest.PrepareWrites(ctx, client, endpoint, date)
	if err != nil {
		t.Fatal(err)
	}
	r := loadtest.RunWrites(ctx, client, store, mix, loadtest.WritesOptions{Endpoint: endpoint, Readers: 2,
		Warmup: 2 * time.Second, Duration: 6 * time.Second, WriteEvery: 500 * time.Millisecond, Timeout: time.Minute, Memory: loadtest.GoHeap})
	var out strings.Builder
	r.Print(&out)
	t.Log(out.String())
	if r.Errors+r.WriteErrors+r.CheckErrors > 0 {
		t.Errorf("errors: %s", r.FirstError)
	}
	if r.Stale > 0 {
		t.Errorf("%d stale answers of %d; the first: %s", r.Stale, r.Checks, r.FirstStale)
	}
	if r.Writes < 2 || r.Checks != r.Writes || r.OK == 0 {
		t.Errorf("%d writes, %d checks, %d reads", r.Writes, r.Checks, r.OK)
	}
	if r.WarmupWrites < 1 || r.Writes > 13 {
		t.Errorf("%d writes in the warm-up and %d measured: want at least 1, and at most 13 in the 6 s measured (one each 0.5 s)", r.WarmupWrites, r.Writes)
	}
}
