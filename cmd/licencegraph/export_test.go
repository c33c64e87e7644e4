package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/exposurecsv"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The export command end to end on the real Neo4j: `export --format seed`
// then `seed` into an emptied database restores the same graph; `export
// --format csv` writes what GET /export/exposed.csv serves; `export
// --format ftm` writes JSON lines to --out; bad flags are usage errors.
func TestExportCommand(t *testing.T) {
	cfg := testutil.Config(t)
	root := testutil.RepoRoot(t)
	ctx := context.Background()
	cli := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := run(ctx, args, os.Getenv, &stdout, &stderr); err != nil {
			t.Fatalf("licencegraph %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	cli("migrate")
	testutil.ResetGraph(t, cfg)
	cli("seed", "--no-progress", filepath.Join(root, "seed"))
	want := testutil.Dump(t, cfg)

	backup := filepath.Join(t.TempDir(), "backup")
	if out := cli("export", "--format", "seed", "--out", backup); !strings.Contains(out, "restore with: licencegraph seed "+backup) {
		t.Errorf("export says %q", out)
	}
	testutil.ResetGraph(t, cfg)
	cli("seed", "--no-progress", backup)
	if got := testutil.Dump(t, cfg); !slices.Equal(got, want) {
		t.Fatalf("restored graph differs: %d lines vs %d", len(got), len(want))
	}

	csvOut := cli("export", "--format", "csv", "--as-of", "2026-12-06", "--max-depth", "3", "--since")
	a, err := app.New(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	resp, err := http.Get(srv.URL + exposurecsv.Path + "?asOf=2026-12-06&maxDepth=3&since=true")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if csvOut != string(body) || strings.Count(csvOut, "\n") < 2 {
		t.Errorf("CLI CSV differs from the endpoint's:\n%s\n---\n%s", csvOut, body)
	}

	ftm := filepath.Join(t.TempDir(), "graph.ftm.json")
	cli("export", "--format", "ftm", "--out", ftm)
	b, err := os.ReadFile(ftm)
	if err != nil || !strings.Contains(string(b), `"id":"lg-company-jl-mag","schema":"Company"`) {
		t.Errorf("FtM file (%v) lacks JL MAG:\n%.500s", err, b)
	}

	for _, args := range [][]string{
		{"export"},
		{"export", "--format", "xml"},
		{"export", "--format", "seed"},
		{"export", "--format", "csv", "--max-depth", "9"},
		{"export", "--format", "csv", "--as-of", "2026-13-01"},
		{"export", "--format", "ftm", "extra"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(ctx, args, os.Getenv, &stdout, &stderr); exitCode(err) != 2 {
			t.Errorf("%v: %v (exit %d), want a usage error; stderr %q", args, err, exitCode(err), stderr.String())
		}
	}
}
