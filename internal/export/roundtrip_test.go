package export_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/export"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// setup opens the store of the test Neo4j with migrations applied.
func setup(t *testing.T) (config.Config, *neo4jstore.Store) {
	t.Helper()
	cfg := testutil.Config(t)
	store, err := app.OpenStore(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	if _, err := store.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return cfg, store
}

// load resets the graph and loads paths with the seed loader.
func load(t *testing.T, cfg config.Config, store *neo4jstore.Store, paths ...string) {
	t.Helper()
	testutil.ResetGraph(t, cfg)
	sum, err := seed.New(store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), paths)
	if err != nil {
		var b bytes.Buffer
		sum.Print(&b)
		t.Fatalf("seed %v: %v\n%s", paths, err, b.String())
	}
}

// generated writes a synthetic world of n companies.
func generated(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: n, Seed: 7}, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The backup round trip: a graph exported as seed files and loaded into
// an empty database is the same graph — every node, relationship and
// property (testutil.Dump; the audit trail aside) — for the curated data,
// a generated world (split into several files per kind) and a fixture of
// values that CSV cannot carry (';' in list items, "\r\n", quotes, odd
// ids, a revocation reason). Exporting the restored graph again gives the
// same files, byte for byte.
func TestSeedExportRoundTrip(t *testing.T) {
	cfg, store := setup(t)
	root := testutil.RepoRoot(t)
	cases := []struct {
		name    string
		paths   []string
		maxRows int
		split   []domain.Kind // kinds that must come in several files
	}{
		{name: "curated seed", paths: []string{filepath.Join(root, "seed")}},
		{name: "generated world", paths: []string{generated(t, 3000)}, maxRows: 1000,
			split: []domain.Kind{domain.KindCompany, domain.KindSupply}},
		{name: "edge values", paths: []string{filepath.Join("testdata", "edges")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			load(t, cfg, store, tc.paths...)
			want := testutil.Dump(t, cfg)
			if len(want) < 20 {
				t.Fatalf("the graph has %d lines: nothing to compare", len(want))
			}
			dir := filepath.Join(t.TempDir(), "backup")
			sum, err := export.Seed(ctx, store, dir, export.SeedOptions{MaxRows: tc.maxRows})
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			for _, k := range sum.Kinds {
				if slices.Contains(tc.split, k.Kind) && len(k.Files) < 2 {
					t.Errorf("%s: %d records in %d file(s), want several of at most %d", k.Kind, k.Records, len(k.Files), tc.maxRows)
				}
			}
			if sum.UncitedSources != 0 {
				t.Errorf("%d uncited sources in a freshly loaded graph", sum.UncitedSources)
			}

			load(t, cfg, store, dir)
			got := testutil.Dump(t, cfg)
			if !slices.Equal(got, want) {
				t.Fatalf("the restored graph differs:\n%s", diff(want, got))
			}

			again := filepath.Join(t.TempDir(), "again")
			if _, err := export.Seed(ctx, store, again, export.SeedOptions{MaxRows: tc.maxRows}); err != nil {
				t.Fatalf("second export: %v", err)
			}
			if a, b := readDir(t, dir), readDir(t, again); !equalFiles(a, b) {
				t.Errorf("exporting the restored graph gives other files: %v vs %v", keys(a), keys(b))
			}
		})
	}
}

// The edge fixture really exercises the YAML side files: the records CSV
// cannot carry go there, the others to CSV.
func TestSeedExportUsesYAMLOnlyWhereCSVCannotCarry(t *testing.T) {
	cfg, store := setup(t)
	load(t, cfg, store, filepath.Join("testdata", "edges"))
	dir := filepath.Join(t.TempDir(), "backup")
	if _, err := export.Seed(context.Background(), store, dir, export.SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)
	for name, want := range map[string]string{
		"controls-exact.controls.yaml":   `"https://example.org/a;b?x=1"`,
		"companies-exact.companies.yaml": `"A; B"`,
		"supply-exact.supply.yaml":       `"https://example.org/a;b?x=1"`,
		"licences-exact.licences.yaml":   `"breach; of \"terms\""`,
		"companies.csv":                  "us-oem,",
	} {
		if !strings.Contains(files[name], want) {
			t.Errorf("%s does not hold %s:\n%s", name, want, files[name])
		}
	}
}

// An export into a directory that holds files is refused: a restore
// would load them too.
func TestSeedExportRefusesANonEmptyDirectory(t *testing.T) {
	_, store := setup(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.companies.csv"), []byte("id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := export.Seed(context.Background(), store, dir, export.SeedOptions{})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("export into a non-empty directory: %v, want a refusal", err)
	}
}

// writingSource commits a write through the store while the export reads
// its companies.
type writingSource struct {
	*neo4jstore.Store
	t    *testing.T
	done bool
}

func (w *writingSource) ExportPage(ctx context.Context, kind domain.Kind, after string, limit int) ([]any, string, error) {
	if kind == domain.KindCompany && !w.done {
		w.done = true
		c := domain.Company{ID: "late-arrival", Name: "Late", Country: "FR"}
		if _, err := w.Store.WriteSeed(ctx, domain.KindCompany, []any{c}, nil); err != nil {
			w.t.Fatalf("write during the export: %v", err)
		}
	}
	return w.Store.ExportPage(ctx, kind, after, limit)
}

// A write committed while the export reads makes it fail: its files may
// mix two states of the graph.
func TestSeedExportFailsWhenTheGraphChanges(t *testing.T) {
	cfg, store := setup(t)
	load(t, cfg, store, filepath.Join("testdata", "edges"))
	for _, format := range []string{"seed", "ftm"} {
		src := &writingSource{Store: store, t: t}
		var err error
		if format == "seed" {
			_, err = export.Seed(context.Background(), src, filepath.Join(t.TempDir(), "b"), export.SeedOptions{})
		} else {
			_, err = export.FtM(context.Background(), src, &bytes.Buffer{})
		}
		if !errors.Is(err, export.ErrGraphChanged) {
			t.Errorf("%s export with a write in the middle: %v, want ErrGraphChanged", format, err)
		}
		testutil.Run(t, cfg, "MATCH (c:Company {id: 'late-arrival'}) DETACH DELETE c", nil)
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func equalFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// diff lists up to 20 lines only in want or only in got.
func diff(want, got []string) string {
	var b strings.Builder
	n := 0
	for _, l := range want {
		if !slices.Contains(got, l) && n < 20 {
			b.WriteString("- " + l + "\n")
			n++
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) && n < 40 {
			b.WriteString("+ " + l + "\n")
			n++
		}
	}
	return b.String()
}
