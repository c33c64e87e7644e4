package anchors

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The Neo4j GraphQL Library anchor: bench/library/server.mjs
// (@neo4j/graphql on @apollo/server) with type definitions written here at
// run time. Nodes and relationships are declared the way that library's
// users declare them; the exposure questions are @cypher fields holding the
// statements our engine runs, taken from the store when the bench starts
// (never copied into this repository), so the comparison follows the
// engine.

// libraryNodes declares the part of the graph W1, W2 and W5 read.
const libraryNodes = `type Company @node @fulltext(indexes: [{ indexName: "company_names", queryName: "searchCompanies", fields: ["name"] }]) {
  id: ID!
  name: String!
  country: String
  sectors: [Sector!]! @relationship(type: "OPERATES_IN", direction: OUT)
  suppliers: [Company!]! @relationship(type: "SUPPLIES", direction: IN)
  licencesHeld: [Licence!]! @relationship(type: "HOLDS", direction: OUT)
}

type Sector @node {
  id: ID!
  name: String
}

type Licence @node {
  id: ID!
  status: String
  validFrom: Date
  validUntil: Date
  revokedOn: Date
}
`

// CypherField is a Query field of the library's schema resolved by one
// statement of our engine: its arguments are the statement's parameters
// (so the library passes them under the same names), its rows become
// objects of type RowType with the statement's columns as fields.
type CypherField struct {
	Name    string
	RowType string
	Cypher  string
	Params  map[string]any // recorded values: they give the argument types
	Columns []string       // the statement's columns…
	Sample  []any          // …and one row of values, for their types
	// Paged wraps the rows as {totalCount, rows} with the first PageArg of
	// them, the way our API pages exposedCompanies.
	Paged bool
}

// PageArg is the argument of paged CypherFields that bounds the rows.
const PageArg = "benchFirst"

var graphqlName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// LibraryTypeDefs returns the type definitions of the library anchor.
func LibraryTypeDefs(fields []CypherField) (string, error) {
	var b strings.Builder
	b.WriteString(libraryNodes)
	var query []string
	for _, f := range fields {
		if len(f.Columns) == 0 {
			return "", fmt.Errorf("%s: the statement returns no columns", f.Name)
		}
		fmt.Fprintf(&b, "\ntype %s {\n", f.RowType)
		proj := make([]string, len(f.Columns))
		for i, c := range f.Columns {
			if !graphqlName.MatchString(c) {
				return "", fmt.Errorf("%s: column %q is not a GraphQL name", f.Name, c)
			}
			var sample any
			if i < len(f.Sample) {
				sample = f.Sample[i]
			}
			t, err := graphqlType(sample)
			if err != nil {
				return "", fmt.Errorf("%s: column %s: %w", f.Name, c, err)
			}
			fmt.Fprintf(&b, "  %s: %s\n", c, t)
			proj[i] = c + ": " + c
		}
		b.WriteString("}\n")
		names := make([]string, 0, len(f.Params))
		for k := range f.Params {
			names = append(names, k)
		}
		slices.Sort(names)
		args := make([]string, 0, len(names)+1)
		for _, k := range names {
			if !graphqlName.MatchString(k) {
				return "", fmt.Errorf("%s: parameter %q is not a GraphQL name", f.Name, k)
			}
			t, err := graphqlType(f.Params[k])
			if err != nil {
				return "", fmt.Errorf("%s: parameter %s: %w", f.Name, k, err)
			}
			args = append(args, k+": "+t)
		}
		row := "{" + strings.Join(proj, ", ") + "}"
		var stmt, result, column string
		if f.Paged {
			pageType := f.RowType + "Page"
			fmt.Fprintf(&b, "\ntype %s {\n  totalCount: Int!\n  rows: [%s!]!\n}\n", pageType, f.RowType)
			args = append(args, PageArg+": Int!")
			stmt = "CALL {\n" + f.Cypher + "\n}\nWITH collect(" + row + ") AS rows\nRETURN {totalCount: size(rows), rows: rows[0..$" + PageArg + "]} AS result"
			result, column = pageType+"!", "result"
		} else {
			stmt = "CALL {\n" + f.Cypher + "\n}\nRETURN " + row + " AS result"
			result, column = "["+f.RowType+"!]!", "result"
		}
		query = append(query, fmt.Sprintf("  %s(%s): %s\n    @cypher(columnName: %q, statement: \"\"\"\n%s\n\"\"\")",
			f.Name, strings.Join(args, ", "), result, column, strings.ReplaceAll(stmt, `"""`, `\"""`)))
	}
	if len(query) > 0 {
		b.WriteString("\ntype Query {\n" + strings.Join(query, "\n") + "\n}\n")
	}
	return b.String(), nil
}

// graphqlType is the GraphQL type of a driver value (a recorded parameter
// or a returned column).
func graphqlType(v any) (string, error) {
	switch x := v.(type) {
	case nil, string:
		return "String", nil
	case int, int64:
		return "Int", nil
	case float64:
		return "Float", nil
	case bool:
		return "Boolean", nil
	case neo4j.Date:
		return "Date", nil
	case []string:
		return "[String]", nil
	case []any:
		if len(x) == 0 {
			return "[String]", nil
		}
		t, err := graphqlType(x[0])
		return "[" + t + "]", err
	}
	return "", fmt.Errorf("no GraphQL type for %T", v)
}

// GraphQLValue turns a recorded parameter into a GraphQL variable value.
func GraphQLValue(v any) any {
	if d, ok := v.(neo4j.Date); ok {
		return d.Time().Format(time.DateOnly)
	}
	return v
}

// Library is a running bench/library/server.mjs.
type Library struct {
	URL string
	cmd *exec.Cmd
}

// StartLibrary starts node on dir/server.mjs with the type definitions in
// typeDefsPath, on 127.0.0.1:port, and waits until it listens.
func StartLibrary(ctx context.Context, dir, typeDefsPath, neo4jURI, database string, port int, stderr io.Writer) (*Library, error) {
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TYPEDEFS="+typeDefsPath, "NEO4J_URI="+neo4jURI,
		"NEO4J_DATABASE="+database, fmt.Sprintf("PORT=%d", port))
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the Neo4j GraphQL Library server: %w", err)
	}
	l := &Library{cmd: cmd}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- url
			}
		}
		close(ready)
	}()
	select {
	case url, ok := <-ready:
		if !ok {
			l.Stop()
			return nil, fmt.Errorf("the Neo4j GraphQL Library server exited before it was ready (see its errors above)")
		}
		l.URL = url
		return l, nil
	case <-time.After(90 * time.Second):
		l.Stop()
		return nil, fmt.Errorf("the Neo4j GraphQL Library server was not ready within 90 s")
	case <-ctx.Done():
		l.Stop()
		return nil, ctx.Err()
	}
}

// Stop ends the server (its process group) and waits for it.
func (l *Library) Stop() {
	if l == nil || l.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-l.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = l.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-l.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}
