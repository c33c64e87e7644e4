package archtest

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	module = "github.com/licencegraph/licencegraph"
	driver = "github.com/neo4j/neo4j-go-driver/"
)

// Rooms that must not link the Neo4j driver, even indirectly: the
// transport works on domain types only, and the engine and the loader on
// their own interfaces.
var driverFree = []string{"./graph/...", "./internal/domain", "./internal/exposure", "./internal/projection", "./internal/seed", "./internal/auth", "./internal/server", "./internal/export", "./internal/exposurecsv"}

// Where Cypher and the driver may appear outside tests: the store, and
// two rooms that are not the product — test support (it resets the graph
// of integration tests, and the store's own tests import it) and the
// benchmark tooling (it replays the store's statements on the raw driver
// and defines the anchors' schema).
var cypherRooms = []string{"internal/neo4jstore/", "internal/testutil/", "bench/"}

func TestGraphDoesNotLinkTheDriver(t *testing.T) {
	for _, pkg := range driverFree {
		var linked []string
		for _, dep := range deps(t, pkg) {
			if strings.HasPrefix(dep, driver) {
				linked = append(linked, dep)
			}
		}
		if len(linked) > 0 {
			t.Errorf("%s depends on the Neo4j driver (%s and %d more packages): only internal/neo4jstore may (ARCHITECTURE.md)", pkg, linked[0], len(linked)-1)
		}
	}
}

// Product code does not import the benchmark tooling; the tooling imports
// the product as a client would.
func TestProductDoesNotImportBenchTooling(t *testing.T) {
	for _, pkg := range []string{"./cmd/...", "./graph/...", "./internal/..."} {
		for _, dep := range deps(t, pkg) {
			if strings.HasPrefix(dep, module+"/bench") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// internal/domain is the bottom room: it imports no other room but the
// country table.
func TestDomainImportsNoOtherRoom(t *testing.T) {
	for _, dep := range deps(t, "./internal/domain") {
		if strings.HasPrefix(dep, module+"/") && dep != module+"/internal/domain" && dep != module+"/internal/countries" {
			t.Errorf("internal/domain depends on %s", dep)
		}
	}
}

// internal/metrics and internal/telemetry are leaves: every room records
// into them, so they import no room (ARCHITECTURE.md), and the rooms that
// record never import each other for it.
func TestMetricsAndTelemetryAreLeaves(t *testing.T) {
	for _, pkg := range []string{"./internal/metrics", "./internal/telemetry"} {
		self := module + strings.TrimPrefix(pkg, ".")
		for _, dep := range deps(t, pkg) {
			if strings.HasPrefix(dep, module+"/") && dep != self {
				t.Errorf("%s depends on %s: it must stay a leaf", pkg, dep)
			}
		}
	}
}

func TestOnlyTheStoreHoldsCypher(t *testing.T) {
	checked := 0
	walkGo(t, func(rel, path string) {
		if strings.HasSuffix(rel, "_test.go") ||
			slices.ContainsFunc(cypherRooms, func(room string) bool { return strings.HasPrefix(rel, room) }) {
			return
		}
		checked++
		for _, hit := range cypherIn(t, path) {
			t.Errorf("%s:%s: Cypher outside internal/neo4jstore (ARCHITECTURE.md): %s", rel, hit.pos, hit.text)
		}
	})
	if checked < 50 {
		t.Fatalf("checked %d files: the walk is not looking at the repository", checked)
	}
}

// walkGo calls fn with every hand-written Go file of the repository (its
// path from the root, and on disk): not generated code, dependencies,
// hidden folders or test data.
func walkGo(t *testing.T, fn func(rel, path string)) {
	t.Helper()
	root := repoRoot(t)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata" || rel == "graph/generated" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".go") {
			fn(rel, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The detector finds Cypher where it is, and only there.
func TestCypherDetector(t *testing.T) {
	src := `package p
const a = "MATCH (c:Company {id: $id}) RETURN c"
var b = ` + "`" + `
UNWIND $rows AS row
MERGE (l:Licence {id: row.id})` + "`" + `
const c = "CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE"
const d = "the company matches (MATCH is a word here)"
const e = "Unknown match: return to the list"
const f = "MATCH (n) DETACH DELETE n"
`
	path := filepath.Join(t.TempDir(), "p.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range cypherIn(t, path) {
		got = append(got, h.pos)
	}
	if want := []string{"2", "3", "6", "9"}; !slices.Equal(got, want) {
		t.Errorf("Cypher found on lines %v, want %v", got, want)
	}
}

type hit struct{ pos, text string }

// cypherPattern matches the clauses statements are made of, in Cypher's
// upper case, with what must follow them: a node pattern, a schema
// keyword, a parameter list or a procedure.
var cypherPattern = regexp.MustCompile(`\b(OPTIONAL MATCH|MATCH|MERGE|CREATE)\s*\(|\bCREATE\s+(CONSTRAINT|INDEX|FULLTEXT)\b|\bUNWIND\s+\$\w+\s+AS\b|\bCALL\s+db\.\w|\bDETACH DELETE\b`)

func cypherIn(t *testing.T, path string) []hit {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []hit
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if m := cypherPattern.FindString(s); m != "" {
			out = append(out, hit{strconv.Itoa(fset.Position(lit.Pos()).Line), strings.TrimSpace(m)})
		}
		return true
	})
	return out
}

// deps lists what the packages matching pattern depend on, transitively,
// as `go list -deps` sees them.
func deps(t *testing.T, pattern string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath", pattern)
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pattern, err)
	}
	var list []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		list = append(list, p.ImportPath)
	}
	if len(list) == 0 {
		t.Fatalf("go list -deps %s listed nothing", pattern)
	}
	return list
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s", dir)
	}
	return dir
}

// maxFileLines bounds a hand-written source file: past it, a file holds
// more than one concern and should be split.
const maxFileLines = 500

func TestNoSourceFileOverMaxLines(t *testing.T) {
	walkGo(t, func(rel, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "\n"); n > maxFileLines {
			t.Errorf("%s has %d lines; split it by concern (at most %d)", rel, n, maxFileLines)
		}
	})
}
