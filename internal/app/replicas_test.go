package app

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// replica is one `licencegraph serve` process: the real binary, as a
// deployment runs it behind a load balancer.
type replica struct {
	t       *testing.T
	name    string
	bin     string
	env     []string
	url     string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

func newReplica(t *testing.T, name, bin string, env ...string) *replica {
	port := testutil.FreePort(t)
	r := &replica{t: t, name: name, bin: bin, url: fmt.Sprintf("http://127.0.0.1:%d", port),
		logPath: filepath.Join(t.TempDir(), name+".log"),
		env:     append(slices.Clone(env), fmt.Sprintf("LISTEN_ADDR=127.0.0.1:%d", port))}
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			out, _ := os.ReadFile(r.logPath)
			t.Logf("replica %s log:\n%s", r.name, out)
		}
	})
	return r
}

// start runs the process and waits until /readyz says it is ready (its
// projection loaded).
func (r *replica) start() {
	r.t.Helper()
	logFile, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		r.t.Fatal(err)
	}
	r.cmd = exec.Command(r.bin, "serve")
	r.cmd.Env = append(os.Environ(), r.env...)
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start %s: %v", r.name, err)
	}
	r.exited = make(chan struct{})
	go func() {
		r.cmd.Wait()
		logFile.Close()
		close(r.exited)
	}()
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(r.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-r.exited:
			r.t.Fatalf("replica %s exited before it was ready", r.name)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("replica %s not ready within 90s", r.name)
		}
	}
}

// stop ends the process as an orchestrator does (SIGTERM, a graceful
// shutdown) and waits for it.
func (r *replica) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
	}
}

const replicaExposure = `{ exposedCompanies(first: 100) { totalCount edges { node { company { id } minDepth } } } }`

// exposedIDs asks c's replica which companies are exposed.
func exposedIDs(t *testing.T, c *faultClient) map[string]int {
	t.Helper()
	o := c.do(context.Background(), replicaExposure, nil)
	if o.code != "" {
		t.Fatalf("exposedCompanies at %s: %s", c.url, o.code)
	}
	var d struct {
		ExposedCompanies struct {
			Edges []struct {
				Node struct {
					Company  struct{ ID string }
					MinDepth int
				}
			}
		}
	}
	if err := json.Unmarshal(o.data, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range d.ExposedCompanies.Edges {
		out[e.Node.Company.ID] = e.Node.MinDepth
	}
	return out
}

// steady asks c's replica the exposure question every 20 ms until stop is
// closed, and returns the failures.
func steady(c *faultClient, stop <-chan struct{}) <-chan []string {
	out := make(chan []string, 1)
	go func() {
		var failures []string
		n := 0
		for {
			select {
			case <-stop:
				if n == 0 {
					failures = append(failures, "no request was made")
				}
				out <- failures
				return
			case <-time.After(20 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if o := c.do(ctx, replicaExposure, nil); o.code != "" {
				failures = append(failures, fmt.Sprintf("%s: %s", time.Now().Format("15:04:05.000"), o.code))
			}
			cancel()
			n++
		}
	}()
	return out
}

// Two API processes over one Neo4j (docs/scaling.md): a write through one
// is in the other's very next exposure answer and is announced on the
// other's subscriptions; each keeps answering, without a failure, while
// the other restarts. Replica A serves /metrics on a listener of its own
// (METRICS_ADDR).
func TestTwoReplicasOverOneNeo4j(t *testing.T) {
	cfg := testutil.Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	store, err := OpenStore(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(context.Background())
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, cfg)
	if _, err := seed.New(store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{filepath.Join("testdata", "readapi")}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	keys := filepath.Join(t.TempDir(), "api-keys")
	if err := os.WriteFile(keys, []byte(auth.HashAPIKey("editor-api-key")+" editor editor-svc\n"+auth.HashAPIKey("reader-api-key")+" reader reader-svc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := testutil.BuildLicencegraph(t)
	env := []string{"NEO4J_URI=" + cfg.Neo4jURI, "AUTH_API_KEYS_FILE=" + keys, "ALLOW_ANONYMOUS_READ=true",
		"EVENTS_POLL_INTERVAL=100ms", "LOG_FORMAT=json", "SHUTDOWN_TIMEOUT=5s"}
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	a := newReplica(t, "a", bin, append(env, "METRICS_ADDR="+metricsAddr)...)
	b := newReplica(t, "b", bin, env...)
	a.start()
	b.start()
	http1 := &http.Client{Timeout: 30 * time.Second}
	editorA := &faultClient{url: a.url, token: "editor-api-key", http: http1}
	readerA := &faultClient{url: a.url, http: http1}
	readerB := &faultClient{url: b.url, http: http1}

	events := dialEvents(t, ctx, b.url, "Bearer reader-api-key")
	events.subscribe("s", "")
	if got := exposedIDs(t, readerB); len(got) != 0 {
		t.Fatalf("exposed in the fixture world before the writes: %v", got)
	}
	time.Sleep(300 * time.Millisecond) // the subscription has taken its starting point

	// A write through A is in B's next answer.
	{
		// Dy is under export control X1 and no licence of cn-mag covers
		// the new customer: it is exposed at depth 1.
		for _, w := range []struct {
			query string
			vars  map[string]any
		}{
			{`mutation { upsertCompany(input: {id: "it-replica", name: "Replica SpA", country: "IT"}) { id } }`, nil},
			{upsertLinkMutation, map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "it-replica", "materials": []string{"Dy"}}}},
		} {
			if o := editorA.do(ctx, w.query, w.vars); o.code != "" {
				t.Fatalf("write through A: %s", o.code)
			}
		}
		if got := exposedIDs(t, readerB); len(got) != 1 || got["it-replica"] != 1 {
			t.Fatalf("B's next answer: %v, want it-replica at depth 1", got)
		}
	}

	// Exposure alerts: it-replica watched on B and on A.
	alertsB := dialEvents(t, ctx, b.url, "Bearer reader-api-key")
	alertsB.watch("w", map[string]any{"ids": []string{"it-replica"}})
	alertsA := dialEvents(t, ctx, a.url, "Bearer reader-api-key")
	alertsA.watch("w", map[string]any{"ids": []string{"it-replica"}})
	time.Sleep(500 * time.Millisecond) // both watches have judged their starting point

	// A licence write through A is in B's next answer and announced on
	// B's subscriptions.
	var cursorB string
	{
		if o := editorA.do(ctx, `mutation { grantLicence(input: {id: "L-replica", holder: "cn-mag", clients: ["it-replica"], materials: ["Dy"]}) { id } }`, nil); o.code != "" {
			t.Fatalf("grantLicence through A: %s", o.code)
		}
		if got := exposedIDs(t, readerB); len(got) != 0 {
			t.Errorf("B's next answer after the licence: %v, want none exposed", got)
		}
		ev := events.event("s", 5*time.Second)
		if ev.Operation != "grantLicence" || strings.Join(ev.LicenceIDs, ",") != "L-replica" || ev.Actor != "editor-svc" {
			t.Fatalf("B announced %+v", ev)
		}
		alert := alertsB.alert("w", 5*time.Second)
		if got, want := alert.summary(), "it-replica no longer exposed by editor-svc/grantLicence/L-replica [cn-mag->it-replica:covered:L-replica]"; got != want {
			t.Fatalf("B alerted %q, want %q", got, want)
		}
		alertsA.alert("w", 5*time.Second)
		alertsA.conn.Close(websocket.StatusNormalClosure, "")
		cursorB = alert.Cursor
	}
	// Revoked again, so that the restarted replicas have something to
	// load: it-replica exposed.
	if o := editorA.do(ctx, `mutation { revokeLicence(id: "L-replica", on: "2025-01-01", reason: "replica test") { id } }`, nil); o.code != "" {
		t.Fatalf("revokeLicence through A: %s", o.code)
	}
	want := exposedIDs(t, readerB)
	if len(want) != 1 {
		t.Fatalf("after the revocation, B answers %v", want)
	}
	if got := alertsB.alert("w", 5*time.Second); !got.Exposed || got.Change == nil || got.Change.Operation != "revokeLicence" {
		t.Fatalf("B alerted %q, want the revocation", got.summary())
	}
	// The cursor of B's alert resumes on A, which watched the same
	// company (its watch is kept after its client left): A's alerts after
	// it, the grant not repeated (docs/scaling.md).
	{
		resumed := dialEvents(t, ctx, a.url, "Bearer reader-api-key")
		resumed.watch("r", map[string]any{"ids": []string{"it-replica"}, "after": cursorB})
		if got := resumed.alert("r", 5*time.Second); !got.Exposed || got.Change == nil || got.Change.Operation != "revokeLicence" {
			t.Fatalf("resumed on A with %q, want the revocation", got.summary())
		}
		resumed.quiet(500 * time.Millisecond)
	}

	restart := func(t *testing.T, down, up *replica, upClient, downClient *faultClient) {
		stop := make(chan struct{})
		failures := steady(upClient, stop)
		time.Sleep(200 * time.Millisecond)
		down.stop()
		time.Sleep(300 * time.Millisecond) // answered by one replica alone
		down.start()
		time.Sleep(200 * time.Millisecond)
		close(stop)
		if f := <-failures; len(f) > 0 {
			t.Errorf("replica %s failed %d requests while %s restarted: %v", up.name, len(f), down.name, f)
		}
		if got := exposedIDs(t, downClient); !maps.Equal(got, want) {
			t.Errorf("replica %s after its restart: %v, want %v", down.name, got, want)
		}
	}
	t.Run("B answers while A restarts", func(t *testing.T) { restart(t, a, b, readerB, readerA) })
	t.Run("A answers while B restarts", func(t *testing.T) { restart(t, b, a, readerA, readerB) })

	t.Run("A serves /metrics on METRICS_ADDR only", func(t *testing.T) {
		families := scrape(t, "http://"+metricsAddr)
		// A answered the steady questions while B restarted.
		if n := value(families, "licencegraph_graphql_requests_total", map[string]string{"operation_type": "query"}); n < 10 {
			t.Errorf("A's metrics count %g queries since its restart, want the steady load's", n)
		}
		if status, _ := get(t, a.url+"/metrics"); status != http.StatusNotFound {
			t.Errorf("GET /metrics on A's API listener = %d, want 404", status)
		}
	})
	var wg sync.WaitGroup
	for _, r := range []*replica{a, b} {
		wg.Go(r.stop)
	}
	wg.Wait()
}
