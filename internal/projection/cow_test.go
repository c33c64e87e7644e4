package projection

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// A licence write makes a copy of the graph: the old one, which views may
// still be reading, stays exactly as it was, and the copy equals a graph
// built with the new licences from the start.
func TestWithLicencesLeavesTheOldGraph(t *testing.T) {
	build := func(ls ...domain.Licence) *graph {
		g := newGraph()
		g.setSector(domain.Sector{ID: "auto"})
		for _, c := range []domain.Company{{ID: "cn1", Country: "CN"}, {ID: "cn2", Country: "CN"}, {ID: "de", Country: "DE"}, {ID: "fr", Country: "FR", Sectors: []string{"auto"}}} {
			g.setCompany(c)
		}
		g.setLink(domain.SupplyLink{Supplier: "cn1", Customer: "de", Materials: []string{"Dy", "Tb"}})
		for _, l := range ls {
			g.setLicence(l.WithDefaults())
		}
		g.sortCompanies()
		return g
	}
	lic := func(id, holder string, clients ...string) domain.Licence {
		return domain.Licence{ID: id, Holder: holder, Clients: clients, Materials: []string{"Dy"}, Type: domain.LicenceGeneral}.WithDefaults()
	}
	old := build(lic("L1", "cn1", "de"), lic("L2", "cn1", "de", "fr"), lic("L3", "cn2", "fr"))
	before := dump(old)

	changed := lic("L1", "cn2", "fr") // moves to another holder and client
	changed.ExcludedSectors = []string{"auto"}
	added := lic("L4", "cn1", "de", "fr")
	ng := old.withLicences(map[string]bool{"L1": true, "L2": true, "L4": true},
		map[string]domain.Licence{"L1": changed, "L4": added}) // L2 removed
	if !old.knowsAll(map[string]domain.Licence{"L1": changed, "L4": added}) {
		t.Fatal("knowsAll: the licences name only what the graph has")
	}
	if after := dump(old); !slices.Equal(before, after) {
		t.Fatalf("the old graph changed:\nbefore %v\nafter  %v", before, after)
	}
	want := build(lic("L3", "cn2", "fr"), changed, added)
	if got, w := dump(ng), dump(want); !slices.Equal(got, w) {
		t.Fatalf("copy:\n got %v\nwant %v", got, w)
	}
	for _, tc := range []struct {
		name string
		ls   map[string]domain.Licence
	}{
		{"new holder", map[string]domain.Licence{"L9": lic("L9", "cn9", "de")}},
		{"new client", map[string]domain.Licence{"L9": lic("L9", "cn1", "us")}},
		{"new material", map[string]domain.Licence{"L9": {ID: "L9", Holder: "cn1", Materials: []string{"Sm"}}}},
		{"new sector", map[string]domain.Licence{"L9": {ID: "L9", Holder: "cn1", ExcludedSectors: []string{"defence"}}}},
	} {
		if old.knowsAll(tc.ls) {
			t.Errorf("%s: knowsAll said yes; setting it would add to shared tables", tc.name)
		}
	}
}

// A view held open does not hold up a licence write: the next Acquire
// sees the write at once, and the held view still answers from the
// graph as it was when it was taken.
func TestLicenceWriteDoesNotWaitForViews(t *testing.T) {
	_, store := openWorld(t, 60, 2)
	ctx := context.Background()
	p := New(store, testutil.Logger(t))
	if err := p.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpsertCompany(ctx, domain.Company{ID: "held-cn", Name: "Held CN", Country: "CN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpsertCompany(ctx, domain.Company{ID: "held-de", Name: "Held DE", Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpsertSupplyLink(ctx, domain.SupplyLink{Supplier: "held-cn", Customer: "held-de", Materials: []string{"Dy"}}); err != nil {
		t.Fatal(err)
	}
	d := domain.MustDate("2026-03-01")
	covered := func(v *View) bool {
		t.Helper()
		hops, err := v.ClassifyHops(ctx, [][2]string{{"held-cn", "held-de"}}, d)
		if err != nil || len(hops) != 1 {
			t.Fatalf("ClassifyHops: %v %v", hops, err)
		}
		return hops[0].Covered
	}
	held, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	if covered(held) {
		t.Fatal("covered before any licence")
	}
	if _, err := store.WriteSeed(ctx, domain.KindLicence, []any{domain.Licence{ID: "L-held", Type: domain.LicenceGeneral,
		Status: domain.StatusActive, Holder: "held-cn", Clients: []string{"held-de"}, Materials: []string{"Dy"}}}, nil); err != nil {
		t.Fatal(err)
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done := make(chan *View, 1)
	go func() {
		v, err := p.Acquire(actx)
		if err != nil {
			t.Error(err)
		}
		done <- v
	}()
	select {
	case v := <-done:
		if v == nil {
			return
		}
		defer v.Release()
		if !covered(v) {
			t.Fatal("the view after the grant does not see it")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Acquire waited for the view held open")
	}
	if covered(held) {
		t.Fatal("the view held open sees a licence granted after it was taken")
	}
}
