package exposure_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/projection"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Writes and questions interleaved on a generated world: after every
// write — a licence granted, revoked or narrowed, a link added, changed
// (dates, confidence) or removed, a company moved to another country or
// sector — every answer (with a minimum confidence too)
// equals the reference on the graph as it stands then, and the
// projection follows by re-reading what each write names, never by
// loading the graph again.
func TestExposureFollowsInterleavedWrites(t *testing.T) {
	store, recs, _ := generatedWorld(t, 200, 11)
	ctx := context.Background()
	proj := projection.New(store, testutil.Logger(t))
	engine := exposure.New(exposure.Views(proj.Acquire))
	dates := []domain.Date{day("2025-06-15"), day("2025-12-15"), day("2026-06-01")}
	ask := func(step int) {
		t.Helper()
		ref := newRefWorld(recs)
		for _, d := range dates {
			for _, depth := range []int{1, 3} {
				compareExposed(ctx, t, engine, ref, domain.ExposureQuery{AsOf: d, MaxDepth: depth})
			}
			compareExposed(ctx, t, engine, ref, domain.ExposureQuery{AsOf: d, MaxDepth: 4, Sector: "automotive"})
			compareExposed(ctx, t, engine, ref, domain.ExposureQuery{AsOf: d, MaxDepth: 3, MinConfidence: ptr(0.5)})
		}
		compareHops(ctx, t, engine, ref, dates[step%len(dates)])
	}
	ask(0)
	loads := proj.Loads.Load()

	rng := rand.New(rand.NewPCG(11, 29))
	w := &writer{ctx: ctx, t: t, store: store, recs: recs, rng: rng}
	kinds := map[string]int{}
	for step := 1; step <= 40; step++ {
		kinds[w.write()]++
		ask(step)
		if t.Failed() {
			t.Fatalf("answers differ from the reference after write %d (%v)", step, kinds)
		}
	}
	if n := proj.Loads.Load() - loads; n != 0 {
		t.Errorf("the projection loaded the whole graph %d times for 40 small writes", n)
	}
	t.Logf("writes: %v", kinds)
}

// generatedWorld loads a generated world of n companies into the test
// Neo4j, and returns its records and a function that loads it again.
func generatedWorld(t *testing.T, n int, seedNo int64) (*neo4jstore.Store, map[domain.Kind][]any, func()) {
	t.Helper()
	cfg, store := openStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Companies: n, Seed: seedNo}, dir); err != nil {
		t.Fatal(err)
	}
	recs, err := seed.ReadFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	load := func() {
		t.Helper()
		testutil.ResetGraph(t, cfg)
		if _, err := seed.New(store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{dir}); err != nil {
			t.Fatalf("loading the world: %v", err)
		}
	}
	load()
	return store, recs, load
}

// writer makes random writes to the store and to the records the
// reference is built from, alike.
type writer struct {
	ctx   context.Context
	t     *testing.T
	store *neo4jstore.Store
	recs  map[domain.Kind][]any
	rng   *rand.Rand
}

func (w *writer) pick(kind domain.Kind) (int, any) {
	i := w.rng.IntN(len(w.recs[kind]))
	return i, w.recs[kind][i]
}

// put writes one record as the seed loader does and keeps it in recs.
func (w *writer) put(kind domain.Kind, i int, rec any) {
	w.t.Helper()
	if _, err := w.store.WriteSeed(w.ctx, kind, []any{rec}, nil); err != nil {
		w.t.Fatalf("writing %s %+v: %v", kind, rec, err)
	}
	if i < 0 {
		w.recs[kind] = append(w.recs[kind], rec)
	} else {
		w.recs[kind][i] = rec
	}
}

func (w *writer) write() string {
	ctx := w.ctx
	switch w.rng.IntN(7) {
	case 0: // revoke a licence through the write API
		i, rec := w.pick(domain.KindLicence)
		l := rec.(domain.Licence)
		on := latest(day("2025-06-15"), l.IssuedOn, l.ValidFrom).AddDays(w.rng.IntN(500))
		if _, err := w.store.RevokeLicence(ctx, l.ID, on, "test"); err != nil {
			w.t.Fatalf("revoke %s: %v", l.ID, err)
		}
		l.Status, l.RevokedOn, l.RevocationReason = domain.StatusRevoked, on, "test"
		w.recs[domain.KindLicence][i] = l
		return "revoke"
	case 1: // a licence's materials, clients or window change
		i, rec := w.pick(domain.KindLicence)
		l := rec.(domain.Licence)
		if len(l.Materials) > 1 {
			l.Materials = l.Materials[:len(l.Materials)-1]
		}
		if len(l.Clients) > 1 && w.rng.IntN(2) == 0 {
			l.Clients = l.Clients[1:]
		}
		l.ValidUntil = latest(day("2025-09-01"), l.IssuedOn, l.ValidFrom).AddDays(w.rng.IntN(600))
		w.put(domain.KindLicence, i, l)
		return "licence"
	case 2: // a new licence for a Chinese supplier's customer
		i, rec := w.pick(domain.KindSupply)
		_ = i
		link := rec.(domain.SupplyLink)
		l := domain.Licence{ID: "LT-" + link.Supplier + "-" + link.Customer, Type: domain.LicenceType("GENERAL"),
			Status: domain.StatusActive, Holder: link.Supplier, Clients: []string{link.Customer},
			Materials: slices.Clone(link.Materials), ValidFrom: day("2025-10-01")}
		if j := slices.IndexFunc(w.recs[domain.KindLicence], func(x any) bool { return x.(domain.Licence).ID == l.ID }); j >= 0 {
			w.put(domain.KindLicence, j, l)
		} else {
			w.put(domain.KindLicence, -1, l)
		}
		return "grant"
	case 3: // remove a link through the write API
		i, rec := w.pick(domain.KindSupply)
		link := rec.(domain.SupplyLink)
		if _, err := w.store.RemoveSupplyLink(ctx, link.Supplier, link.Customer); err != nil {
			w.t.Fatalf("remove %s->%s: %v", link.Supplier, link.Customer, err)
		}
		w.recs[domain.KindSupply] = slices.Delete(w.recs[domain.KindSupply], i, i+1)
		return "unlink"
	case 4: // a link's dates and confidence change
		i, rec := w.pick(domain.KindSupply)
		link := rec.(domain.SupplyLink)
		link.Since = day("2025-01-01").AddDays(w.rng.IntN(400))
		link.Until = domain.Date{}
		if w.rng.IntN(2) == 0 {
			link.Until = link.Since.AddDays(100 + w.rng.IntN(400))
		}
		link.Confidence = nil
		if c := w.rng.IntN(100); c >= 10 {
			link.Confidence = ptr(float64(c) / 100)
		}
		w.put(domain.KindSupply, i, link)
		return "link dates"
	case 5: // a new link between two companies
		_, a := w.pick(domain.KindCompany)
		_, b := w.pick(domain.KindCompany)
		s, c := a.(domain.Company).ID, b.(domain.Company).ID
		if s == c || slices.ContainsFunc(w.recs[domain.KindSupply], func(x any) bool {
			l := x.(domain.SupplyLink)
			return l.Supplier == s && l.Customer == c
		}) {
			return w.write()
		}
		w.put(domain.KindSupply, -1, domain.SupplyLink{Supplier: s, Customer: c, Materials: []string{"Dy", "NdFeB"}})
		return "link"
	default: // a company moves to another country, or to another sector
		i, rec := w.pick(domain.KindCompany)
		c := rec.(domain.Company)
		if w.rng.IntN(2) == 0 {
			c.Country = map[bool]string{true: "DE", false: "CN"}[c.Country == "CN"]
		} else {
			_, s := w.pick(domain.KindSector)
			c.Sectors = []string{s.(domain.Sector).ID}
		}
		w.put(domain.KindCompany, i, c)
		return "company"
	}
}

// latest is the latest of dates (zero dates ignored).
func latest(ds ...domain.Date) domain.Date {
	var out domain.Date
	for _, d := range ds {
		if out.IsZero() || d.After(out) {
			out = d
		}
	}
	return out
}
