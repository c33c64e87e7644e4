package seed_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The curated data (seed/) loaded into Neo4j carries its evidence: every
// supply link and licence has a source and a confidence, a record its note
// tags [L] is at 0.3, one at 0.5 or below says why in its note, and nothing
// that seed/README.md lists under "Not verified: never recorded" is in the
// graph.
func TestCuratedSeedCarriesItsEvidence(t *testing.T) {
	cfg, store := setup(t)
	dir := filepath.Join(testutil.RepoRoot(t), "seed")
	if sum, err := load(t, store, seed.Options{}, dir); err != nil {
		t.Fatalf("load: %v\n%s", err, strings.Join(errorTexts(sum), "\n"))
	}

	records := map[string]string{
		"supply link": `MATCH (s:Company)-[r:SUPPLIES]->(c:Company)
			RETURN s.id + ' -> ' + c.id, r.confidence, coalesce(r.note, ''), size(coalesce(r.sources, []))`,
		"licence": `MATCH (l:Licence)
			RETURN l.id, l.confidence, coalesce(l.note, ''), COUNT { (l)-[:REPORTED_BY]->(:Source) }`,
	}
	for kind, cypher := range records {
		rows := testutil.Run(t, cfg, cypher, nil)
		if len(rows) == 0 {
			t.Fatalf("no %s in the curated data", kind)
		}
		for _, r := range rows {
			key, note := r[0].(string), r[2].(string)
			conf, ok := r[1].(float64)
			switch {
			case !ok:
				t.Errorf("%s %s has no confidence", kind, key)
			case strings.HasPrefix(note, "[L]") && conf != 0.3:
				t.Errorf("%s %s is tagged [L] in its note but has confidence %v, want 0.3", kind, key, conf)
			case conf <= 0.5 && note == "":
				t.Errorf("%s %s has confidence %v and no note saying why", kind, key, conf)
			}
			if n, _ := r[3].(int64); n == 0 {
				t.Errorf("%s %s has no source", kind, key)
			}
		}
	}

	excluded := notVerified(t, filepath.Join(dir, "README.md"))
	if len(excluded) == 0 {
		t.Fatal(`seed/README.md lists nothing under "Not verified: never recorded"`)
	}
	for _, x := range excluded {
		var cypher string
		params := map[string]any{}
		switch x.kind {
		case "link":
			supplier, customer, ok := strings.Cut(x.value, " -> ")
			if !ok {
				t.Fatalf("README: link %q is not `supplier -> customer`", x.value)
			}
			params["supplier"], params["customer"] = supplier, customer
			if customer == "*" {
				params["customer"] = nil
			}
			cypher = `OPTIONAL MATCH (:Company {id: $supplier})-[r:SUPPLIES]->(c:Company)
				WHERE $customer IS NULL OR c.id = $customer
				WITH count(r) AS links
				OPTIONAL MATCH (:Company {id: $supplier})-[:HOLDS]->(:Licence)-[cv:COVERS]->(c:Company)
				WHERE $customer IS NULL OR c.id = $customer
				WITH links, count(cv) AS clients
				RETURN links + clients`
		case "company":
			params["name"] = strings.ToLower(x.value)
			cypher = `MATCH (c:Company)
				WHERE toLower(c.name) CONTAINS $name OR any(a IN coalesce(c.aliases, []) WHERE toLower(a) CONTAINS $name)
				RETURN count(c)`
		case "source":
			params["text"] = strings.ToLower(x.value)
			cypher = `CALL () {
				  MATCH (s:Source) WHERE toLower(s.ref) CONTAINS $text RETURN count(s) AS n
				  UNION ALL
				  MATCH ()-[r:SUPPLIES]->() WHERE any(x IN coalesce(r.sources, []) WHERE toLower(x) CONTAINS $text) RETURN count(r) AS n
				}
				RETURN sum(n)`
		default:
			t.Fatalf("README: unknown kind %q of %q", x.kind, x.value)
		}
		if n := testutil.Run(t, cfg, cypher, params)[0][0]; n != int64(0) {
			t.Errorf("NOT VERIFIED %s %q is in the curated graph (%v times)", x.kind, x.value, n)
		}
	}
}

type exclusion struct{ value, kind string }

// notVerifiedRow is a row of the README's table: | `value` | kind | why |.
var notVerifiedRow = regexp.MustCompile("^\\| `([^`]+)` \\| ([a-z]+) \\|")

// notVerified reads the table of the README's "Not verified: never
// recorded" section.
func notVerified(t *testing.T, path string) []exclusion {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []exclusion
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## Not verified")
			continue
		}
		if m := notVerifiedRow.FindStringSubmatch(line); in && m != nil {
			out = append(out, exclusion{value: m[1], kind: m[2]})
		}
	}
	return out
}
