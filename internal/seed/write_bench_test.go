package seed_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// BenchmarkSupplyWrite puts the loader's rate for a generated world's
// supply links beside the floor of what Neo4j can write in one
// transaction: bare CREATEs with the same properties, and without any.
// The gap between the last two is the cost of the properties themselves,
// which no loader design removes (docs/performance.md).
//
//	LOADER_BENCH_COMPANIES=10000 go test -run '^$' -bench SupplyWrite -benchtime 1x ./internal/seed/
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
	cfg := testutil.Config(b)
	store, err := neo4jstore.Open(neo4jstore.Options{URI: cfg.Neo4jURI, User: cfg.Neo4jUser,
		Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase, Logger: testutil.Logger(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close(ctx) })
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	testutil.ResetGraph(b, cfg)

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
	loader := seed.New(store, seed.Options{Logger: testutil.Logger(b)})
	if _, err := loader.Load(ctx, []string{world}); err != nil {
		b.Fatal(err)
	}
	rows := supplyRows(b, filepath.Join(supplyDir, synth.SupplyFile))

	drv, err := neo4j.NewDriverWithContext(cfg.Neo4jURI, neo4j.BasicAuth(cfg.Neo4jUser, cfg.Neo4jPassword, ""))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { drv.Close(ctx) })

	match := "UNWIND $rows AS row MATCH (s:Company {id: row.supplier}) MATCH (c:Company {id: row.customer}) "
	for _, v := range []struct {
		name  string
		write func() error
	}{
		{"loader", func() error { _, err := loader.Load(ctx, []string{supplyDir}); return err }},
		{"create-with-properties", func() error {
			return writeOneTx(ctx, drv, cfg.Neo4jDatabase, match+"CREATE (s)-[l:SUPPLIES]->(c) SET l = row.props", rows)
		}},
		{"create-without-properties", func() error {
			return writeOneTx(ctx, drv, cfg.Neo4jDatabase, match+"CREATE (s)-[:SUPPLIES]->(c)", rows)
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
				deleteSupplies(b, ctx, drv, cfg.Neo4jDatabase)
				b.StartTimer()
			}
			b.ReportMetric(float64(len(rows)*b.N)/spent.Seconds(), "rels/s")
		})
	}
}

// supplyRows reads a generated supply file into rows holding the
// properties the loader would store.
func supplyRows(b *testing.B, path string) []map[string]any {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	list := func(s string) any {
		if s == "" {
			return nil
		}
		return strings.Split(s, ";")
	}
	date := func(s string) any {
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			b.Fatal(err)
		}
		return neo4j.DateOf(t)
	}
	rows := make([]map[string]any, 0, len(recs)-1)
	for _, r := range recs[1:] { // supplier,customer,materials,since,until,confidence,sources
		props := map[string]any{}
		for k, v := range map[string]any{"materials": list(r[2]), "since": date(r[3]), "until": date(r[4]), "sources": list(r[6])} {
			if v != nil {
				props[k] = v
			}
		}
		if r[5] != "" {
			c, err := strconv.ParseFloat(r[5], 64)
			if err != nil {
				b.Fatal(err)
			}
			props["confidence"] = c
		}
		rows = append(rows, map[string]any{"supplier": r[0], "customer": r[1], "props": props})
	}
	return rows
}

// writeOneTx runs cypher over rows, 5,000 at a time (as the loader), in
// one transaction.
func writeOneTx(ctx context.Context, drv neo4j.DriverWithContext, db, cypher string, rows []map[string]any) error {
	sess := drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		for start := 0; start < len(rows); start += 5000 {
			res, err := tx.Run(ctx, cypher, map[string]any{"rows": rows[start:min(start+5000, len(rows))]})
			if err != nil {
				return nil, err
			}
			if _, err := res.Consume(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return err
}

func deleteSupplies(b *testing.B, ctx context.Context, drv neo4j.DriverWithContext, db string) {
	sess := drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH ()-[r:SUPPLIES]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
}
