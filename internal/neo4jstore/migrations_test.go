package neo4jstore

import (
	"context"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/countries"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

func TestMigrateIsIdempotentAndRecorded(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	again, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if len(again.Applied) != 0 || again.Current != migrations[len(migrations)-1].version {
		t.Fatalf("second run = %+v, want nothing applied at version %d", again, migrations[len(migrations)-1].version)
	}
	cfg := testutil.Config(t)
	names := map[string]bool{}
	for _, q := range []string{"SHOW CONSTRAINTS YIELD name RETURN name", "SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN name"} {
		for _, row := range testutil.Run(t, cfg, q, nil) {
			names[row[0].(string)] = true
		}
	}
	for _, want := range []string{"company_id", "country_code", "sector_id", "material_id", "export_control_id",
		"licence_id", "source_url", "source_ref", "licence_status", "licence_valid_from", "licence_valid_until",
		"supplies_since", "supplies_until", "company_country", "company_names"} {
		if !names[want] {
			t.Errorf("constraint or online index %q missing", want)
		}
	}
	if n := testutil.Run(t, cfg, "MATCH (c:Country) RETURN count(c)", nil)[0][0]; n != int64(len(countries.All())) {
		t.Errorf("%v countries, want %d", n, len(countries.All()))
	}
}

// A failing migration stops the run with an error naming it, keeps the
// earlier ones applied and recorded, and runs again next time.
func TestFailedMigrationKeepsEarlierOnes(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	cfg := testutil.Config(t)
	cleanup := func() {
		testutil.Run(t, cfg, "MATCH (m:Migration) WHERE m.version >= 9000 DELETE m", nil)
		testutil.Run(t, cfg, "DROP INDEX zz_migration_a IF EXISTS", nil)
		testutil.Run(t, cfg, "DROP INDEX zz_migration_b IF EXISTS", nil)
	}
	cleanup()
	t.Cleanup(cleanup)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	good := migration{version: 9001, name: "a", statements: []string{"CREATE INDEX zz_migration_a IF NOT EXISTS FOR (n:ZzMigration) ON (n.a)"}}
	bad := migration{version: 9002, name: "broken", statements: []string{"CREATE INDEX THIS IS NOT CYPHER"}}
	fixed := migration{version: 9002, name: "broken", statements: []string{"CREATE INDEX zz_migration_b IF NOT EXISTS FOR (n:ZzMigration) ON (n.b)"}}
	later := migration{version: 9003, name: "later", statements: []string{"RETURN 1"}}

	_, err := s.migrate(ctx, append(append([]migration{}, migrations...), good, bad, later))
	if err == nil || !strings.Contains(err.Error(), "migration 9002 (broken)") {
		t.Fatalf("err = %v, want one naming migration 9002", err)
	}
	recorded := func() []any {
		var out []any
		for _, r := range testutil.Run(t, cfg, "MATCH (m:Migration) WHERE m.version >= 9000 RETURN m.version ORDER BY m.version", nil) {
			out = append(out, r[0])
		}
		return out
	}
	if got := recorded(); len(got) != 1 || got[0] != int64(9001) {
		t.Fatalf("recorded after the failure = %v, want [9001]", got)
	}
	res, err := s.migrate(ctx, append(append([]migration{}, migrations...), good, fixed, later))
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if strings.Join(res.Applied, ",") != "9002 broken,9003 later" {
		t.Fatalf("rerun applied %v, want 9002 and 9003 only", res.Applied)
	}
	if got := recorded(); len(got) != 3 {
		t.Fatalf("recorded = %v", got)
	}
}

// Migration 7 keys sources by ref: a Source written before it (a URL, the
// only kind there was) gets its URL as ref, and a licence citing that URL
// again finds it rather than making a second node.
func TestSourceRefMigration(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	cfg := testutil.Config(t)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, cfg)
	const url = "https://example.org/legacy-source"
	write(t, s, `CREATE (:Source {url: $url})`, map[string]any{"url": url})
	write(t, s, `MATCH (m:Migration {version: 7}) DELETE m`, nil)
	res, err := s.Migrate(ctx)
	if err != nil || strings.Join(res.Applied, ",") != "7 source refs" {
		t.Fatalf("Migrate = %+v, %v; want migration 7 applied again", res, err)
	}
	if got := testutil.Run(t, cfg, `MATCH (s:Source {url: $url}) RETURN s.ref`, map[string]any{"url": url}); len(got) != 1 || got[0][0] != url {
		t.Fatalf("legacy source after migration 7: %v, want ref %q", got, url)
	}
	if _, err := s.GrantLicence(ctx, domain.Licence{ID: "L-legacy", Type: domain.LicenceGeneral, Status: domain.StatusActive,
		Sources: []string{url, "Reuters, 2025-05-13"}}); err != nil {
		t.Fatal(err)
	}
	if got := testutil.Run(t, cfg, `MATCH (s:Source) RETURN count(s)`, nil)[0][0]; got != int64(2) {
		t.Fatalf("%v sources, want the legacy one and the citation", got)
	}
}
