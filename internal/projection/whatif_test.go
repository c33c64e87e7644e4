package projection

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// A scenario's copy leaves the graph it was made from as it was, while
// other questions and other scenarios read it at the same time (run with
// -race), and a link added with a new material and confidence gets tables
// of its own.
func TestWhatIfLeavesTheGraph(t *testing.T) {
	g := worldGraph(t, 2000, 5)
	g.hopTable()
	before := dump(g)
	ctx := context.Background()
	q := domain.ExposureQuery{AsOf: domain.MustDate("2026-06-01"), MaxDepth: 4}
	baseline, err := coldView(g).Reach(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var cn, abroad []string
	for i, o := range g.origin {
		switch o {
		case originCN:
			cn = append(cn, g.ids[i])
		case originAbroad:
			abroad = append(abroad, g.ids[i])
		}
	}
	var lic *licence
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range g.licences {
			if !yield(id) {
				return
			}
		}
	}) {
		lic = g.licences[id]
		break
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				s := domain.Scenario{
					AddLinks: []domain.SupplyLink{{Supplier: cn[(w*5+i)%len(cn)], Customer: abroad[(w*7+i)%len(abroad)],
						Materials: []string{"Dy", "unobtainium"}, Confidence: ptrTo(0.123 + float64(w)/100)}},
					RevokeLicences: []domain.Revocation{{ID: lic.ID, On: domain.MustDate("2026-05-01")}},
				}
				if w%2 == 0 {
					s.SuspendControls = []domain.Suspension{{ID: g.controlOrder[0], From: domain.MustDate("2026-01-01")}}
				}
				v := coldView(g)
				sv, _, _, err := v.WhatIf(ctx, s)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := sv.Reach(ctx, q); err != nil {
					t.Error(err)
				}
				if _, err := v.Reach(ctx, q); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if after := dump(g); !slices.Equal(before, after) {
		t.Fatal("the graph changed under scenarios")
	}
	again, err := coldView(g).Reach(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if again.Len() != baseline.Len() {
		t.Fatalf("exposed %d after the scenarios, %d before", again.Len(), baseline.Len())
	}
	if _, ok := g.mats.ids["unobtainium"]; ok {
		t.Fatal("a scenario's new material reached the graph's table")
	}
}

func ptrTo[T any](v T) *T { return &v }
