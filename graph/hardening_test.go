package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/licencegraph/licencegraph/graph/generated"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/requestid"
)

// stats is a StatsService that panics, fails with a raw error quoting
// Cypher and a secret (as a driver error would), or answers.
type stats struct{ mode string }

func (s stats) Stats(context.Context) (domain.GraphStats, error) {
	switch s.mode {
	case "panic":
		var m map[string]int
		m["boom"]++ // a nil-map write: a real runtime panic
	case "raw":
		return domain.GraphStats{}, errors.New("Neo.ClientError.Statement.SyntaxError: MATCH (n:Company) password=hunter2 at bolt://db:7687")
	}
	return domain.GraphStats{Companies: 1}, nil
}

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Errors never carry stack traces, Cypher, driver messages or secrets;
// a panic becomes INTERNAL with the request id, which the log line of the
// panic (with its stack) carries too.
func TestInternalErrorsHideDetailsAndCarryTheRequestID(t *testing.T) {
	for i, mode := range []string{"panic", "raw"} {
		id := "rid-" + string(rune('a'+i)) // not a word a leak check looks for
		t.Run(mode, func(t *testing.T) {
			var logs syncBuffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			h := requestid.Middleware(NewHandler(&Resolver{StatsService: stats{mode}}, HandlerOptions{AllowAnonymousRead: true, Logger: log}))
			srv := httptest.NewServer(h)
			defer srv.Close()

			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"query":"{ stats { companies } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(requestid.Header, id)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			raw := body.String()
			var out struct {
				Errors []struct {
					Message    string         `json:"message"`
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(body.Bytes(), &out); err != nil || len(out.Errors) != 1 {
				t.Fatalf("want one error: %v %s", err, raw)
			}
			e := out.Errors[0]
			if e.Extensions["code"] != "INTERNAL" || e.Message != "internal error" || e.Extensions["requestId"] != id {
				t.Fatalf("want INTERNAL with requestId: %s", raw)
			}
			for _, leak := range []string{"goroutine", ".go:", "panic", "nil map", "MATCH", "Neo.", "hunter2", "bolt://"} {
				if strings.Contains(raw, leak) {
					t.Errorf("response leaks %q: %s", leak, raw)
				}
			}
			logged := logs.String()
			if !strings.Contains(logged, "request_id="+id) {
				t.Errorf("no log line with the request id:\n%s", logged)
			}
			if mode == "panic" && (!strings.Contains(logged, "panic in resolver") || !strings.Contains(logged, "goroutine")) {
				t.Errorf("the panic and its stack are not logged:\n%s", logged)
			}
		})
	}
}

// FuzzQueryLimits: any query text goes through the parser (with the token
// limit), validation without suggestions and the limits' walker without a
// panic; no error suggests a name of the schema.
func FuzzQueryLimits(f *testing.F) {
	for _, q := range []string{
		`{ companies(first: 5) { edges { node { id suppliers { edges { node { supplier { id } } } } } } } }`,
		`{ a: company(id: "x") { id } b: company(id: "y") { ...F } } fragment F on Company { n: name c: country { code } }`,
		`query Q($f: CompanyFilter) { companies(filter: $f) { totalCount } } fragment G on Query { ...H } fragment H on Query { ...G }`,
		`{ __schema { types { name } } __type(name: "Company") { name } }`,
		`{ companys { id } }`, `{ company(idd: "x") { nme } }`, `{ companies(filter: {role: OME}) { totalCount } }`,
		`mutation { upsertCompany(input: {id: "x", name: "y", country: "de"}) { id } }`,
		`subscription { __typename }`, `{ stats { companies } } { stats { sectors } }`, "{ \x00 }", `{ ` + strings.Repeat(`a: `, 50) + `}`,
		"{ ...F3 } fragment F0 on Query { stats { companies } } fragment F1 on Query { ...F0 ...F0 } fragment F2 on Query { ...F1 ...F1 } fragment F3 on Query { ...F2 ...F2 }",
	} {
		f.Add(q)
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}, Complexity: complexityRoot()})
	limits := &queryLimits{maxComplexity: 1000, maxDepth: 5, maxAliases: 3, noIntrospection: true, schema: schema}
	f.Fuzz(func(t *testing.T, q string) {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, 500)
		if err != nil {
			return
		}
		errs := validator.ValidateWithRules(schema.Schema(), doc, rulesWithoutSuggestions())
		for _, e := range errs {
			if strings.Contains(e.Message, "Did you mean") {
				t.Fatalf("suggestion in %q", e.Message)
			}
		}
		if len(errs) > 0 {
			return
		}
		for _, op := range doc.Operations {
			w := newWalker()
			if n := w.fields(op.SelectionSet); n > maxFields+1 {
				t.Fatalf("field count %d does not saturate at %d", n, maxFields+1)
			}
			if w.fields(op.SelectionSet) > maxFields {
				continue // refused before the complexity count
			}
			if a := w.aliases(op.SelectionSet, limits.maxAliases); a > limits.maxAliases+1 {
				t.Fatalf("alias count %d does not saturate at %d", a, limits.maxAliases+1)
			}
			w.depth(op.SelectionSet)
			w.introspects(op.SelectionSet)
			complexity.Calculate(context.Background(), schema, op, nil)
		}
	})
}
