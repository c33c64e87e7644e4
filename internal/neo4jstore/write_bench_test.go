package neo4jstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// BenchmarkSupplyWrite puts the loader's rate for a generated world's
// supply links (read, checked and written: into a graph without links, its
// first-load path, and into one with a link, its general path) beside the
// floor of what Neo4j can write in one
// transaction: bare CREATEs of the same rows (the loader's, with the same
// properties), and without any properties. The gap between the last two
// is the cost of the properties themselves, which no loader design
// removes (docs/performance.md).
//
//	LOADER_BENCH_COMPANIES=10000 go test -run '^$' -bench SupplyWrite -benchtime 1x ./internal/neo4jstore/
//
// 10,000 companies (60,000 links) fit the default local Neo4j's
// transaction memory; larger worlds need a Neo4j started with more
// (NEO4J_TX_MEMORY_MAX, as scripts/bench-seed.sh does).
func BenchmarkSupplyWrite(b *testing.B) {
	companies := 10_000
	if v := os.Getenv("LOADER_BENCH_COMPANIES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("LOADER_BENCH_COMPANIES: %v", err)
		}
		companies = n
	}
	ctx := context.Background()
	s := openTestStore(b)
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	testutil.ResetGraph(b, testutil.Config(b))

	world := b.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Companies: companies, Seed: 1}, world); err != nil {
		b.Fatal(err)
	}
	supplyDir := b.TempDir()
	if err := os.Rename(filepath.Join(world, synth.SupplyFile), filepath.Join(supplyDir, synth.SupplyFile)); err != nil {
		b.Fatal(err)
	}
	if err := os.Remove(filepath.Join(world, synth.LicencesFile)); err != nil {
		b.Fatal(err)
	}
	loader := seed.New(s, seed.Options{Logger: testutil.Logger(b)})
	if _, err := loader.Load(ctx, []string{world}); err != nil {
		b.Fatal(err)
	}
	records, err := seed.ReadFiles([]string{supplyDir})
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]map[string]any, len(records[domain.KindSupply]))
	for i, r := range records[domain.KindSupply] {
		rows[i] = seedRow(r)
	}

	match := "UNWIND $rows AS row MATCH (s:Company {id: row.supplier}) MATCH (c:Company {id: row.customer}) "
	for _, v := range []struct {
		name  string
		write func() error
	}{
		{"loader", func() error { _, err := loader.Load(ctx, []string{supplyDir}); return err }},
		// One link already in the graph: the loader looks for each link
		// before creating it (its path for every load but the first).
		{"loader-not-first", func() error {
			if err := writeRowsOneTx(ctx, s, match+"CREATE (s)-[:SUPPLIES]->(c)", rows[:1]); err != nil {
				return err
			}
			sum, err := loader.Load(ctx, []string{supplyDir})
			if err == nil && sum.ByKind[domain.KindSupply].Updated != 1 {
				err = fmt.Errorf("counts %+v, want the one link updated", sum.ByKind[domain.KindSupply])
			}
			return err
		}},
		{"create-with-properties", func() error {
			return writeRowsOneTx(ctx, s, match+"CREATE (s)-[l:SUPPLIES]->(c) SET l = row.props", rows)
		}},
		{"create-without-properties", func() error {
			return writeRowsOneTx(ctx, s, match+"CREATE (s)-[:SUPPLIES]->(c)", rows)
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			var spent time.Duration
			for range b.N {
				start := time.Now()
				if err := v.write(); err != nil {
					b.Fatal(err)
				}
				spent += time.Since(start)
				b.StopTimer()
				deleteSupplies(b, s)
				b.StartTimer()
			}
			b.ReportMetric(float64(len(rows)*b.N)/spent.Seconds(), "rels/s")
		})
	}
}

// writeRowsOneTx runs cypher over rows in one transaction, seedBatchSize
// rows per statement, as the loader does.
func writeRowsOneTx(ctx context.Context, s *Store, cypher string, rows []map[string]any) error {
	_, err := writeTx(ctx, s, func(tx neo4j.ManagedTransaction) (int, error) {
		for start := 0; start < len(rows); start += seedBatchSize {
			if _, err := runTx(ctx, tx, cypher, map[string]any{"rows": rows[start:min(start+seedBatchSize, len(rows))]}); err != nil {
				return 0, err
			}
		}
		return len(rows), nil
	})
	return err
}

// deleteSupplies removes every SUPPLIES relationship, in batches (CALL …
// IN TRANSACTIONS needs an auto-commit transaction).
func deleteSupplies(b *testing.B, s *Store) {
	ctx := context.Background()
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH ()-[r:SUPPLIES]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
}
