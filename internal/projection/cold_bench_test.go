package projection

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
)

// The cold questions on a generated world held in memory (no database):
// what a question costs right after a write, when nothing derived from the
// graph is kept yet. BENCH_COMPANIES sets the world's size (default
// 100,000). Run: go test -run XXX -bench Cold ./internal/projection/
var (
	benchOnce  sync.Once
	benchGraph *graph
	// benchHeap is the live heap once the world is held as a graph and
	// its records are dropped: what the projection costs in memory.
	benchHeap uint64
)

func benchWorld(b *testing.B) *graph {
	benchOnce.Do(func() {
		n := 100_000
		if s := os.Getenv("BENCH_COMPANIES"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		dir := b.TempDir()
		if _, err := synth.Generate(context.Background(), synth.Options{Companies: n, Seed: 1}, dir); err != nil {
			b.Fatal(err)
		}
		recs, err := seed.ReadFiles([]string{dir})
		if err != nil {
			b.Fatal(err)
		}
		g := newGraph()
		for _, r := range recs[domain.KindSector] {
			g.setSector(r.(domain.Sector))
		}
		for _, r := range recs[domain.KindControl] {
			g.setControl(r.(domain.ExportControl))
		}
		for _, r := range recs[domain.KindCompany] {
			g.setCompany(r.(domain.Company))
		}
		for _, r := range recs[domain.KindSupply] {
			g.setLink(r.(domain.SupplyLink))
		}
		for _, r := range recs[domain.KindLicence] {
			g.setLicence(r.(domain.Licence).WithDefaults())
		}
		g.sortCompanies()
		benchGraph = g
		recs = nil
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		benchHeap = m.HeapAlloc
	})
	return benchGraph
}

// BenchmarkColdGraphHeap reports the live heap of the world held as a
// graph (graph-MiB), the projection's memory without answers kept.
func BenchmarkColdGraphHeap(b *testing.B) {
	benchWorld(b)
	for b.Loop() {
	}
	b.ReportMetric(float64(benchHeap)/(1<<20), "graph-MiB")
}

func coldView(g *graph) *View { return &View{g: g, memo: newMemo()} }

func BenchmarkColdExposedCompanies(b *testing.B) {
	g := benchWorld(b)
	ctx := context.Background()
	d := domain.MustDate("2026-06-01")
	b.ResetTimer()
	for b.Loop() {
		v := coldView(g)
		list, err := v.Reach(ctx, domain.ExposureQuery{AsOf: d, MaxDepth: 4, Sector: "automotive"})
		if err != nil || len(list) == 0 {
			b.Fatal(len(list), err)
		}
		ids := make([]string, 0, 20)
		for _, x := range list[:20] {
			ids = append(ids, x.CompanyID)
		}
		if _, err := v.ExposureDetails(ctx, ids, domain.ExposureQuery{AsOf: d, MaxDepth: 4}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkColdFirstHops(b *testing.B) {
	g := benchWorld(b)
	d := domain.MustDate("2026-06-01")
	b.ResetTimer()
	for b.Loop() {
		coldView(g).firstHops(d)
	}
}

func BenchmarkColdExposurePaths(b *testing.B) {
	g := benchWorld(b)
	ctx := context.Background()
	d := domain.MustDate("2026-06-01")
	oem := g.ids[len(g.ids)-1]
	b.ResetTimer()
	for b.Loop() {
		if _, err := coldView(g).ExposurePaths(ctx, domain.PathsQuery{CompanyID: oem, ExposureQuery: domain.ExposureQuery{AsOf: d, MaxDepth: 4}, First: 10}); err != nil {
			b.Fatal(err)
		}
	}
}
