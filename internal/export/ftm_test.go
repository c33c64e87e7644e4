package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/export"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// ftmPython is the Python of the venv scripts/deps.sh makes with the
// followthemoney package (tools/ftm/requirements.txt), or
// LICENCEGRAPH_FTM_PYTHON. Without it the FtM checks are skipped, or fail
// under LICENCEGRAPH_REQUIRE_FTM=1 (as in `make test`).
func ftmPython(t *testing.T) string {
	t.Helper()
	py := os.Getenv("LICENCEGRAPH_FTM_PYTHON")
	if py == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		py = filepath.Join(cache, "licencegraph", "ftm-venv", "bin", "python")
	}
	if _, err := os.Stat(py); err != nil {
		msg := "the followthemoney check needs " + py + ": run scripts/deps.sh"
		if os.Getenv("LICENCEGRAPH_REQUIRE_FTM") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

// The FtM export is valid FollowTheMoney, judged by the followthemoney
// package itself (tools/ftm/check.py: every line an entity of a known
// schema, every property of its schema and every value valid and already
// clean, required properties present, references resolved within the
// file and in range), for the curated data, a generated world and the
// edge fixture; it holds an entity per company, supply link, licence,
// holder and client; and it is stable: the same graph gives the same
// bytes, ids included.
func TestFtMExportIsValidFollowTheMoney(t *testing.T) {
	py := ftmPython(t)
	cfg, store := setup(t)
	root := testutil.RepoRoot(t)
	cases := []struct {
		name  string
		paths []string
	}{
		{"curated seed", []string{filepath.Join(root, "seed")}},
		{"generated world", []string{generated(t, 2000)}},
		{"edge values", []string{filepath.Join("testdata", "edges")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			load(t, cfg, store, tc.paths...)
			var out bytes.Buffer
			sum, err := export.FtM(ctx, store, &out)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			file := filepath.Join(t.TempDir(), "graph.ftm.json")
			if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			check := exec.Command(py, filepath.Join(root, "tools", "ftm", "check.py"), file)
			res, err := check.CombinedOutput()
			if err != nil {
				t.Fatalf("followthemoney rejects the export: %v\n%s", err, res)
			}
			var bySchema map[string]int
			if err := json.Unmarshal(bytes.TrimSpace(res), &bySchema); err != nil {
				t.Fatalf("check.py said %q", res)
			}
			count := func(cypher string) int {
				n, _ := testutil.Run(t, cfg, cypher, nil)[0][0].(int64)
				return int(n)
			}
			want := map[string]int{
				"Company":       count("MATCH (c:Company) RETURN count(c)"),
				"UnknownLink":   count("MATCH ()-[r:SUPPLIES]->() RETURN count(r)") + count("MATCH (:Licence)-[r:COVERS]->() RETURN count(r)"),
				"ContractAward": count("MATCH (:Company)-[r:HOLDS]->(:Licence) RETURN count(r)"),
				"licences":      count("MATCH (l:Licence) RETURN count(l)"),
			}
			bySchema["licences"] = bySchema["License"] + bySchema["Contract"]
			for schema, n := range want {
				if bySchema[schema] != n {
					t.Errorf("%s: %d entities, want %d (by schema: %v)", schema, bySchema[schema], n, sum.Entities)
				}
			}

			var again bytes.Buffer
			if _, err := export.FtM(ctx, store, &again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Error("two exports of the same graph differ")
			}
		})
	}
}

// What the edge fixture's entities say: the mapping of docs/ftm.md.
func TestFtMExportMapping(t *testing.T) {
	cfg, store := setup(t)
	load(t, cfg, store, filepath.Join("testdata", "edges"))
	var out bytes.Buffer
	if _, err := export.FtM(context.Background(), store, &out); err != nil {
		t.Fatal(err)
	}
	byID := map[string]export.FtMEntity{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var e export.FtMEntity
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		byID[e.ID] = e
	}
	checks := []struct {
		id, schema, prop string
		want             []string
	}{
		{"lg-company-cn-maker", "Company", "jurisdiction", []string{"cn"}},
		{"lg-company-cn-maker", "Company", "leiCode", []string{"5493001KJTIIGC8Y1R12"}},
		{"lg-company-cn-maker", "Company", "alias", []string{"包头天和磁材", "A; B", "=SUM(1)"}},
		{"lg-company-cn-maker", "Company", "website", []string{"https://example.com/x?y=1"}},
		{"lg-company-cn-maker", "Company", "sector", []string{`Child, "quoted"`, "lonely"}},
		{"lg-company-de-buyer", "Company", "leiCode", nil}, // check digits wrong: not an LEI to FtM
		{export.FtMID("company", "x.odd/id:1+2"), "Company", "name", []string{"Odd id"}},
		{export.FtMID("supply", "cn-maker->de-buyer"), "UnknownLink", "subject", []string{"lg-company-cn-maker"}},
		{export.FtMID("supply", "cn-maker->de-buyer"), "UnknownLink", "object", []string{"lg-company-de-buyer"}},
		{export.FtMID("supply", "cn-maker->de-buyer"), "UnknownLink", "endDate", []string{"2026-12-31"}},
		{export.FtMID("supply", "cn-maker->de-buyer"), "UnknownLink", "sourceUrl", []string{"https://example.org/a;b?x=1"}},
		{"lg-licence-lic-1", "License", "authority", []string{"lg-authority-MOFCOM"}},
		{"lg-licence-lic-1", "License", "commodities", []string{"NdFeB"}},
		{"lg-award-lic-1", "ContractAward", "supplier", []string{"lg-company-cn-maker"}},
		{"lg-award-lic-1", "ContractAward", "decisionReason", []string{`breach; of "terms"`}},
		{"lg-licence-lic-2", "Contract", "title", []string{"lic-2"}}, // under no control: no authority
		{export.FtMID("covers", "lic-1->us-oem"), "UnknownLink", "object", []string{"lg-company-us-oem"}},
		{"lg-authority-MOFCOM", "PublicBody", "name", []string{"MOFCOM"}},
	}
	for _, c := range checks {
		e, ok := byID[c.id]
		if !ok {
			t.Errorf("no entity %s", c.id)
			continue
		}
		if e.Schema != c.schema {
			t.Errorf("%s is a %s, want %s", c.id, e.Schema, c.schema)
		}
		if got := e.Properties[c.prop]; !slices.Equal(got, c.want) {
			t.Errorf("%s %s = %q, want %q", c.id, c.prop, got, c.want)
		}
	}
	if id := export.FtMID("company", "x.odd/id:1+2"); !strings.HasPrefix(id, "lg-companyh-") {
		t.Errorf("an id FtM refuses is hashed: got %s", id)
	}
}
