// Package testutil holds helpers shared by integration tests: finding the
// Neo4j that `make test` started, the repository root, and starting a
// private Neo4j for tests that must stop and start one.
package testutil

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/config"
)

// Under `make test` and CI these are set, and a missing dependency fails the
// test instead of skipping it.
const (
	requireNeo4jEnv   = "LICENCEGRAPH_REQUIRE_NEO4J"
	requireBrowserEnv = "LICENCEGRAPH_REQUIRE_BROWSER"
	requireNodeEnv    = "LICENCEGRAPH_REQUIRE_NODE"
)

// Config returns the configuration for an integration test against the
// Neo4j named by NEO4J_URI. Without it the test is skipped, or fails when
// LICENCEGRAPH_REQUIRE_NEO4J=1 (as under `make test`).
func Config(t testing.TB) config.Config {
	t.Helper()
	if os.Getenv("NEO4J_URI") == "" {
		missing(t, requireNeo4jEnv, "integration test needs Neo4j: run `make test`, or set NEO4J_URI to a running Neo4j 5")
	}
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		t.Fatalf("configuration: %v", err)
	}
	return cfg
}

// RequireBrowser returns the Chromium path and the e2e script directory, or
// skips (fails under LICENCEGRAPH_REQUIRE_BROWSER=1) when either is missing.
func RequireBrowser(t testing.TB) (chromium, webDir string) {
	t.Helper()
	chromium = os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	webDir = filepath.Join(RepoRoot(t), "web")
	if _, err := os.Stat(chromium); err != nil {
		missing(t, requireBrowserEnv, fmt.Sprintf("browser test needs Chromium at %s (apt-get install chromium, or set CHROMIUM_PATH)", chromium))
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		missing(t, requireBrowserEnv, "browser test needs web/node_modules: run `npm ci --prefix web`")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, requireBrowserEnv, "browser test needs node on PATH")
	}
	return chromium, webDir
}

// RequireHTTPAudit returns the directory of the graphql-http audit's npm
// project (tools/http-audit), or skips (fails under
// LICENCEGRAPH_REQUIRE_NODE=1) when node or its packages are missing.
func RequireHTTPAudit(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "tools", "http-audit")
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, requireNodeEnv, "the GraphQL over HTTP audit needs node on PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil {
		missing(t, requireNodeEnv, "the GraphQL over HTTP audit needs tools/http-audit/node_modules: run `npm ci --prefix tools/http-audit`")
	}
	return dir
}

func missing(t testing.TB, requireEnv, msg string) {
	t.Helper()
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s (%s=1, so this is a failure)", msg, requireEnv)
	}
	t.Skip(msg)
}

// RepoRoot is the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// Logger returns a logger writing through t.Log, so output shows only for
// failing or verbose tests. Lines logged after the test has ended (the
// driver closes its sockets in the background) are dropped: t.Log then
// panics.
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(p))
	}
	return len(p), nil
}

// LocalNeo4j is a private Neo4j started with tools/neo4j-local for a test
// that needs to stop and restart its database.
type LocalNeo4j struct {
	Port    int
	DataDir string
	script  string
	env     []string
}

// URI is the Bolt URI of the instance.
func (n *LocalNeo4j) URI() string { return fmt.Sprintf("bolt://127.0.0.1:%d", n.Port) }

// StartLocalNeo4j starts a private instance on a free port with a temporary
// data directory, stopped when the test ends. env adds launcher settings
// (tools/neo4j-local/README.md), e.g. "NEO4J_TX_MEMORY_MAX=8m".
func StartLocalNeo4j(t testing.TB, env ...string) *LocalNeo4j {
	t.Helper()
	n := &LocalNeo4j{
		Port:    FreePort(t),
		DataDir: t.TempDir(),
		script:  filepath.Join(RepoRoot(t), "tools", "neo4j-local", "neo4j-local.sh"),
		env:     env,
	}
	n.Start(t)
	t.Cleanup(func() {
		if out, err := n.command("stop"); err != nil {
			t.Logf("stopping neo4j: %v\n%s", err, out)
		}
	})
	return n
}

// Start starts (or restarts) the instance and waits until Bolt answers.
func (n *LocalNeo4j) Start(t testing.TB) {
	t.Helper()
	if out, err := n.command("start"); err != nil {
		t.Fatalf("starting neo4j on port %d: %v\n%s", n.Port, err, out)
	}
}

// Stop stops the instance and waits for it to exit.
func (n *LocalNeo4j) Stop(t testing.TB) {
	t.Helper()
	if out, err := n.command("stop"); err != nil {
		t.Fatalf("stopping neo4j on port %d: %v\n%s", n.Port, err, out)
	}
}

func (n *LocalNeo4j) command(verb string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", n.script, verb)
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("NEO4J_BOLT_PORT=%d", n.Port),
		"NEO4J_DATA_DIR="+n.DataDir,
		// A test instance needs little memory.
		"NEO4J_HEAP=512m", "NEO4J_PAGECACHE=128m",
	)
	cmd.Env = append(cmd.Env, n.env...)
	return cmd.CombinedOutput()
}

// BuildLicencegraph builds cmd/licencegraph for tests that run it as
// another process, and returns the binary's path.
func BuildLicencegraph(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "licencegraph")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/licencegraph")
	cmd.Dir = RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// FreePort asks the kernel for a free TCP port on the loopback interface.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ResetGraph deletes every node except the countries and the migration
// records, which migrations create once.
func ResetGraph(t testing.TB, cfg config.Config) {
	t.Helper()
	run(t, cfg, "MATCH (n) WHERE NOT n:Country AND NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS", nil)
}

// Dump is the whole graph as sorted text lines: nodes with labels and
// properties, relationships with their ends' keys and properties. Two
// graphs are equal when their dumps are. The audit trail (:Change nodes,
// with their random ids and timestamps) and the graph's version counter
// are not graph content and are left out; tests of the trail query it
// directly.
func Dump(t testing.TB, cfg config.Config) []string {
	t.Helper()
	var lines []string
	nodes := run(t, cfg, "MATCH (n) WHERE NOT n:Change AND NOT n:GraphVersion RETURN labels(n) AS labels, properties(n) AS props", nil)
	for _, r := range nodes {
		lines = append(lines, fmt.Sprintf("node %v %s", r.Values[0], canonical(r.Values[1])))
	}
	rels := run(t, cfg, `MATCH (a)-[r]->(b)
		RETURN type(r) AS type, coalesce(a.id, a.code, a.ref, a.url, toString(a.version)) AS from,
		       coalesce(b.id, b.code, b.ref, b.url, toString(b.version)) AS to, properties(r) AS props`, nil)
	for _, r := range rels {
		lines = append(lines, fmt.Sprintf("rel %v %v->%v %s", r.Values[0], r.Values[1], r.Values[2], canonical(r.Values[3])))
	}
	slices.Sort(lines)
	return lines
}

// canonical prints a property map with sorted keys.
func canonical(v any) string {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %v", k, m[k])
	}
	b.WriteString("}")
	return b.String()
}

// Run executes a fixture statement against the test database and returns
// its records' values.
func Run(t testing.TB, cfg config.Config, cypher string, params map[string]any) [][]any {
	t.Helper()
	recs := run(t, cfg, cypher, params)
	out := make([][]any, len(recs))
	for i, r := range recs {
		out[i] = r.Values
	}
	return out
}

func run(t testing.TB, cfg config.Config, cypher string, params map[string]any) []*neo4j.Record {
	t.Helper()
	auth := neo4j.NoAuth()
	if cfg.Neo4jUser != "" {
		auth = neo4j.BasicAuth(cfg.Neo4jUser, cfg.Neo4jPassword, "")
	}
	d, err := neo4j.NewDriverWithContext(cfg.Neo4jURI, auth)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer d.Close(ctx)
	session := d.NewSession(ctx, neo4j.SessionConfig{DatabaseName: cfg.Neo4jDatabase})
	defer session.Close(ctx)
	// An implicit transaction, which CALL … IN TRANSACTIONS requires.
	res, err := session.Run(ctx, cypher, params)
	if err != nil {
		t.Fatalf("fixture %q: %v", cypher, err)
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		t.Fatalf("fixture %q: %v", cypher, err)
	}
	return recs
}
