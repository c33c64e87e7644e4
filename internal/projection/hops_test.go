package projection

import (
	"fmt"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// firstsByLinks is firstHops judged link by link from the licence lists
// (rules 1–4 as rules.go states them), the way the hop table must agree
// with.
func firstsByLinks(g *graph, d day) map[int32][]string {
	controlled := g.controlledOn(d)
	out := map[int32][]string{}
	for s := range g.out {
		for _, l := range g.out[s] {
			if g.origin[l.other] == originAbroad && g.uncoveredInto(int32(s), l.other, l, d, controlled) {
				out[l.other] = append(out[l.other], fmt.Sprint(g.ids[s], " ", g.linkConf(l)))
			}
		}
	}
	return out
}

func firstsOfTable(g *graph, d day) map[int32][]string {
	f := g.hopTable().firsts(len(g.ids), d, g.controlledOn(d))
	out := map[int32][]string{}
	for _, c := range f.s1 {
		for i, s := range f.of(c) {
			out[c] = append(out[c], fmt.Sprint(g.ids[s], " ", f.confOf(c)[i]))
		}
	}
	return out
}

func sameFirsts(t *testing.T, g *graph, when string) {
	t.Helper()
	for d := dayOf(domain.MustDate("2024-12-01"), 0); d < dayOf(domain.MustDate("2028-01-01"), 0); d += 17 {
		want, got := firstsByLinks(g, d), firstsOfTable(g, d)
		if len(want) != len(got) {
			t.Fatalf("%s, day %d: %d companies with first hops, want %d", when, d, len(got), len(want))
		}
		for c, w := range want {
			if !slices.Equal(got[c], w) {
				t.Fatalf("%s, day %d, %s: first hops %v, want %v", when, d, g.ids[c], got[c], w)
			}
		}
	}
}

// The hop table judges first hops as the rules do link by link, on every
// date, and follows licence writes (copies) and changes in place.
func TestHopTableJudgesAsTheRules(t *testing.T) {
	g := worldGraph(t, 3000, 7)
	sameFirsts(t, g, "loaded")

	// A licence copy: revoke, narrow and widen licences of busy holders.
	ids, ls := map[string]bool{}, map[string]domain.Licence{}
	n := 0
	for id, x := range g.licences {
		if n++; n > 40 {
			break
		}
		ids[id] = true
		l := x.Licence
		switch n % 4 {
		case 0: // removed
			continue
		case 1:
			l.RevokedOn = domain.MustDate("2026-03-01")
		case 2:
			l.Materials = l.Materials[:len(l.Materials)/2]
		case 3:
			l.ValidUntil = domain.Date{}
			l.ExcludedSectors = []string{g.sectorIDs[0]}
		}
		ls[id] = l
	}
	before := firstsOfTable(g, dayOf(domain.MustDate("2026-06-01"), 0))
	ng := g.withLicences(ids, ls)
	sameFirsts(t, ng, "after a licence copy")
	if after := firstsOfTable(g, dayOf(domain.MustDate("2026-06-01"), 0)); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("the old graph's first hops changed with the copy")
	}

	// Changes in place: a company moves to CN, a link gains a material,
	// a link goes, a sector moves.
	for i, id := range ng.ids {
		if ng.origin[i] == originAbroad && len(ng.out[i]) > 0 {
			ng.setCompany(domain.Company{ID: id, Country: "CN"})
			sameFirsts(t, ng, "after a company moved to CN")
			break
		}
	}
	for s := range ng.out {
		if ng.origin[s] == originCN && len(ng.out[s]) > 1 {
			l := ng.out[s][0]
			conf := 0.5
			ng.setLink(domain.SupplyLink{Supplier: ng.ids[s], Customer: ng.ids[l.other], Materials: []string{"Tb", "Dy", "new-material"}, Confidence: &conf})
			sameFirsts(t, ng, "after a link changed")
			ng.removeLink(ng.ids[s], ng.ids[ng.out[s][1].other])
			sameFirsts(t, ng, "after a link was removed")
			break
		}
	}
	ng.setSector(domain.Sector{ID: ng.sectorIDs[len(ng.sectorIDs)-1], Parent: ng.sectorIDs[0]})
	sameFirsts(t, ng, "after a sector moved")
}
