package neo4jstore

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/countries"
)

// migration is one ordered step of the database schema. Statements are
// idempotent (IF NOT EXISTS, MERGE), so a step interrupted half-way can
// simply run again; each runs in its own transaction, as Neo4j requires
// for schema changes.
type migration struct {
	version    int
	name       string
	statements []string
	// data, if set, runs after the statements (in its own transaction).
	data func(ctx context.Context, s *Store) error
}

// migrations never change once released: add new ones at the end.
var migrations = []migration{
	{version: 1, name: "unique keys", statements: []string{
		"CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT country_code IF NOT EXISTS FOR (n:Country) REQUIRE n.code IS UNIQUE",
		"CREATE CONSTRAINT sector_id IF NOT EXISTS FOR (n:Sector) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT material_id IF NOT EXISTS FOR (n:Material) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT export_control_id IF NOT EXISTS FOR (n:ExportControl) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT licence_id IF NOT EXISTS FOR (n:Licence) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT source_url IF NOT EXISTS FOR (n:Source) REQUIRE n.url IS UNIQUE",
		"CREATE CONSTRAINT migration_version IF NOT EXISTS FOR (n:Migration) REQUIRE n.version IS UNIQUE",
	}},
	{version: 2, name: "query indexes", statements: []string{
		"CREATE INDEX licence_status IF NOT EXISTS FOR (n:Licence) ON (n.status)",
		"CREATE INDEX licence_valid_from IF NOT EXISTS FOR (n:Licence) ON (n.validFrom)",
		"CREATE INDEX licence_valid_until IF NOT EXISTS FOR (n:Licence) ON (n.validUntil)",
		"CREATE INDEX supplies_since IF NOT EXISTS FOR ()-[r:SUPPLIES]-() ON (r.since)",
		"CREATE INDEX supplies_until IF NOT EXISTS FOR ()-[r:SUPPLIES]-() ON (r.until)",
		"CREATE INDEX company_country IF NOT EXISTS FOR (n:Company) ON (n.country)",
		"CREATE INDEX company_name IF NOT EXISTS FOR (n:Company) ON (n.name)",
		"CREATE INDEX country_region IF NOT EXISTS FOR (n:Country) ON (n.region)",
	}},
	{version: 3, name: "company name full-text index", statements: []string{
		"CREATE FULLTEXT INDEX company_names IF NOT EXISTS FOR (n:Company) ON EACH [n.name, n.aliases]",
	}},
	{version: 4, name: "ISO 3166-1 countries", data: loadCountries},
	{version: 5, name: "audit trail", statements: []string{
		"CREATE CONSTRAINT change_id IF NOT EXISTS FOR (n:Change) REQUIRE n.id IS UNIQUE",
		"CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at)",
	}},
	{version: 6, name: "graph version", statements: []string{
		"CREATE CONSTRAINT graph_version_id IF NOT EXISTS FOR (n:GraphVersion) REQUIRE n.id IS UNIQUE",
		"CREATE INDEX change_seq IF NOT EXISTS FOR (n:Change) ON (n.seq)",
	}},
	// Sources may be citations without a URL: the key becomes ref (a URL
	// source's ref is its URL, so source_url stays unique and stays).
	{version: 7, name: "source refs", statements: []string{
		"CREATE CONSTRAINT source_ref IF NOT EXISTS FOR (n:Source) REQUIRE n.ref IS UNIQUE",
	}, data: sourceRefs},
}

// sourceRefsCypher gives the Source nodes written before migration 7
// (URL sources) their ref.
const sourceRefsCypher = `MATCH (s:Source) WHERE s.ref IS NULL AND s.url IS NOT NULL SET s.ref = s.url`

func sourceRefs(ctx context.Context, s *Store) error {
	_, err := neo4j.ExecuteQuery(ctx, s.driver, sourceRefsCypher, nil,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.db), neo4j.ExecuteQueryWithWritersRouting())
	return err
}

const countriesCypher = `
UNWIND $rows AS row
MERGE (c:Country {code: row.code})
SET c.name = row.name, c.region = row.region`

func loadCountries(ctx context.Context, s *Store) error {
	all := countries.All()
	rows := make([]map[string]any, len(all))
	for i, c := range all {
		rows[i] = map[string]any{"code": c.Code, "name": c.Name, "region": string(c.Region)}
	}
	_, err := neo4j.ExecuteQuery(ctx, s.driver, countriesCypher, map[string]any{"rows": rows},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.db), neo4j.ExecuteQueryWithWritersRouting())
	return err
}

// MigrationResult says what Migrate did.
type MigrationResult struct {
	Applied []string // "3 company name full-text index"
	Current int      // highest version now recorded
}

const appliedCypher = `MATCH (m:Migration) RETURN m.version AS version`

const recordCypher = `
MERGE (m:Migration {version: $version})
ON CREATE SET m.name = $name, m.appliedAt = datetime()`

// Migrate applies, in order, the migrations not yet recorded in the graph
// as (:Migration {version}). It stops at the first failure, leaving the
// earlier ones applied and recorded.
func (s *Store) Migrate(ctx context.Context) (MigrationResult, error) {
	return s.migrate(ctx, migrations)
}

func (s *Store) migrate(ctx context.Context, migrations []migration) (MigrationResult, error) {
	var res MigrationResult
	done, err := s.read(ctx, appliedCypher, nil)
	if err != nil {
		return res, fmt.Errorf("read applied migrations: %w", err)
	}
	applied := map[int]bool{}
	for _, r := range done.Records {
		v, _, _ := neo4j.GetRecordValue[int64](r, "version")
		applied[int(v)] = true
		res.Current = max(res.Current, int(v))
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		start := time.Now()
		for _, stmt := range m.statements {
			if err := s.writeSchema(ctx, stmt); err != nil {
				return res, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if m.data != nil {
			if err := m.data(ctx, s); err != nil {
				return res, fmt.Errorf("migration %d (%s): %w", m.version, m.name, s.convertErr(ctx, err))
			}
		}
		if err := s.writeSchema(ctx, "CALL db.awaitIndexes(300)"); err != nil {
			return res, fmt.Errorf("migration %d (%s): waiting for indexes: %w", m.version, m.name, err)
		}
		if _, err := neo4j.ExecuteQuery(ctx, s.driver, recordCypher, map[string]any{"version": m.version, "name": m.name},
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.db), neo4j.ExecuteQueryWithWritersRouting()); err != nil {
			return res, fmt.Errorf("migration %d (%s): record: %w", m.version, m.name, s.convertErr(ctx, err))
		}
		s.log.Info("migration applied", "version", m.version, "name", m.name, "duration", time.Since(start))
		res.Applied = append(res.Applied, fmt.Sprintf("%d %s", m.version, m.name))
		res.Current = max(res.Current, m.version)
	}
	return res, nil
}

func (s *Store) writeSchema(ctx context.Context, stmt string) error {
	_, err := neo4j.ExecuteQuery(ctx, s.driver, stmt, nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db), neo4j.ExecuteQueryWithWritersRouting())
	if err != nil {
		return s.convertErr(ctx, err)
	}
	return nil
}
