package anchors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/bench/measure"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSameTree(t *testing.T) {
	// licencegraph's connection shape against the library's plain lists.
	lg := `{"id":"c1","name":"A","sectors":[{"id":"s2"},{"id":"s1"}],
	  "suppliers":{"edges":[{"node":{"supplier":{"id":"c3","licencesHeld":[]}}},{"node":{"supplier":{"id":"c2","licencesHeld":[{"id":"L1","status":"ACTIVE"}]}}}]}}`
	tests := []struct {
		name, lib string
		same      bool
		where     string
	}{
		{"same data, other shape and order", `{"id":"c1","name":"A","sectors":[{"id":"s1"},{"id":"s2"}],
		  "suppliers":[{"id":"c2","licencesHeld":[{"id":"L1","status":"ACTIVE"}]},{"id":"c3","licencesHeld":[]}]}`, true, ""},
		{"a missing licence", `{"id":"c1","name":"A","sectors":[{"id":"s1"},{"id":"s2"}],
		  "suppliers":[{"id":"c2","licencesHeld":[]},{"id":"c3","licencesHeld":[]}]}`, false, "licencesHeld"},
		{"another supplier", `{"id":"c1","name":"A","sectors":[{"id":"s1"},{"id":"s2"}],
		  "suppliers":[{"id":"c2","licencesHeld":[{"id":"L1","status":"ACTIVE"}]},{"id":"c4","licencesHeld":[]}]}`, false, "suppliers"},
		{"another name", `{"id":"c1","name":"B","sectors":[{"id":"s1"},{"id":"s2"}],
		  "suppliers":[{"id":"c2","licencesHeld":[{"id":"L1","status":"ACTIVE"}]},{"id":"c3","licencesHeld":[]}]}`, false, ".name"},
		{"an extra field", `{"id":"c1","name":"A","country":"DE","sectors":[{"id":"s1"},{"id":"s2"}],
		  "suppliers":[{"id":"c2","licencesHeld":[{"id":"L1","status":"ACTIVE"}]},{"id":"c3","licencesHeld":[]}]}`, false, ".country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			same, d := SameTree(decode(t, lg), decode(t, tt.lib))
			if same != tt.same {
				t.Fatalf("SameTree = %v (%s), want %v", same, d, tt.same)
			}
			if !same && !strings.Contains(d, tt.where) {
				t.Errorf("difference %q does not name %q", d, tt.where)
			}
		})
	}
}

func TestCompareExposed(t *testing.T) {
	lg := decode(t, `{"exposedCompanies":{"totalCount":2,"edges":[
	  {"node":{"company":{"id":"c1"},"minDepth":1,"pathCount":3,"uncoveredSuppliers":[{"id":"s1"},{"id":"s2"}]}},
	  {"node":{"company":{"id":"c2"},"minDepth":2,"pathCount":1,"uncoveredSuppliers":[{"id":"s1"}]}}]}}`)
	tests := []struct {
		name, lib string
		same      bool
	}{
		{"same rows, suppliers in another order", `{"exposedCompanies":{"totalCount":2,"rows":[
		  {"id":"c1","minDepth":1,"pathCount":3,"suppliers":["s2","s1"]},{"id":"c2","minDepth":2,"pathCount":1,"suppliers":["s1"]}]}}`, true},
		{"another count", `{"exposedCompanies":{"totalCount":3,"rows":[
		  {"id":"c1","minDepth":1,"pathCount":3,"suppliers":["s2","s1"]},{"id":"c2","minDepth":2,"pathCount":1,"suppliers":["s1"]}]}}`, false},
		{"another pathCount", `{"exposedCompanies":{"totalCount":2,"rows":[
		  {"id":"c1","minDepth":1,"pathCount":4,"suppliers":["s2","s1"]},{"id":"c2","minDepth":2,"pathCount":1,"suppliers":["s1"]}]}}`, false},
		{"rows in another order", `{"exposedCompanies":{"totalCount":2,"rows":[
		  {"id":"c2","minDepth":2,"pathCount":1,"suppliers":["s1"]},{"id":"c1","minDepth":1,"pathCount":3,"suppliers":["s2","s1"]}]}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if same, d := compareExposed(lg, decode(t, tt.lib)); same != tt.same {
				t.Fatalf("compareExposed = %v (%s), want %v", same, d, tt.same)
			}
		})
	}
}

func TestComparePaths(t *testing.T) {
	lg := decode(t, `{"exposurePaths":[{"depth":2,"hops":[{"supplier":{"id":"s"},"customer":{"id":"m"}},{"supplier":{"id":"m"},"customer":{"id":"a"}}]}]}`)
	if same, d := comparePaths(lg, decode(t, `{"exposurePaths":[{"ids":["s","m","a"]}]}`)); !same {
		t.Errorf("same path reported different: %s", d)
	}
	if same, _ := comparePaths(lg, decode(t, `{"exposurePaths":[{"ids":["s","x","a"]}]}`)); same {
		t.Error("another path reported the same")
	}
}

func TestMissingStrings(t *testing.T) {
	answer := decode(t, `{"company":{"id":"c1","sectors":[{"id":"auto"}],"licences":[{"id":"L1","status":"ACTIVE"}]}}`)
	raw := []any{[]any{map[string]any{"id": "c1", "sectors": []any{"auto"}}, int64(3)}, []any{"L1", "ACTIVE"}}
	if m := MissingStrings(answer, Strings(raw), 5); len(m) != 0 {
		t.Errorf("missing %v, want none", m)
	}
	if m := MissingStrings(answer, Strings(raw[:1]), 5); strings.Join(m, ",") != "L1" {
		t.Errorf("missing %v, want L1 (a status may be derived in Go)", m)
	}
}

func TestPlan(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(start, dur int) (time.Time, time.Duration) {
		return t0.Add(time.Duration(start) * time.Millisecond), time.Duration(dur) * time.Millisecond
	}
	st := func(name string, start, dur int) neo4jstore.Statement {
		s, d := at(start, dur)
		return neo4jstore.Statement{Method: name, Start: s, Duration: d}
	}
	// company; then sectors and suppliers side by side (a long one and a
	// short one); then licences after the short one only.
	p := NewPlan([]neo4jstore.Statement{st("licences", 40, 5), st("company", 0, 10), st("suppliers", 20, 10), st("sectors", 20, 100)})
	names := func(idx []int) string {
		var out []string
		for _, i := range idx {
			out = append(out, p.Stmts[i].Method)
		}
		return strings.Join(out, ",")
	}
	want := map[string]string{"company": "", "sectors": "company", "suppliers": "company", "licences": "company,suppliers"}
	for i, s := range p.Stmts {
		if got := names(p.After[i]); got != want[s.Method] {
			t.Errorf("%s waits for %q, want %q", s.Method, got, want[s.Method])
		}
	}
	if p.Levels() != 3 {
		t.Errorf("Levels = %d, want 3", p.Levels())
	}
	if p.Busy() != 110*time.Millisecond {
		t.Errorf("Busy = %s, want 110ms (0–10 and 20–120)", p.Busy())
	}
}

func TestLibraryTypeDefs(t *testing.T) {
	f := CypherField{Name: "exposedCompanies", RowType: "Row", Cypher: "MATCH (n) RETURN n.id AS id, 1 AS depth",
		Params:  map[string]any{"d": neo4j.DateOf(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)), "sector": "automotive", "limit": int64(3)},
		Columns: []string{"id", "depth", "via"}, Sample: []any{"c1", int64(1), []any{"s1"}}, Paged: true}
	td, err := LibraryTypeDefs([]CypherField{f})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"type Row {\n  id: String\n  depth: Int\n  via: [String]\n}",
		"type RowPage {\n  totalCount: Int!\n  rows: [Row!]!\n}",
		"exposedCompanies(d: Date, limit: Int, sector: String, benchFirst: Int!): RowPage!",
		"CALL {\nMATCH (n) RETURN n.id AS id, 1 AS depth\n}\nWITH collect({id: id, depth: depth, via: via}) AS rows",
	} {
		if !strings.Contains(td, want) {
			t.Errorf("type definitions lack %q:\n%s", want, td)
		}
	}
	if q := libraryExposureQuery(f); q != "query($d: Date, $limit: Int, $sector: String, $benchFirst: Int!) { exposedCompanies(d: $d, limit: $limit, sector: $sector, benchFirst: $benchFirst) { totalCount rows { id depth via } } }" {
		t.Errorf("query = %s", q)
	}
	if v := libraryExposureVars(f); v["d"] != "2026-06-01" || v[PageArg] != exposurePage {
		t.Errorf("variables = %v", v)
	}
	f.Columns = []string{"not a name"}
	if _, err := LibraryTypeDefs([]CypherField{f}); err == nil {
		t.Error("a column that is not a GraphQL name was accepted")
	}
}

func sampleReport() ScaleReport {
	cell := func(w, target string, c int, rate float64, p50 time.Duration) CellResult {
		return CellResult{Workload: w, Target: target, Result: measure.Result{Concurrency: c, OK: 10, Throughput: rate, P50: p50, P99: 2 * p50}}
	}
	return ScaleReport{Companies: 100000, Date: "2026-11-25", Machine: "2 cores",
		Workloads:     []WorkloadInfo{{Name: "W1 company page"}, {Name: "W3 exposedCompanies"}},
		Concurrencies: []int{8},
		Cells: []CellResult{
			cell("W1 company page", TargetLicencegraph, 8, 300, 20*time.Millisecond),
			cell("W1 company page", TargetLibrary, 8, 100, 60*time.Millisecond),
			cell("W1 company page", TargetRaw, 8, 320, 18*time.Millisecond),
			cell("W3 exposedCompanies", TargetLicencegraph, 8, 2, 3*time.Second),
			{Workload: "W3 exposedCompanies", Target: TargetLibrary, Result: measure.Result{Concurrency: 8, Failed: 8, Timeouts: 8}},
			cell("W3 exposedCompanies", TargetRaw, 8, 2.2, 2*time.Second),
		},
		Checks: []Check{{Workload: "W1 company page", Sample: "c1", Target: TargetLibrary, OK: true}},
	}
}

func TestTable(t *testing.T) {
	table := sampleReport().Table()
	for _, want := range []string{
		"| W1 company page | 8 | 300 | 20.0 ms | 40.0 ms | 100 | 60.0 ms | 120 ms | 320 | 18.0 ms | 36.0 ms | 3.00× | 0.33× | 1.11× | 0.94× |",
		"| W3 exposedCompanies | 8 | 2.00 | 3.00 s | 6.00 s | timeout | | | 2.20 | 2.00 s | 4.00 s | – | – | 1.50× | 0.91× |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks\n%s\n%s", want, table)
		}
	}
	if n := strings.Count(strings.Split(table, "\n")[0], "|"); n != strings.Count(strings.Split(table, "\n")[1], "|") {
		t.Errorf("header and separator have different column counts:\n%s", table)
	}
}

func TestGoals(t *testing.T) {
	got := map[string]string{}
	for _, g := range sampleReport().Goals(8) {
		state := "not judged"
		if g.Judged {
			state = map[bool]string{true: "met", false: "missed"}[g.Met]
		}
		got[g.Text] = state
	}
	want := map[string]string{
		"W1 company page: throughput ≥ 2× the Neo4j GraphQL Library":     "met",
		"W3 exposedCompanies: throughput ≥ 1× the Neo4j GraphQL Library": "met", // the library timed out
		"W1 company page: p50 ≤ 1.25× the raw driver":                    "met",
		"W3 exposedCompanies: p50 ≤ 1.20× the raw driver":                "missed",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s (all: %v)", k, got[k], v, got)
		}
	}
}

func TestWriteDoc(t *testing.T) {
	path := filepath.Join(t.TempDir(), "performance.md")
	if err := os.WriteFile(path, []byte("# Performance\n\nold text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"first run", "second run"} {
		if err := WriteDoc(path, "## Anchors", body); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	if strings.Count(s, "## Anchors") != 1 || strings.Contains(s, "first run") || !strings.Contains(s, "second run") || !strings.Contains(s, "old text") {
		t.Errorf("document after two runs:\n%s", s)
	}
}
