package loadtest_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/bench/loadtest"
)

// TestLeakCheck is the test of make loadtest's leak check itself, on the
// real server (app.New's handler in this process, debug endpoints on) and
// a world of 500 companies: three runs under load on a steady server
// pass; a server made to leak on purpose (LOADTEST_LEAK_BYTES_PER_REQUEST,
// 16 KiB a request here, so that seconds suffice) fails, on the
// live heap it left behind, and the check names the deliberate leak.
// Goroutines and Neo4j connections of this process are judged too, so
// the test's own load must give its connections back as a server would.
func TestLeakCheck(t *testing.T) {
	cfg := loadConfig(t)
	cfg.DebugEndpoints = true
	u, err := url.Parse(cfg.Neo4jURI)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatalf("NEO4J_URI %s names no port", cfg.Neo4jURI)
	}
	auth := neo4j.NoAuth()
	if cfg.Neo4jUser != "" {
		auth = neo4j.BasicAuth(cfg.Neo4jUser, cfg.Neo4jPassword, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.Neo4jURI, auth)
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(context.Background())
	// This process is the server: its own question to Neo4j counts as a
	// busy connection in every reading, the same at start and end.
	conns := loadtest.Neo4jConnections{PID: os.Getpid(), Port: port, Driver: driver}

	run := func(t *testing.T, endpoint string) loadtest.Result {
		t.Helper()
		ctx := context.Background()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		defer client.CloseIdleConnections()
		debug, err := loadtest.DebugURL(endpoint)
		if err != nil {
			t.Fatal(err)
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		mix, err := loadtest.Prepare(pctx, client, endpoint, "2026-06-01")
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		r := loadtest.Run(ctx, client, mix, loadtest.Options{Endpoint: endpoint, Clients: 4, Warmup: 2 * time.Second,
			Duration: 6 * time.Second, Timeout: time.Minute, Probe: &loadtest.Probe{URL: debug, Connections: conns.Count}})
		var out strings.Builder
		r.Print(&out)
		t.Log(out.String())
		if r.Errors > 0 || r.OK == 0 {
			t.Fatalf("%d answered, %d failed; first: %s", r.OK, r.Errors, r.FirstError)
		}
		if r.Leaks.Start.Busy < 1 || r.Leaks.Start.Connections < 1 {
			t.Errorf("Neo4j connections not counted: %+v", r.Leaks.Start)
		}
		return r
	}

	_, steady := serve(t, cfg, true)
	for i := range 3 {
		r := run(t, steady.URL+"/graphql")
		if problems := r.Leaks.Check(loadtest.DefaultLeakLimits); len(problems) > 0 {
			t.Errorf("run %d of a steady server failed the check: %q", i+1, problems)
		}
		if d := r.Leaks.Deliberate(); d != "" {
			t.Errorf("a steady server reports a deliberate leak: %s", d)
		}
	}

	cfg.LoadtestLeakBytesPerRequest = 16 << 10
	_, leaky := serve(t, cfg, false)
	r := run(t, leaky.URL+"/graphql")
	problems := r.Leaks.Check(loadtest.DefaultLeakLimits)
	if len(problems) == 0 || !strings.Contains(problems[0], "live heap after the run") {
		t.Errorf("the leaking server passed, or failed on something else: %q", problems)
	}
	if d := r.Leaks.Deliberate(); !strings.Contains(d, "LOADTEST_LEAK=16384 ") {
		t.Errorf("the deliberate leak is not named: %q", d)
	}
	// What it left behind is the leak's: 16 KiB per request it served
	// in the measured time, give or take the requests in flight.
	if per := r.Leaks.Retained() / int64(r.OK); per < 15<<10 || per > 18<<10 {
		t.Errorf("%d bytes left behind per request, the leak keeps %d", per, 16<<10)
	}
}
