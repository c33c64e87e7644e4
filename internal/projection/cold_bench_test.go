package projection

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
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

func benchWorld(b testing.TB) *graph {
	benchOnce.Do(func() {
		n := 100_000
		if s := os.Getenv("BENCH_COMPANIES"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		benchGraph = worldGraph(b, n, 1)
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		benchHeap = m.HeapAlloc
	})
	return benchGraph
}

// worldGraph is a generated world of n companies held as a graph, without
// a database.
func worldGraph(tb testing.TB, n int, seedNo int64) *graph {
	dir := tb.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: n, Seed: seedNo}, dir); err != nil {
		tb.Fatal(err)
	}
	recs, err := seed.ReadFiles([]string{dir})
	if err != nil {
		tb.Fatal(err)
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
	return g
}

// BenchmarkColdGraphHeap reports the live heap of the world held as a
// graph (graph-MiB), the projection's memory without answers kept.
func BenchmarkColdGraphHeap(b *testing.B) {
	benchWorld(b)
	for cpuLoop(b) {
	}
	b.ReportMetric(float64(benchHeap)/(1<<20), "graph-MiB")
}

func coldView(g *graph) *View { return &View{g: g, memo: newMemo()} }

func BenchmarkColdExposedCompanies(b *testing.B) {
	g := benchWorld(b)
	ctx := context.Background()
	d := domain.MustDate("2026-06-01")
	b.ResetTimer()
	for cpuLoop(b) {
		v := coldView(g)
		list, err := v.Reach(ctx, domain.ExposureQuery{AsOf: d, MaxDepth: 4, Sector: "automotive"})
		if err != nil || list.Len() == 0 {
			b.Fatal(err)
		}
		ids := make([]string, 0, 20)
		for _, x := range domain.ExposedRange(list, 0, 20) {
			ids = append(ids, x.CompanyID)
		}
		if _, err := v.ExposureDetails(ctx, ids, domain.ExposureQuery{AsOf: d, MaxDepth: 4}); err != nil {
			b.Fatal(err)
		}
	}
}

// The writer load test's readers (issue 14) ask on uniformly random
// dates of 2025–2027, each one cold: the search alone, date after date.
func BenchmarkColdReachRandomDates(b *testing.B) {
	g := benchWorld(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 14))
	from := domain.MustDate("2025-01-01")
	exposed := 0
	b.ResetTimer()
	for cpuLoop(b) {
		list, err := coldView(g).Reach(ctx, domain.ExposureQuery{AsOf: from.AddDays(r.IntN(3 * 365)), MaxDepth: 4, Sector: "automotive"})
		if err != nil {
			b.Fatal(err)
		}
		exposed += list.Len()
	}
	b.ReportMetric(float64(exposed)/float64(b.N), "exposed/op")
}

func BenchmarkColdFirstHops(b *testing.B) {
	g := benchWorld(b)
	d := domain.MustDate("2026-06-01")
	b.ResetTimer()
	for cpuLoop(b) {
		coldView(g).firstHops(d)
	}
}

func BenchmarkColdExposurePaths(b *testing.B) {
	g := benchWorld(b)
	ctx := context.Background()
	d := domain.MustDate("2026-06-01")
	oem := g.ids[len(g.ids)-1]
	b.ResetTimer()
	for cpuLoop(b) {
		if _, err := coldView(g).ExposurePaths(ctx, domain.PathsQuery{CompanyID: oem, ExposureQuery: domain.ExposureQuery{AsOf: d, MaxDepth: 4}, First: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

// coldEngine is the exposure engine on fresh views of g: every question
// is asked as if a write had just retired every answer kept.
func coldEngine(g *graph) *exposure.Engine {
	return exposure.New(exposure.SourceFunc(func(context.Context) (exposure.View, error) {
		p := &Projection{}
		p.mu.RLock() // View.Release unlocks it
		return &View{p: p, g: g, memo: newMemo()}, nil
	}))
}

// The page the API asks for by default: 20 automakers with their path
// counts, first suppliers and confidence, counting only paths of
// confidence 0.5 or more.
func BenchmarkColdExposedCompaniesMinConfidence(b *testing.B) {
	g := benchWorld(b)
	e := coldEngine(g)
	ctx := context.Background()
	t := 0.5
	q := domain.ExposureQuery{AsOf: domain.MustDate("2026-06-01"), MaxDepth: 4, Sector: "automotive", MinConfidence: &t}
	b.ResetTimer()
	for cpuLoop(b) {
		page, total, _, err := e.ExposedCompanyPage(ctx, q, domain.Page{First: 20}, domain.ExposedFields{Details: true})
		if err != nil || len(page) == 0 {
			b.Fatal(total, err)
		}
	}
}

// The same page without a minimum, through the engine (compare with
// BenchmarkColdExposedCompaniesMinConfidence).
func BenchmarkColdExposedCompaniesEngine(b *testing.B) {
	g := benchWorld(b)
	e := coldEngine(g)
	ctx := context.Background()
	q := domain.ExposureQuery{AsOf: domain.MustDate("2026-06-01"), MaxDepth: 4, Sector: "automotive"}
	b.ResetTimer()
	for cpuLoop(b) {
		if page, _, _, err := e.ExposedCompanyPage(ctx, q, domain.Page{First: 20}, domain.ExposedFields{Details: true}); err != nil || len(page) == 0 {
			b.Fatal(err)
		}
	}
}

// since for a page of 20 automakers (the list computed too).
func BenchmarkColdSince(b *testing.B) {
	g := benchWorld(b)
	e := coldEngine(g)
	ctx := context.Background()
	q := domain.ExposureQuery{AsOf: domain.MustDate("2026-06-01"), MaxDepth: 4, Sector: "automotive"}
	b.ResetTimer()
	for cpuLoop(b) {
		if page, _, _, err := e.ExposedCompanyPage(ctx, q, domain.Page{First: 20}, domain.ExposedFields{Since: true}); err != nil || len(page) == 0 {
			b.Fatal(err)
		}
	}
}

// The longest timeline (three years) of the automaker exposurePaths
// benchmarks ask for, and of the automaker with the most direct suppliers
// (at 100,000 companies, 25,000 paths at depth 4 on one day), at depth 4
// and 6.
func BenchmarkColdTimeline(b *testing.B) {
	g := benchWorld(b)
	hub, most := int32(0), -1
	if oem, ok := g.sectorIndex["automotive-oem"]; ok {
		for _, c := range g.sectorOf[oem] {
			if len(g.in[c]) > most {
				hub, most = c, len(g.in[c])
			}
		}
	}
	from := domain.MustDate("2024-06-02")
	for _, tc := range []struct {
		name    string
		company int32
		depth   int
	}{{"oem", int32(len(g.ids) - 1), 4}, {"hub", hub, 4}, {"hub depth 6", hub, 6}} {
		b.Run(tc.name, func(b *testing.B) {
			e := coldEngine(g)
			ctx := context.Background()
			q := domain.TimelineQuery{CompanyID: g.ids[tc.company], ExposureQuery: domain.ExposureQuery{AsOf: from, MaxDepth: tc.depth},
				To: from.AddDays(domain.MaxTimelineDays - 1)}
			for cpuLoop(b) {
				spans, err := e.ExposureTimeline(ctx, q)
				if err != nil || len(spans) == 0 {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(spans)), "intervals")
			}
		})
	}
}

// The first-hop table a licence write's copy of the graph builds on its
// first cold question.
func BenchmarkColdHopTable(b *testing.B) {
	g := benchWorld(b)
	b.ResetTimer()
	for cpuLoop(b) {
		g.buildHops()
	}
}

// A licence write's copy of the graph, its hop table judged again for
// the licence's holder and clients only.
func BenchmarkColdLicenceCopy(b *testing.B) {
	g := benchWorld(b)
	g.hopTable()
	var l domain.Licence
	for _, x := range g.licences {
		if len(x.Clients) > len(l.Clients) {
			l = x.Licence
		}
	}
	l.RevokedOn = domain.MustDate("2026-01-01")
	b.ResetTimer()
	for cpuLoop(b) {
		g.withLicences(map[string]bool{l.ID: true}, map[string]domain.Licence{l.ID: l})
	}
}

// What-if scenarios through the engine, cold: the baseline and the
// scenario both computed afresh (automakers on one date, 100 companies
// each way with their figures and 10 paths). One licence change (the
// licence with the most clients revoked), one supply link added (the
// walk layout made anew), one export control suspended.
func BenchmarkColdScenario(b *testing.B) {
	g := benchWorld(b)
	g.hopTable()
	var busiest domain.Licence
	for _, x := range g.licences {
		if n, m := len(x.Clients), len(busiest.Clients); n > m || n == m && x.ID < busiest.ID {
			busiest = x.Licence
		}
	}
	revokeOn := domain.MustDate("2026-01-01")
	for _, d := range []domain.Date{busiest.IssuedOn, busiest.ValidFrom} {
		if d.After(revokeOn) {
			revokeOn = d
		}
	}
	var cn, abroad string
	for i, o := range g.origin {
		if o == originCN && cn == "" {
			cn = g.ids[i]
		}
		if o == originAbroad && len(g.out[i]) == 0 {
			abroad = g.ids[i]
		}
	}
	control := g.controlOrder[0]
	for _, tc := range []struct {
		name   string
		change domain.Scenario
	}{
		{"revoke licence", domain.Scenario{RevokeLicences: []domain.Revocation{{ID: busiest.ID, On: revokeOn}}}},
		{"add link", domain.Scenario{AddLinks: []domain.SupplyLink{{Supplier: cn, Customer: abroad, Materials: []string{"Dy"}}}}},
		{"suspend control", domain.Scenario{SuspendControls: []domain.Suspension{{ID: control, From: domain.MustDate("2026-01-01")}}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := coldEngine(g).WithScenarios(exposure.WhatIfOn((*View).WhatIf), nil)
			ctx := context.Background()
			q := domain.ScenarioQuery{ExposureQuery: domain.ExposureQuery{AsOf: domain.MustDate("2026-06-01"), MaxDepth: 4, Sector: "automotive"},
				Change: tc.change, First: domain.DefaultScenarioCompanies, Paths: domain.DefaultPaths, Fields: domain.ExposedFields{Details: true}}
			var s domain.ExposureScenario
			for cpuLoop(b) {
				var err error
				if s, err = e.ExposureScenario(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.NewlyExposedCount), "newly")
			b.ReportMetric(float64(s.NoLongerExposedCount), "no-longer")
			b.ReportMetric(float64(len(s.ChangedHops)), "changed-hops")
		})
	}
}
