package seed_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// setup returns a migrated, empty graph and a store on it.
func setup(t *testing.T) (config.Config, *neo4jstore.Store) {
	t.Helper()
	cfg := testutil.Config(t)
	store, err := neo4jstore.Open(neo4jstore.Options{URI: cfg.Neo4jURI, User: cfg.Neo4jUser,
		Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase, Logger: testutil.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	if _, err := store.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	testutil.ResetGraph(t, cfg)
	return cfg, store
}

// writeFiles writes name → content into a new directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, store seed.Store, opts seed.Options, paths ...string) (seed.Summary, error) {
	t.Helper()
	opts.Logger = testutil.Logger(t)
	return seed.New(store, opts).Load(context.Background(), paths)
}

func errorTexts(sum seed.Summary) []string {
	var out []string
	for _, f := range sum.Files {
		for _, e := range f.Errors {
			out = append(out, e.Error())
		}
	}
	return out
}

const baseSectors = `- id: automotive
  name: Automotive
- id: automotive-oem
  name: Vehicle makers
  parent: automotive
- id: defence
  name: Defence
`

const baseMaterials = "id,name,kind\nDy,Dysprosium,ELEMENT\nNdFeB,NdFeB magnets,MAGNET\n"

const baseCompanies = `id,name,aliases,country,roles,sectors,lei,website
jl-mag,JL MAG Rare-Earth,金力永磁;JL Mag,CN,MAGNET_MAKER,,,
vw,Volkswagen,VW,DE,OEM,automotive-oem,,https://www.volkswagen.de
`

// Each class of validation error names file, line and field.
func TestValidationErrors(t *testing.T) {
	_, store := setup(t)
	base := writeFiles(t, map[string]string{"sectors.yaml": baseSectors, "materials.csv": baseMaterials, "companies.csv": baseCompanies})
	if _, err := load(t, store, seed.Options{}, base); err != nil {
		t.Fatalf("base load: %v", err)
	}
	tests := []struct {
		name, file, content string
		want                []string // substrings: "file:line: field: message"
	}{
		{"bad date", "supply.csv", "supplier,customer,since\njl-mag,vw,2025-13-01\n",
			[]string{"supply.csv:2: since: \"2025-13-01\" is not a date"}},
		{"until before since", "supply.yaml", "- supplier: jl-mag\n  customer: vw\n  since: 2025-05-01\n  until: 2025-01-01\n",
			[]string{"supply.yaml:4: until: 2025-01-01 is before since 2025-05-01"}},
		{"bad enum", "licences.csv", "id,status,type\nL1,GRANTED,GENERAL\nL2,ACTIVE,FOREVER\n",
			[]string{`licences.csv:2: status: "GRANTED" is not one of PENDING, ACTIVE, DENIED, REVOKED`, `licences.csv:3: type: "FOREVER" is not one of`}},
		{"bad country", "companies.yaml", "- id: x\n  name: X\n  country: XX\n",
			[]string{`companies.yaml:3: country: "XX" is not an ISO 3166-1 alpha-2 country code`}},
		{"missing required", "companies.csv", "id,name,country\n,Nameless,DE\nnocountry,No Country,\n",
			[]string{"companies.csv:2: id: is required", "companies.csv:3: country: is required"}},
		{"bad number", "supply.csv", "supplier,customer,confidence\njl-mag,vw,high\n",
			[]string{`supply.csv:2: confidence: "high" is not a number`}},
		{"number out of range", "supply.csv", "supplier,customer,confidence\njl-mag,vw,1.5\n",
			[]string{"supply.csv:2: confidence: 1.5 is not between 0 and 1"}},
		{"unknown column", "materials.csv", "id,name,colour\nTb,Terbium,grey\n",
			[]string{"materials.csv:1: colour: unknown column (materials has: id, name, kind)"}},
		{"unknown yaml field", "sectors.yaml", "- id: wind\n  nmae: Wind\n",
			[]string{`sectors.yaml:2: nmae: unknown column; the nearest known one is "name", which is missing (sectors has: id, name, parent)`}},
		{"list in a scalar field", "sectors.yaml", "- id: wind\n  name: [Wind, Power]\n",
			[]string{"sectors.yaml:2: name: must be a single value, not a list"}},
		{"bad list item", "companies.csv", "id,name,country,roles\nx,X,DE,OEM;BANK\n",
			[]string{`companies.csv:2: roles: "BANK" is not one of`}},
		{"unknown reference", "supply.csv", "supplier,customer,materials\njl-mag,bmw,Dy;Unobtainium\n",
			[]string{`supply.csv:2: customer: unknown company "bmw"`, `supply.csv:2: materials: unknown material "Unobtainium"`}},
		{"unknown sector reference", "licences.yaml", "- id: L1\n  holder: jl-mag\n  clients: [vw]\n  excluded_sectors: [space]\n",
			[]string{`licences.yaml:1: excluded_sectors: unknown sector "space"`}},
		{"duplicate id", "materials.csv", "id,name\nTb,Terbium\nTb,Terbium again\n",
			[]string{`materials.csv:3: id: "Tb" is defined twice in this file (also on line 2)`}},
		{"duplicate supply pair", "supply.csv", "supplier,customer\njl-mag,vw\njl-mag,vw\n",
			[]string{`supply.csv:3: supplier, customer: "jl-mag->vw" is defined twice`}},
		{"self supply", "supply.csv", "supplier,customer\nvw,vw\n",
			[]string{"supply.csv:2: customer: a company cannot supply itself"}},
		{"wrong cell count", "materials.csv", "id,name,kind\nTb,Terbium\n",
			[]string{"materials.csv:2: has 2 cells, the header has 3"}},
		{"yaml syntax", "materials.yaml", "- id: Tb\n  name: [unclosed\n",
			[]string{"materials.yaml:2: YAML syntax"}},
		{"not a list", "materials.yaml", "id: Tb\nname: Terbium\n",
			[]string{"materials.yaml:1: a seed file holds a list of records"}},
		{"sector cycle", "sectors.csv", "id,name,parent\na,A,b\nb,B,a\n",
			[]string{"sectors.csv:2: parent: sector \"a\" is part of a cycle", "sectors.csv:3: parent: sector \"b\" is part of a cycle"}},
		{"bad source", "licences.csv", "id,sources\nL1,not a url\n",
			[]string{`licences.csv:2: sources: "not a url" is neither an http(s) URL nor a citation "Outlet, YYYY-MM-DD[, title]"`}},
		{"citation without a date", "supply.csv", "supplier,customer,sources\njl-mag,vw,\"Reuters, May 2025\"\n",
			[]string{`supply.csv:2: sources: citation "Reuters, May 2025": "May 2025" is not a date in the form YYYY-MM-DD`}},
		{"bad id", "materials.csv", "id\nhas space\n",
			[]string{`materials.csv:2: id: "has space" is not a valid id`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := testutil.Dump(t, testutil.Config(t))
			dir := writeFiles(t, map[string]string{tc.file: tc.content})
			sum, err := load(t, store, seed.Options{}, dir)
			if err == nil {
				t.Fatal("load succeeded; want errors")
			}
			got := errorTexts(sum)
			for _, w := range tc.want {
				w = filepath.Join(dir, w)
				if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
					t.Errorf("missing error %q\ngot:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			if after := testutil.Dump(t, testutil.Config(t)); !slices.Equal(before, after) {
				t.Errorf("a failed file changed the graph")
			}
		})
	}
}

// All errors of a file are reported, not just the first.
func TestAllErrorsOfAFileAreReported(t *testing.T) {
	_, store := setup(t)
	dir := writeFiles(t, map[string]string{"companies.csv": "id,name,country,roles\na,A,XX,OEM\nb,,DE,OEM\nc,C,DE,KING\n"})
	sum, _ := load(t, store, seed.Options{}, dir)
	if got := errorTexts(sum); len(got) != 3 {
		t.Fatalf("want 3 errors, got %d:\n%s", len(got), strings.Join(got, "\n"))
	}
}

// Loading the curated data twice changes nothing.
func TestCuratedSeedIsIdempotent(t *testing.T) {
	cfg, store := setup(t)
	dir := filepath.Join(testutil.RepoRoot(t), "seed")
	first, err := load(t, store, seed.Options{}, dir)
	if err != nil {
		t.Fatalf("first load: %v\n%s", err, strings.Join(errorTexts(first), "\n"))
	}
	dump1 := testutil.Dump(t, cfg)
	second, err := load(t, store, seed.Options{}, dir)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	dump2 := testutil.Dump(t, cfg)
	if !slices.Equal(dump1, dump2) {
		t.Fatalf("second load changed the graph:\n%s", diff(dump1, dump2))
	}
	for kind, c := range second.ByKind {
		if c.Created != 0 || c.Updated != 0 || c.Unchanged == 0 {
			t.Errorf("second load %s: %+v, want all unchanged", kind, c)
		}
		if first.ByKind[kind].Created != c.Unchanged {
			t.Errorf("%s: created %d on the first load, %d unchanged on the second", kind, first.ByKind[kind].Created, c.Unchanged)
		}
	}
	if len(first.ByKind) != len(domain.Kinds) {
		t.Errorf("curated data covers %d kinds, want all %d", len(first.ByKind), len(domain.Kinds))
	}
}

// A changed record replaces its properties and lists.
func TestReloadReplacesPropertiesAndLists(t *testing.T) {
	cfg, store := setup(t)
	v1 := writeFiles(t, map[string]string{
		"sectors.yaml": baseSectors, "materials.csv": baseMaterials, "companies.csv": baseCompanies,
		"licences.yaml": "- id: L1\n  holder: jl-mag\n  clients: [vw]\n  materials: [Dy, NdFeB]\n  excluded_sectors: [defence]\n  reference: first\n  valid_until: 2026-12-01\n",
	})
	if _, err := load(t, store, seed.Options{}, v1); err != nil {
		t.Fatal(err)
	}
	v2 := writeFiles(t, map[string]string{
		"x.licences.csv": "id,holder,clients,materials,status\nL1,jl-mag,vw,NdFeB,REVOKED\n",
	})
	sum, err := load(t, store, seed.Options{}, v2)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.ByKind[domain.KindLicence]; c.Updated != 1 {
		t.Fatalf("counts %+v, want 1 updated", c)
	}
	got := testutil.Run(t, cfg, `MATCH (l:Licence {id: 'L1'})
		RETURN l.status, l.reference, l.validUntil, l.type,
		  [(l)-[:FOR_MATERIAL]->(m) | m.id], [(l)-[:EXCLUDES]->(s) | s.id], [(h)-[:HOLDS]->(l) | h.id]`, nil)
	want := "[REVOKED <nil> <nil> GENERAL [NdFeB] [] [jl-mag]]"
	if fmt.Sprint(got[0]) != want {
		t.Fatalf("licence after reload = %v, want %s", got[0], want)
	}
}

// Supply links are counted created, unchanged or updated across reloads,
// with and without properties (a link with none is written by its own
// statement), and a reload leaves exactly the file's properties.
func TestSupplyLinkOutcomes(t *testing.T) {
	cfg, store := setup(t)
	base := writeFiles(t, map[string]string{"sectors.yaml": baseSectors, "materials.csv": baseMaterials, "companies.csv": baseCompanies})
	if _, err := load(t, store, seed.Options{}, base); err != nil {
		t.Fatal(err)
	}
	const header = "supplier,customer,materials,since,until,confidence,sources\n"
	steps := []struct {
		name, rows string
		want       domain.WriteCounts
		props      []string // per link, jl-mag->vw then vw->jl-mag
	}{
		{"first load", "jl-mag,vw,NdFeB,2025-12-01,,0.9,\nvw,jl-mag,,,,,\n",
			domain.WriteCounts{Created: 2, FirstLoad: true}, []string{"map[confidence:0.9 materials:[NdFeB] since:2025-12-01]", "map[]"}},
		{"same again", "jl-mag,vw,NdFeB,2025-12-01,,0.9,\nvw,jl-mag,,,,,\n",
			domain.WriteCounts{Unchanged: 2}, []string{"map[confidence:0.9 materials:[NdFeB] since:2025-12-01]", "map[]"}},
		{"properties swapped", "jl-mag,vw,,,,,\nvw,jl-mag,Dy,,2026-01-31,,\n",
			domain.WriteCounts{Updated: 2}, []string{"map[]", "map[materials:[Dy] until:2026-01-31]"}},
		{"one changed", "jl-mag,vw,,,,,\nvw,jl-mag,Dy,,2026-01-31,0.5,\n",
			domain.WriteCounts{Updated: 1, Unchanged: 1}, []string{"map[]", "map[confidence:0.5 materials:[Dy] until:2026-01-31]"}},
	}
	for _, st := range steps {
		sum, err := load(t, store, seed.Options{}, writeFiles(t, map[string]string{"supply.csv": header + st.rows}))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := sum.ByKind[domain.KindSupply]; got != st.want {
			t.Errorf("%s: counts %+v, want %+v", st.name, got, st.want)
		}
		rows := testutil.Run(t, cfg, `UNWIND [['jl-mag', 'vw'], ['vw', 'jl-mag']] AS p
			MATCH (:Company {id: p[0]})-[l:SUPPLIES]->(:Company {id: p[1]})
			RETURN properties(l), count { ()-[:SUPPLIES]->() }`, nil)
		if len(rows) != 2 {
			t.Fatalf("%s: %d links found, want 2", st.name, len(rows))
		}
		for i, r := range rows {
			if got := fmt.Sprint(r[0]); got != st.props[i] {
				t.Errorf("%s: link %d properties %s, want %s", st.name, i, got, st.props[i])
			}
			if r[1] != int64(2) {
				t.Errorf("%s: %v SUPPLIES relationships in the graph, want 2", st.name, r[1])
			}
		}
	}
}

// CSV and YAML files with the same records give the same graph.
func TestCSVAndYAMLGiveTheSameGraph(t *testing.T) {
	yamlDir := writeFiles(t, map[string]string{
		"sectors.yaml":   baseSectors,
		"materials.yaml": "- id: Dy\n  name: Dysprosium\n  kind: ELEMENT\n- id: NdFeB\n  name: NdFeB magnets\n  kind: MAGNET\n",
		"companies.yaml": "- id: jl-mag\n  name: JL MAG Rare-Earth\n  aliases: [金力永磁, JL Mag]\n  country: CN\n  roles: [MAGNET_MAKER]\n" +
			"- id: vw\n  name: Volkswagen\n  aliases: [VW]\n  country: DE\n  roles: [OEM]\n  sectors: [automotive-oem]\n  website: https://www.volkswagen.de\n",
		"supply.yaml":   "- supplier: jl-mag\n  customer: vw\n  materials: [NdFeB, Dy]\n  since: 2025-01-01\n  confidence: 0.7\n  sources: [https://example.org/a]\n",
		"licences.yaml": "- id: L1\n  type: GENERAL\n  holder: jl-mag\n  clients: [vw]\n  materials: [NdFeB]\n  excluded_sectors: [defence]\n  valid_from: 2025-12-02\n  valid_until: 2026-12-01\n  sources: [https://example.org/b]\n",
	})
	csvDir := writeFiles(t, map[string]string{
		"sectors.csv":   "id,name,parent\nautomotive,Automotive,\nautomotive-oem,Vehicle makers,automotive\ndefence,Defence,\n",
		"materials.csv": baseMaterials,
		"companies.csv": baseCompanies,
		"supply.csv":    "supplier,customer,materials,since,until,confidence,sources\njl-mag,vw,NdFeB;Dy,2025-01-01,,0.7,https://example.org/a\n",
		"licences.csv":  "id,type,holder,clients,materials,excluded_sectors,valid_from,valid_until,sources\nL1,GENERAL,jl-mag,vw,NdFeB,defence,2025-12-02,2026-12-01,https://example.org/b\n",
	})
	cfg, store := setup(t)
	if _, err := load(t, store, seed.Options{}, yamlDir); err != nil {
		t.Fatal(err)
	}
	fromYAML := testutil.Dump(t, cfg)
	testutil.ResetGraph(t, cfg)
	if _, err := load(t, store, seed.Options{}, csvDir); err != nil {
		t.Fatal(err)
	}
	fromCSV := testutil.Dump(t, cfg)
	if !slices.Equal(fromYAML, fromCSV) {
		t.Fatalf("graphs differ:\n%s", diff(fromYAML, fromCSV))
	}
	if len(fromCSV) < 20 {
		t.Fatalf("suspiciously small graph: %d lines", len(fromCSV))
	}
}

// Directories load in dependency order whatever the names; a grants file
// loads on its own against what is in the graph; a dry run writes nothing.
func TestOrderingStandaloneAndDryRun(t *testing.T) {
	cfg, store := setup(t)
	dir := writeFiles(t, map[string]string{
		"a/00-grants.licences.yaml": "- id: L1\n  holder: jl-mag\n  clients: [vw]\n  materials: [NdFeB]\n",
		"a/01.supply.csv":           "supplier,customer,materials\njl-mag,vw,NdFeB\n",
		"b/companies.csv":           baseCompanies,
		"z/materials.csv":           baseMaterials,
		"z/sectors.yaml":            baseSectors,
		"README.md":                 "not a seed file",
	})
	files, err := seed.Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range files {
		kinds = append(kinds, string(f.Kind))
	}
	if got := strings.Join(kinds, ","); got != "sectors,materials,companies,supply,licences" {
		t.Fatalf("order = %s", got)
	}

	if _, err := load(t, store, seed.Options{DryRun: true}, dir); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if n := testutil.Run(t, cfg, "MATCH (n) WHERE NOT n:Country AND NOT n:Migration RETURN count(n)", nil)[0][0]; n != int64(0) {
		t.Fatalf("dry run wrote %v nodes", n)
	}

	// Load everything except the licences, then the grants file alone.
	for _, sub := range []string{"z", "b"} {
		if _, err := load(t, store, seed.Options{}, filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := load(t, store, seed.Options{}, filepath.Join(dir, "a", "00-grants.licences.yaml"))
	if err != nil {
		t.Fatalf("grants file alone: %v %v", err, errorTexts(sum))
	}
	if got := testutil.Run(t, cfg, "MATCH (:Company {id: 'jl-mag'})-[:HOLDS]->(l:Licence)-[:COVERS]->(:Company {id: 'vw'}) RETURN l.id, l.status, l.type", nil); fmt.Sprint(got) != "[[L1 ACTIVE GENERAL]]" {
		t.Fatalf("licence = %v (defaults ACTIVE/GENERAL expected)", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		path, kind, format string
		err                bool
	}{
		{"seed/licences.yaml", "licences", "yaml", false},
		{"2025-12-grants.licences.csv", "licences", "csv", false},
		{"x/Companies.YML", "companies", "yaml", false},
		{"supply.json", "", "", true},
		{"grants.csv", "", "", true},
	}
	for _, tc := range tests {
		kind, format, err := seed.KindOf(tc.path)
		if (err != nil) != tc.err || string(kind) != tc.kind || format != tc.format {
			t.Errorf("KindOf(%q) = %q, %q, %v", tc.path, kind, format, err)
		}
	}
}

func diff(a, b []string) string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 40 {
		out = append(out[:40], "…")
	}
	return strings.Join(out, "\n")
}

// A file too large for one Neo4j transaction fails whole, with a message
// that says what to do, and without the driver retrying in vain.
func TestFileOverTheTransactionMemoryLimit(t *testing.T) {
	cfg := testutil.Config(t) // integration mode; the test runs its own small instance
	db := testutil.StartLocalNeo4j(t, "NEO4J_TX_MEMORY_MAX=8m", "NEO4J_TX_MEMORY_TOTAL=64m")
	cfg.Neo4jURI = db.URI()
	cfg.Neo4jUser, cfg.Neo4jPassword = "", ""
	store, err := neo4jstore.Open(neo4jstore.Options{URI: cfg.Neo4jURI, Database: cfg.Neo4jDatabase, Logger: testutil.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(context.Background())
	if _, err := store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := testutil.Dump(t, cfg)

	var b strings.Builder
	b.WriteString("id,name,aliases,country\n")
	for i := range 40000 {
		fmt.Fprintf(&b, "m%05d,Memory Test Company %d,alias one %d;alias two %d,JP\n", i, i, i, i)
	}
	dir := writeFiles(t, map[string]string{"companies.csv": b.String()})
	sum, err := load(t, store, seed.Options{}, dir)
	if err == nil {
		t.Fatal("want the load to fail on the transaction memory limit")
	}
	got := strings.Join(errorTexts(sum), "\n")
	if !strings.Contains(got, "more memory than the database allows one transaction") || !strings.Contains(got, "split the file") {
		t.Fatalf("errors = %s", got)
	}
	if f := sum.Files[0]; f.Duration > 60*time.Second {
		t.Errorf("took %s: the driver seems to have retried", f.Duration)
	}
	if after := testutil.Dump(t, cfg); !slices.Equal(before, after) {
		t.Fatalf("graph changed: %d lines before, %d after", len(before), len(after))
	}
}
