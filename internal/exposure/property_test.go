package exposure_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/projection"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The property test: on synthetic worlds loaded into the real Neo4j, the
// engine answers exactly as the reference model (reference_test.go).

const (
	propCompanies  = 300 // per world
	propHopSample  = 50  // links judged by ClassifyHop per date
	propPathSample = 10  // companies whose paths are compared per query
	propPathLimit  = 10000
)

var (
	propSeeds = []int64{1, 2, 3, 4, 5}
	propDates = []string{"2025-03-01", "2025-06-15", "2025-11-07", "2025-12-15", "2026-06-01", "2026-11-10", "2026-12-02"}
	// propSectors are the sector filters asked for; "" is all companies.
	propSectors = []string{"", "automotive"}
	// propMinConfidences are the minimum confidences asked for; nil is
	// none. 0.36 is 0.6 × 0.6, which the products of generated
	// confidences (two decimals) meet exactly or miss by rounding only.
	propMinConfidences = []*float64{nil, ptr(0.6), ptr(0.36)}
)

// openStore returns a migrated store on the test Neo4j (skipping without
// NEO4J_URI).
func openStore(t *testing.T) (config.Config, *neo4jstore.Store) {
	t.Helper()
	cfg := testutil.Config(t)
	store, err := neo4jstore.Open(neo4jstore.Options{URI: cfg.Neo4jURI, User: cfg.Neo4jUser,
		Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase, Logger: testutil.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	if _, err := store.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return cfg, store
}

// searchesOnly hides a view's own Reach: the engine then combines the
// searches (WalkLevels, PropagateLabels) itself, as it does on stores
// without one.
type searchesOnly struct{ exposure.View }

// TestEngineOnRuleWorlds runs the engine on the hand-built worlds of
// rules_test.go: the edge cases (boundaries, ties, suspensions, cycles,
// confidences) that random worlds may miss; with the projection's own
// reach, with the engine combining the projection's searches, and on the
// same searches in Cypher (the benchmarks' database-side baseline).
func TestEngineOnRuleWorlds(t *testing.T) {
	for _, mode := range []string{"projection", "searches only", "cypher"} {
		t.Run(mode, func(t *testing.T) { engineOnRuleWorlds(t, mode) })
	}
}

func engineOnRuleWorlds(t *testing.T, mode string) {
	cfg, store := openStore(t)
	ctx := context.Background()
	proj := projection.New(store, testutil.Logger(t))
	var engine *exposure.Engine
	switch mode {
	case "searches only":
		engine = exposure.New(exposure.SourceFunc(func(ctx context.Context) (exposure.View, error) {
			v, err := proj.Acquire(ctx)
			if err != nil {
				return nil, err
			}
			return searchesOnly{v}, nil
		}))
	case "cypher":
		engine = exposure.New(exposure.Views(store.CypherExposure))
	default:
		engine = exposure.New(exposure.Views(proj.Acquire))
	}
	load := func(t *testing.T, extra []any) *refWorld {
		t.Helper()
		testutil.ResetGraph(t, cfg)
		recs := records(append(baseWorld(), extra...)...)
		for _, k := range domain.Kinds {
			if len(recs[k]) == 0 {
				continue
			}
			if _, err := store.WriteSeed(ctx, k, recs[k], nil); err != nil {
				t.Fatalf("writing %s: %v", k, err)
			}
		}
		return newRefWorld(recs)
	}
	for _, tc := range hopCases() {
		t.Run("hop/"+tc.name, func(t *testing.T) {
			ref := load(t, tc.extra)
			s, c, d := tc.ends()
			want, _ := ref.hop(s, c, d)
			got, err := engine.ClassifyHop(ctx, s, c, d)
			if err != nil {
				t.Fatalf("ClassifyHop(%s, %s, %s): %v", s, c, d, err)
			}
			if !reflect.DeepEqual(normHop(got), normHop(want)) {
				t.Errorf("ClassifyHop(%s, %s, %s):\n engine    %s\n reference %s", s, c, d, fmtHop(got), fmtHop(want))
			}
		})
	}
	for _, tc := range exposureCases() {
		t.Run("exposure/"+tc.name, func(t *testing.T) {
			ref := load(t, tc.extra)
			q := domain.ExposureQuery{AsOf: ruleDate, MaxDepth: tc.maxDepth, Sector: tc.sector, MinConfidence: tc.minConfidence}
			got, err := engine.ExposedCompanies(ctx, q)
			if err != nil {
				t.Fatalf("ExposedCompanies(%s): %v", fmtQuery(q), err)
			}
			if diff := exposedDiff(got, ref.exposed(q), 20); diff != "" {
				t.Errorf("ExposedCompanies(%s):\n%s", fmtQuery(q), diff)
			}
			for _, id := range ref.companyIDs {
				gotPaths, err := engine.ExposurePaths(ctx, domain.PathsQuery{CompanyID: id, ExposureQuery: q, First: propPathLimit})
				if err != nil {
					t.Errorf("ExposurePaths(%s, %s): %v", id, fmtQuery(q), err)
					continue
				}
				if diff := pathsDiff(gotPaths, ref.paths(id, q)); diff != "" {
					t.Errorf("ExposurePaths(%s, %s):\n%s", id, fmtQuery(q), diff)
				}
			}
		})
	}
	if mode == "projection" { // since, timelines and changes need the projection's own searches
		engineOnDatedCases(t, engine, load)
	}
}

func TestExposureMatchesReference(t *testing.T) {
	cfg, store := openStore(t)
	ctx := context.Background()
	engine := exposure.New(exposure.Views(projection.New(store, testutil.Logger(t)).Acquire))

	reasons := map[domain.ExposureReason]int{}
	var covered, uncontrolledCross, tallied int
	var dated datedTally
	for _, sd := range propSeeds {
		t.Run(fmt.Sprintf("seed=%d", sd), func(t *testing.T) {
			start := time.Now()
			dir := t.TempDir()
			if _, err := synth.Generate(ctx, synth.Options{Companies: propCompanies, Seed: sd}, dir); err != nil {
				t.Fatal(err)
			}
			recs, err := seed.ReadFiles([]string{dir})
			if err != nil {
				t.Fatal(err)
			}
			ref := newRefWorld(recs)
			testutil.ResetGraph(t, cfg)
			if sum, err := seed.New(store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{dir}); err != nil {
				for _, f := range sum.Files {
					for _, e := range f.Errors {
						t.Error(e)
					}
				}
				t.Fatalf("loading the world: %v", err)
			}
			loaded := time.Since(start)

			for _, ds := range propDates {
				d := day(ds)
				t.Run(ds, func(t *testing.T) {
					// Tally the reference's judgement of every link, to show
					// the world exercises every rule.
					controlledHops := 0
					for _, k := range ref.linkKeys {
						h, _ := ref.hop(k[0], k[1], d)
						switch {
						case h.Reason != "":
							reasons[h.Reason]++
						case h.Covered:
							covered++
						case ref.inCN(k[0]) && !ref.inCN(k[1]):
							uncontrolledCross++
						}
						if h.Controlled {
							controlledHops++
						}
					}
					// On a date when no material is controlled (2025-03-01,
					// before the first control in force took effect) no hop
					// is controlled and nobody is exposed; on every other
					// date the world must expose someone.
					if !ref.anyControlled(d) {
						if controlledHops > 0 {
							t.Errorf("%d hops controlled on %s, when no material is", controlledHops, d)
						}
					} else if len(ref.exposed(domain.ExposureQuery{AsOf: d, MaxDepth: 1})) == 0 {
						t.Errorf("world of seed %d exposes no company on %s: the comparison proves little", sd, d)
					}

					compareHops(ctx, t, engine, ref, d)
					for depth := 1; depth <= 4; depth++ {
						for _, sector := range propSectors {
							for _, minConf := range propMinConfidences {
								q := domain.ExposureQuery{AsOf: d, MaxDepth: depth, Sector: sector, MinConfidence: minConf}
								compareExposed(ctx, t, engine, ref, q)
							}
						}
					}
				})
			}
			dated.add(compareDated(ctx, t, engine, ref))
			tallied++
			t.Logf("seed %d: %d companies, %d links, %d licences; loaded in %v, compared in %v",
				sd, len(ref.companies), len(ref.links), len(ref.licences), loaded.Round(time.Millisecond),
				(time.Since(start) - loaded).Round(time.Millisecond))
		})
	}

	var counts []string
	for _, r := range domain.ExposureReasons {
		counts = append(counts, fmt.Sprintf("%s=%d", r, reasons[r]))
		// The tally is incomplete when a world could not be loaded.
		if reasons[r] == 0 && tallied == len(propSeeds) {
			t.Errorf("no hop of any world has reason %s: the worlds do not exercise it", r)
		}
	}
	t.Logf("reference hops over all seeds and dates: %s; covered=%d; CN→foreign not controlled=%d",
		strings.Join(counts, " "), covered, uncontrolledCross)
	if tallied == len(propSeeds) {
		dated.check(t)
	}
}

// anyControlled says whether some material is controlled on d (rule 1).
func (w *refWorld) anyControlled(d domain.Date) bool {
	for _, c := range w.controls {
		for _, m := range c.Materials {
			if w.controlled(m, d) {
				return true
			}
		}
	}
	return false
}

// hopSample picks about propHopSample links deterministically: the first
// link (in supplier, customer order) of every reason, covered and
// uncontrolled kind on d, then evenly spaced links of all kinds.
func hopSample(ref *refWorld, d domain.Date) [][2]string {
	var out [][2]string
	seen := map[[2]string]bool{}
	kinds := map[string]bool{}
	add := func(k [2]string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, k := range ref.linkKeys {
		h, _ := ref.hop(k[0], k[1], d)
		kind := fmt.Sprintf("%v/%v/%s/%v", h.Controlled, h.Covered, h.Reason, ref.inCN(k[0]) && !ref.inCN(k[1]))
		if !kinds[kind] {
			kinds[kind] = true
			add(k)
		}
	}
	step := max(1, len(ref.linkKeys)/max(1, propHopSample-len(out)))
	for i := 0; i < len(ref.linkKeys) && len(out) < propHopSample; i += step {
		add(ref.linkKeys[i])
	}
	return out
}

func compareHops(ctx context.Context, t *testing.T, engine domain.ExposureService, ref *refWorld, d domain.Date) {
	t.Helper()
	for _, k := range hopSample(ref, d) {
		want, _ := ref.hop(k[0], k[1], d)
		got, err := engine.ClassifyHop(ctx, k[0], k[1], d)
		if err != nil {
			t.Errorf("ClassifyHop(%s, %s, %s): %v", k[0], k[1], d, err)
			continue
		}
		if !reflect.DeepEqual(normHop(got), normHop(want)) {
			t.Errorf("ClassifyHop(%s, %s, %s):\n engine    %s\n reference %s", k[0], k[1], d, fmtHop(got), fmtHop(want))
		}
	}
}

func compareExposed(ctx context.Context, t *testing.T, engine domain.ExposureService, ref *refWorld, q domain.ExposureQuery) {
	t.Helper()
	want := ref.exposed(q)
	got, err := engine.ExposedCompanies(ctx, q)
	if err != nil {
		t.Errorf("ExposedCompanies(%s): %v", fmtQuery(q), err)
	} else if diff := exposedDiff(got, want, 20); diff != "" {
		t.Errorf("ExposedCompanies(%s): engine %d companies, reference %d; first differences:\n%s",
			fmtQuery(q), len(got), len(want), diff)
	}

	// The same list, page by page, as the API asks for it.
	var paged []domain.ExposedCompany
	after := ""
	for range len(want)/7 + 2 {
		page, total, more, err := engine.ExposedCompanyPage(ctx, q, domain.Page{First: 7, After: after}, domain.ExposedFields{Details: true})
		if err != nil {
			t.Errorf("ExposedCompanyPage(%s, after %q): %v", fmtQuery(q), after, err)
			break
		}
		if total != len(want) {
			t.Errorf("ExposedCompanyPage(%s): total %d, reference %d", fmtQuery(q), total, len(want))
		}
		paged = append(paged, page...)
		if !more {
			break
		}
		after = page[len(page)-1].CompanyID
	}
	if diff := exposedDiff(paged, want, 20); diff != "" {
		t.Errorf("ExposedCompanyPage(%s) page by page: %d companies, reference %d; first differences:\n%s",
			fmtQuery(q), len(paged), len(want), diff)
	}

	// Paths of a deterministic spread of the exposed companies, and of one
	// company that is not exposed.
	var ids []string
	if n := len(want); n > 0 {
		for i := range min(n, propPathSample) {
			ids = append(ids, want[i*n/min(n, propPathSample)].CompanyID)
		}
	}
	if q.Sector == "" {
		for _, id := range ref.companyIDs {
			if !slices.ContainsFunc(want, func(e domain.ExposedCompany) bool { return e.CompanyID == id }) {
				ids = append(ids, id)
				break
			}
		}
	}
	wantFirst := map[string][]domain.SupplyHop{} // the distinct first hops of all its paths
	for _, id := range ids {
		wantPaths := ref.paths(id, q)
		for _, p := range wantPaths {
			h := normHop(p.Hops[0])
			if !slices.ContainsFunc(wantFirst[id], func(x domain.SupplyHop) bool { return x.Supplier == h.Supplier && x.Customer == h.Customer }) {
				wantFirst[id] = append(wantFirst[id], h)
			}
		}
		slices.SortFunc(wantFirst[id], func(a, b domain.SupplyHop) int {
			return cmp.Or(strings.Compare(a.Supplier, b.Supplier), strings.Compare(a.Customer, b.Customer))
		})
		if len(wantPaths) > propPathLimit {
			wantPaths = wantPaths[:propPathLimit]
		}
		gotPaths, err := engine.ExposurePaths(ctx, domain.PathsQuery{CompanyID: id, ExposureQuery: q, First: propPathLimit})
		if err != nil {
			t.Errorf("ExposurePaths(%s, %s): %v", id, fmtQuery(q), err)
			continue
		}
		if diff := pathsDiff(gotPaths, wantPaths); diff != "" {
			t.Errorf("ExposurePaths(%s, %s): engine %d paths, reference %d:\n%s", id, fmtQuery(q), len(gotPaths), len(wantPaths), diff)
		}
	}

	// The first hops of the same companies (the API's firstHops), asked
	// twice: the second answer comes from what the engine keeps.
	for range 2 {
		got, err := engine.FirstHops(ctx, q, ids)
		if err != nil {
			t.Errorf("FirstHops(%s): %v", fmtQuery(q), err)
			return
		}
		for _, id := range ids {
			if !slices.EqualFunc(got[id], wantFirst[id], func(a, b domain.SupplyHop) bool { return reflect.DeepEqual(normHop(a), normHop(b)) }) {
				t.Errorf("FirstHops(%s, %s):\n engine    %s\n reference %s", id, fmtQuery(q), fmtHops(got[id]), fmtHops(wantFirst[id]))
			}
		}
	}
}

func fmtHops(hs []domain.SupplyHop) string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = fmtHop(h)
	}
	return "[" + strings.Join(out, "; ") + "]"
}
