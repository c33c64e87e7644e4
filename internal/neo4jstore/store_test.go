package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

func openTestStore(t testing.TB) *Store {
	t.Helper()
	cfg := testutil.Config(t)
	s, err := Open(Options{URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword,
		Database: cfg.Neo4jDatabase, Logger: testutil.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// write runs test fixtures; production writes get their own helpers.
func write(t *testing.T, s *Store, cypher string, params map[string]any) {
	t.Helper()
	_, err := neo4j.ExecuteQuery(context.Background(), s.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
}

func TestStatsCountsTheRealGraph(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	write(t, s, "MATCH (n) DETACH DELETE n", nil)

	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	got, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if got != (domain.GraphStats{}) {
		t.Fatalf("empty graph: Stats = %+v", got)
	}

	write(t, s, `
		CREATE (a:Company {id: 'a'}), (b:Company {id: 'b'}), (c:Company {id: 'c'})
		CREATE (a)-[:SUPPLIES]->(b), (b)-[:SUPPLIES]->(c)
		CREATE (:Sector {id: 'automotive'}), (:Material {id: 'Dy'}), (:Material {id: 'Tb'})
		CREATE (:ExportControl {id: 'x'}), (:Licence {id: 'l'})`, nil)
	got, err = s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	want := domain.GraphStats{Companies: 3, Sectors: 1, Materials: 2, ExportControls: 1, Licences: 1, SupplyLinks: 2}
	if got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
}

func TestReadHonoursTheRequestDeadline(t *testing.T) {
	s := openTestStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// A statement that runs far longer than the deadline: the server-side
	// transaction timeout or the client deadline must stop it.
	start := time.Now()
	_, err := s.read(ctx, "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x)", nil)
	if got := domain.ErrorCode(err); got != domain.CodeTimeout {
		t.Fatalf("code = %q (err %v), want TIMEOUT", got, err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("took %s; the deadline was not enforced", elapsed)
	}
	if strings.Contains(domain.ErrorMessage(err), "UNWIND") {
		t.Fatalf("client message leaks Cypher: %q", domain.ErrorMessage(err))
	}
}

// A real driver pointed at a port where nothing listens: the store must
// answer UNAVAILABLE, quickly, without leaking driver text.
func TestPingWhenNothingListens(t *testing.T) {
	port := testutil.FreePort(t)
	s, err := Open(Options{URI: fmt.Sprintf("bolt://127.0.0.1:%d", port), MaxRetry: time.Second,
		ConnectTimeout: time.Second, Logger: testutil.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	start := time.Now()
	err = s.Ping(context.Background())
	if got := domain.ErrorCode(err); got != domain.CodeUnavailable {
		t.Fatalf("code = %q (err %v), want UNAVAILABLE", got, err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Ping took %s with the database down", elapsed)
	}
	if msg := domain.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "bolt") {
		t.Fatalf("client message leaks connection details: %q", msg)
	}
}

func TestConvertErr(t *testing.T) {
	s := &Store{}
	tests := []struct {
		name string
		err  error
		want domain.Code
	}{
		{"connectivity", &neo4j.ConnectivityError{Inner: errors.New("dial tcp: refused")}, domain.CodeUnavailable},
		{"retries exhausted on connectivity", &neo4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{&neo4j.ConnectivityError{Inner: errors.New("x")}}}, domain.CodeUnavailable},
		{"database unavailable", &neo4j.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable", Msg: "db down"}, domain.CodeUnavailable},
		{"tx timeout", &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", Msg: "timed out"}, domain.CodeTimeout},
		{"constraint", &neo4j.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed", Msg: "Node(1) already exists"}, domain.CodeConflict},
		{"syntax", &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "Invalid input 'MATCHX (n)'"}, domain.CodeInternal},
		{"transaction memory limit", &neo4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{&neo4j.Neo4jError{Code: "Neo.TransientError.General.MemoryPoolOutOfMemoryError", Msg: "limit"}}}, domain.CodeTooComplex},
		{"domain error passes through", domain.Errorf(domain.CodeNotFound, "no company x"), domain.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.convertErr(context.Background(), tt.err)
			if code := domain.ErrorCode(got); code != tt.want {
				t.Fatalf("code = %q, want %q", code, tt.want)
			}
			if msg := domain.ErrorMessage(got); strings.Contains(msg, "MATCHX") || strings.Contains(msg, "Node(1)") {
				t.Fatalf("client message leaks driver text: %q", msg)
			}
		})
	}
}
