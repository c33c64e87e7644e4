package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The exposure explorer in headless Chromium on the curated data, checked
// against the API (web/e2e/explorer.mjs): nothing loaded from outside
// localhost; automotive today lists the companies exposedCompanies
// lists; selecting one draws the nodes and hops of exposurePaths; the CSV
// has the API's rows; the URL reproduces the view; the date slider
// changes the answer where exposureChanges says it should (and the "what
// changes" view lists the same); Tab reaches every control; a slow
// question shows a spinner whose Cancel stops it; API errors are said in
// plain words.
func TestExplorerInHeadlessChromium(t *testing.T) {
	chromium, webDir := testutil.RequireBrowser(t)
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	shots := t.TempDir()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(webDir, "e2e", "explorer.mjs"))
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "BASE_URL="+srv.URL, "CHROMIUM_PATH="+chromium, "E2E_SCREENSHOT_DIR="+shots)
	out, err := cmd.CombinedOutput()
	t.Logf("e2e output:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	if !regexp.MustCompile(`(?m)^e2e: [1-9][0-9]* passed, 0 failed$`).Match(out) {
		t.Fatalf("browser test did not report a pass")
	}
	for _, name := range []string{"explorer-desktop.png", "explorer-network.png", "explorer-phone.png"} {
		if fi, err := os.Stat(filepath.Join(shots, name)); err != nil || fi.Size() == 0 {
			t.Errorf("no screenshot %s: %v", name, err)
		}
	}
}

// Where anonymous reads are off, the explorer says a token is needed,
// takes one, keeps it in session storage only and answers with it.
func TestExplorerWithToken(t *testing.T) {
	chromium, webDir := testutil.RequireBrowser(t)
	w := newAuthWorld(t, false)
	testutil.ResetGraph(t, w.cfg) // the curated data instead of the fixtures
	if _, err := seed.New(w.app.Store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), []string{filepath.Join(testutil.RepoRoot(t), "seed")}); err != nil {
		t.Fatalf("seed: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(webDir, "e2e", "explorer.mjs"))
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "BASE_URL="+w.url, "CHROMIUM_PATH="+chromium, "E2E_TOKEN=reader-api-key")
	out, err := cmd.CombinedOutput()
	t.Logf("e2e output:\n%s", out)
	if err != nil || !regexp.MustCompile(`(?m)^e2e: [1-9][0-9]* passed, 0 failed$`).Match(out) {
		t.Fatalf("browser test failed: %v", err)
	}
}

// Every query of the explorer (web/src/explorer/queries.js), with the
// largest page sizes and depth the page sends, passes the server's
// default limits (graph/limits.go: depth, complexity, aliases).
func TestExplorerQueriesWithinLimits(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.MaxQueryComplexity, cfg.MaxQueryDepth, cfg.MaxQueryAliases = 250000, 15, 30 // the defaults (internal/config)
	_, srv := newTestApp(t, cfg)

	src, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "web", "src", "explorer", "queries.js"))
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]int{}
	for _, m := range regexp.MustCompile(`export const (\w+) = (\d+);`).FindAllStringSubmatch(string(src), -1) {
		consts[m[1]], _ = strconv.Atoi(m[2])
	}
	queries := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)export const (\\w+) = `(.*?)`;").FindAllStringSubmatch(string(src), -1) {
		queries[m[1]] = m[2]
	}
	values := map[string]any{
		"from": "2020-01-01", "to": "2030-12-31", "asOf": "2026-06-01", "sector": "automotive", "maxDepth": 6,
		"minConfidence": 0.1, "id": "gm", "after": nil,
		"first": max(consts["PAGE_SIZE"], consts["CSV_PAGE_SIZE"], consts["MAX_PATHS"]),
	}
	if len(queries) < 5 || consts["PAGE_SIZE"] == 0 || consts["MAX_PATHS"] == 0 {
		t.Fatalf("read %d queries and constants %v from queries.js", len(queries), consts)
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			vars := map[string]any{}
			for _, m := range regexp.MustCompile(`\$(\w+):`).FindAllStringSubmatch(q, -1) {
				v, ok := values[m[1]]
				if !ok {
					t.Fatalf("no test value for $%s", m[1])
				}
				vars[m[1]] = v
			}
			if name == "EXPOSED" && vars["first"].(int) > 100 {
				vars["first"] = 100 // a connection page is at most 100
			}
			body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
			resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var out gqlResponse
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("%s", raw)
			}
			for _, e := range out.Errors {
				if code, _ := e.Extensions["code"].(string); code == "QUERY_TOO_COMPLEX" || code == "GRAPHQL_VALIDATION_FAILED" || code == "GRAPHQL_PARSE_FAILED" || strings.Contains(e.Message, "limit") {
					t.Errorf("%s refused: %s", name, raw)
				}
			}
		})
	}
}
