package projection

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// openWorld loads a generated world into the test Neo4j and returns the
// store on it.
func openWorld(t *testing.T, companies int, seedNo int64) (config.Config, *neo4jstore.Store) {
	t.Helper()
	cfg := testutil.Config(t)
	store, err := neo4jstore.Open(neo4jstore.Options{URI: cfg.Neo4jURI, User: cfg.Neo4jUser,
		Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase, Logger: testutil.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	ctx := context.Background()
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	testutil.ResetGraph(t, cfg)
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Companies: companies, Seed: seedNo}, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.New(store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{dir}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return cfg, store
}

// dump is the projection's content as sorted lines, comparable between
// projections.
func dump(g *graph) []string {
	var out []string
	for i, id := range g.ids {
		if g.country[i] == "" && len(g.out[i]) == 0 && len(g.in[i]) == 0 {
			continue // a placeholder nothing refers to any more
		}
		var sectors []string
		for _, s := range g.sectors[i] {
			sectors = append(sectors, g.sectorIDs[s])
		}
		slices.Sort(sectors)
		out = append(out, fmt.Sprintf("company %s %s %v", id, g.country[i], sectors))
		for _, l := range g.out[i] {
			out = append(out, fmt.Sprintf("link %s->%s %d %d %v %v", id, g.ids[l.other], l.since, l.until, g.names(g.linkMats(l)), g.linkConf(l)))
		}
		var in []string
		for _, l := range g.in[i] {
			in = append(in, g.ids[l.other])
		}
		slices.Sort(in)
		out = append(out, fmt.Sprintf("in %s %v", id, in))
	}
	for i, id := range g.sectorIDs {
		parent := ""
		if g.parent[i] >= 0 {
			parent = g.sectorIDs[g.parent[i]]
		}
		out = append(out, fmt.Sprintf("sector %s %s", id, parent))
	}
	for id, l := range g.licences {
		out = append(out, fmt.Sprintf("licence %s %+v", id, l.Licence))
	}
	for h, ls := range g.held {
		var ids []string
		for _, l := range ls {
			ids = append(ids, l.ID)
		}
		out = append(out, fmt.Sprintf("held %s %v", g.ids[h], ids))
	}
	for c, ls := range g.covering {
		var ids []string
		for _, l := range ls {
			ids = append(ids, l.ID)
		}
		out = append(out, fmt.Sprintf("covering %s %v", g.ids[c], ids))
	}
	for id, x := range g.controls {
		out = append(out, fmt.Sprintf("control %s %+v", id, x.ExportControl))
	}
	slices.Sort(out)
	return out
}

// sameAsFresh compares p, brought up to date, with a projection loaded
// from the graph now.
func sameAsFresh(t *testing.T, ctx context.Context, store *neo4jstore.Store, p *Projection, after string) {
	t.Helper()
	v, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := dump(v.g)
	v.Release()
	fresh := New(store, testutil.Logger(t))
	if err := fresh.Load(ctx); err != nil {
		t.Fatal(err)
	}
	want := dump(fresh.state.Load().g)
	if !slices.Equal(got, want) {
		var diff []string
		for _, l := range got {
			if !slices.Contains(want, l) {
				diff = append(diff, "- kept:   "+l)
			}
		}
		for _, l := range want {
			if !slices.Contains(got, l) {
				diff = append(diff, "+ graph:  "+l)
			}
		}
		t.Fatalf("after %s the projection differs from the graph:\n%s", after, strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
}

// The projection equals the graph after random sequences of writes: the
// write API's and the seed loader's, in this process and in another one
// (`licencegraph seed`), with no full load after the first.
func TestProjectionFollowsWrites(t *testing.T) {
	cfg, store := openWorld(t, 150, 5)
	ctx := context.Background()
	p := New(store, testutil.Logger(t))
	if err := p.Load(ctx); err != nil {
		t.Fatal(err)
	}
	bin := testutil.BuildLicencegraph(t)
	rng := rand.New(rand.NewPCG(5, 8))
	world := func() (companies []string, links [][2]string, licences []string) {
		v, err := p.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Release()
		for i, id := range v.g.ids {
			if v.g.country[i] != "" {
				companies = append(companies, id)
			}
			for _, l := range v.g.out[i] {
				links = append(links, [2]string{id, v.g.ids[l.other]})
			}
		}
		for id := range v.g.licences {
			licences = append(licences, id)
		}
		slices.Sort(licences)
		return companies, links, licences
	}
	for step := 1; step <= 30; step++ {
		companies, links, licences := world()
		pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
		var what string
		var err error
		switch rng.IntN(6) {
		case 0:
			id := pick(licences)
			what = "revokeLicence " + id
			_, err = store.RevokeLicence(ctx, id, domain.MustDate("2027-01-01"), "test")
		case 1:
			id := pick(licences)
			what = "setLicenceExclusions " + id
			_, err = store.SetLicenceExclusions(ctx, id, []string{"automotive"})
		case 2:
			l := links[rng.IntN(len(links))]
			what = "removeSupplyLink " + l[0] + "->" + l[1]
			_, err = store.RemoveSupplyLink(ctx, l[0], l[1])
		case 3:
			s, c := pick(companies), pick(companies)
			if s == c {
				continue
			}
			what = "upsertSupplyLink " + s + "->" + c
			conf := 0.25 + float64(step)/100
			_, err = store.UpsertSupplyLink(ctx, domain.SupplyLink{Supplier: s, Customer: c, Materials: []string{"Tb"},
				Since: domain.MustDate("2025-02-01"), Confidence: &conf})
		case 4:
			id := pick(companies)
			what = "upsertCompany " + id
			_, err = store.UpsertCompany(ctx, domain.Company{ID: id, Name: "Moved " + id, Country: "CN", Sectors: []string{"automotive"}})
		default:
			s, c := pick(companies), pick(companies)
			what = "licencegraph seed (another process), licence and link " + s + "->" + c
			seedInAnotherProcess(t, cfg, bin, map[string]string{
				"x.supply.csv":   fmt.Sprintf("supplier,customer,materials,until,confidence\n%s,%s,Dy;NdFeB,2026-09-01,0.9\n", s, c),
				"x.licences.csv": fmt.Sprintf("id,holder,clients,materials,valid_from\nLX-%d,%s,%s,Dy,2025-05-01\n", step, s, c),
			})
		}
		if err != nil {
			t.Fatalf("step %d %s: %v", step, what, err)
		}
		sameAsFresh(t, ctx, store, p, fmt.Sprintf("step %d (%s)", step, what))
	}
	if n := p.Loads.Load(); n != 1 {
		t.Errorf("%d full loads for 30 small writes, want only the first", n)
	}
}

// A reader never sees an answer older than a write acknowledged before
// its question began: after each write returns, a question on this
// projection and one on another (a second API replica) see it, while
// readers ask without pause on both.
func TestReadYourWrites(t *testing.T) {
	_, store := openWorld(t, 60, 2)
	ctx := context.Background()
	replicas := []*Projection{New(store, testutil.Logger(t)), New(store, testutil.Logger(t))}
	for _, p := range replicas {
		if err := p.Load(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, p := range replicas {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					v, err := p.Acquire(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = v.UncoveredHops(ctx, domain.MustDate("2026-03-01"))
					v.Release()
				}
			}()
		}
	}
	// A hop that one licence decides: CN supplier, foreign customer, a
	// controlled material.
	if _, err := store.UpsertCompany(ctx, domain.Company{ID: "ryw-cn", Name: "RYW CN", Country: "CN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpsertCompany(ctx, domain.Company{ID: "ryw-de", Name: "RYW DE", Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpsertSupplyLink(ctx, domain.SupplyLink{Supplier: "ryw-cn", Customer: "ryw-de", Materials: []string{"Dy"}}); err != nil {
		t.Fatal(err)
	}
	d := domain.MustDate("2026-03-01")
	for i := range 20 {
		grant := i%2 == 0
		if grant {
			_, err := store.WriteSeed(ctx, domain.KindLicence, []any{domain.Licence{ID: "L-ryw", Type: domain.LicenceGeneral,
				Status: domain.StatusActive, Holder: "ryw-cn", Clients: []string{"ryw-de"}, Materials: []string{"Dy"}}}, nil)
			if err != nil {
				t.Fatal(err)
			}
		} else if _, err := store.RevokeLicence(ctx, "L-ryw", domain.MustDate("2026-01-01"), "test"); err != nil {
			t.Fatal(err)
		}
		for r, p := range replicas {
			v, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			hops, err := v.ClassifyHops(ctx, [][2]string{{"ryw-cn", "ryw-de"}}, d)
			v.Release()
			if err != nil || len(hops) != 1 {
				t.Fatalf("ClassifyHops: %v %v", hops, err)
			}
			if hops[0].Covered != grant {
				t.Fatalf("write %d (grant %v) acknowledged, replica %d then answers covered=%v", i, grant, r, hops[0].Covered)
			}
		}
	}
	close(stop)
	wg.Wait()
}

func seedInAnotherProcess(t *testing.T, cfg config.Config, bin string, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "seed", "--no-progress", dir)
	cmd.Env = append(os.Environ(), "NEO4J_URI="+cfg.Neo4jURI)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("licencegraph seed: %v\n%s", err, out)
	}
}

// A write that names fewer records than it wrote (a seed file of more
// than domain.MaxChangeIDs records) reloads the projection whole, and the
// result equals the graph.
func TestLargeWriteReloads(t *testing.T) {
	_, store := openWorld(t, 120, 3)
	ctx := context.Background()
	p := New(store, testutil.Logger(t))
	if err := p.Load(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, id := range v.g.ids {
		if v.g.country[i] != "" {
			ids = append(ids, id)
		}
	}
	v.Release()
	var links []any
	for i := 0; len(links) <= domain.MaxChangeIDs; i++ {
		s, c := ids[i/len(ids)], ids[i%len(ids)] // each pair once
		if s != c {
			links = append(links, domain.SupplyLink{Supplier: s, Customer: c, Materials: []string{"Sm"}, Since: domain.MustDate("2024-02-02")})
		}
	}
	if _, err := store.WriteSeed(ctx, domain.KindSupply, links, nil); err != nil {
		t.Fatal(err)
	}
	sameAsFresh(t, ctx, store, p, fmt.Sprintf("a seed write of %d links", len(links)))
	if n := p.Loads.Load(); n != 2 {
		t.Errorf("%d full loads, want 2 (the first and the one the large write needs)", n)
	}
}
