package seed_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Notes, licence confidence and cited sources load from YAML and CSV alike,
// are stored as docs/model.md says (a note and a confidence as properties,
// a citation as a Source keyed by its normalised ref, shared by every
// record citing it), and a reload changes nothing.
func TestNotesConfidenceAndCitations(t *testing.T) {
	for _, format := range []string{"yaml", "csv"} {
		t.Run(format, func(t *testing.T) {
			cfg, store := setup(t)
			files := map[string]string{"sectors.yaml": baseSectors, "materials.csv": baseMaterials}
			if format == "yaml" {
				files["companies.yaml"] = `- id: jl-mag
  name: JL MAG Rare-Earth
  country: CN
- id: vw
  name: Volkswagen
  country: DE
  note: "country: as reported, DE"
`
				files["supply.yaml"] = `- supplier: jl-mag
  customer: vw
  confidence: 0.3
  sources:
    - Reuters ,  2025-06-12, JL Mag among biggest suppliers, says Reuters
    - https://example.org/report
  note: "[L] single secondary source"
`
				files["licences.yaml"] = `- id: L1
  holder: jl-mag
  clients: [vw]
  sources:
    - "Reuters,2025-06-12, JL Mag among biggest suppliers,  says Reuters"
    - Reuters via Kitco, 2025-12-10
  confidence: 0.9
  note: valid_until is a projection
`
			} else {
				files["companies.csv"] = "id,name,country,note\njl-mag,JL MAG Rare-Earth,CN,\nvw,Volkswagen,DE,\"country: as reported, DE\"\n"
				files["supply.csv"] = "supplier,customer,confidence,sources,note\n" +
					"jl-mag,vw,0.3,\"Reuters ,  2025-06-12, JL Mag among biggest suppliers, says Reuters;https://example.org/report\",[L] single secondary source\n"
				files["licences.csv"] = "id,holder,clients,sources,confidence,note\n" +
					"L1,jl-mag,vw,\"Reuters,2025-06-12, JL Mag among biggest suppliers,  says Reuters;Reuters via Kitco, 2025-12-10\",0.9,valid_until is a projection\n"
			}
			dir := writeFiles(t, files)
			if sum, err := load(t, store, seed.Options{}, dir); err != nil {
				t.Fatalf("load: %v %v", err, errorTexts(sum))
			}
			const cited = "Reuters, 2025-06-12, JL Mag among biggest suppliers, says Reuters"
			checks := []struct{ name, cypher, want string }{
				{"company note", `MATCH (c:Company {id: 'vw'}) RETURN c.note`, "[country: as reported, DE]"},
				{"link", `MATCH (:Company {id: 'jl-mag'})-[r:SUPPLIES]->(:Company {id: 'vw'}) RETURN r.confidence, r.sources, r.note`,
					"[0.3 [" + cited + " https://example.org/report] [L] single secondary source]"},
				{"licence", `MATCH (l:Licence {id: 'L1'}) RETURN l.confidence, l.note`, "[0.9 valid_until is a projection]"},
				{"licence sources", `MATCH (:Licence {id: 'L1'})-[:REPORTED_BY]->(s:Source)
					RETURN s.ref, s.publisher, toString(s.publishedOn), s.title, s.url ORDER BY s.ref`,
					"[[Reuters via Kitco, 2025-12-10 Reuters via Kitco 2025-12-10 <nil> <nil>] " +
						"[" + cited + " Reuters 2025-06-12 JL Mag among biggest suppliers, says Reuters <nil>]]"},
			}
			for _, c := range checks {
				rows := testutil.Run(t, cfg, c.cypher, nil)
				got := fmt.Sprint(rows)
				if len(rows) == 1 {
					got = fmt.Sprint(rows[0])
				}
				if got != c.want {
					t.Errorf("%s = %s, want %s", c.name, got, c.want)
				}
			}

			before := testutil.Dump(t, cfg)
			again, err := load(t, store, seed.Options{}, dir)
			if err != nil {
				t.Fatal(err)
			}
			for kind, c := range again.ByKind {
				if c.Created != 0 || c.Updated != 0 {
					t.Errorf("reload %s: %+v, want all unchanged", kind, c)
				}
			}
			if after := testutil.Dump(t, cfg); !slices.Equal(before, after) {
				t.Errorf("reload changed the graph")
			}
		})
	}
}

// A licence citing a report another licence cites shares its Source; a
// licence reloaded without a note or a confidence loses them (replace, not
// merge).
func TestCitationsAreSharedAndNotesReplaced(t *testing.T) {
	cfg, store := setup(t)
	base := writeFiles(t, map[string]string{"sectors.yaml": baseSectors, "materials.csv": baseMaterials, "companies.csv": baseCompanies,
		"licences.csv": "id,holder,sources,confidence,note\n" +
			"L1,jl-mag,\"Reuters, 2025-05-13\",0.9,first\n" +
			"L2,jl-mag,\"Reuters,   2025-05-13\",0.7,second\n"})
	if sum, err := load(t, store, seed.Options{}, base); err != nil {
		t.Fatalf("load: %v %v", err, errorTexts(sum))
	}
	if n := testutil.Run(t, cfg, `MATCH (s:Source {ref: 'Reuters, 2025-05-13'})<-[:REPORTED_BY]-(l:Licence) RETURN count(DISTINCT s), count(l)`, nil)[0]; fmt.Sprint(n) != "[1 2]" {
		t.Fatalf("sources, citing licences = %v, want one source cited twice", n)
	}
	v2 := writeFiles(t, map[string]string{"x.licences.csv": "id,holder\nL1,jl-mag\n"})
	sum, err := load(t, store, seed.Options{}, v2)
	if err != nil || sum.ByKind[domain.KindLicence].Updated != 1 {
		t.Fatalf("reload: %v %+v", err, sum.ByKind)
	}
	got := testutil.Run(t, cfg, `MATCH (l:Licence {id: 'L1'}) RETURN l.confidence, l.note, [(l)-[:REPORTED_BY]->(s) | s.ref]`, nil)
	if fmt.Sprint(got[0]) != "[<nil> <nil> []]" {
		t.Fatalf("L1 after reload = %v, want no confidence, note or source", got[0])
	}
}

// A source that is neither a URL nor a citation is an error of the
// record's line (in YAML the sources field's line) and field, and the file
// writes nothing.
func TestCitationErrors(t *testing.T) {
	_, store := setup(t)
	dir := writeFiles(t, map[string]string{"controls.yaml": "- id: X\n  sources:\n    - \", 2025-05-13, title\"\n"})
	sum, err := load(t, store, seed.Options{}, dir)
	want := filepath.Join(dir, "controls.yaml") + `:2: sources: citation ", 2025-05-13, title" has no outlet before its date`
	if got := errorTexts(sum); err == nil || len(got) != 1 || got[0] != want {
		t.Fatalf("errors %q, want [%q]", got, want)
	}
}
