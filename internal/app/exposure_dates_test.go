package app

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// exposureDates on the curated data: exactly the dates the records'
// bounds name (read back through the API), and every day on which the
// exposed list differs from the day before is one of them.
func TestExposureDatesOnCuratedData(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))
	const from, to = "2024-01-01", "2027-12-31"

	var got struct{ ExposureDates []string }
	if err := json.Unmarshal(mustData(t, srv.URL, `{ exposureDates(from: "`+from+`", to: "`+to+`") }`), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.ExposureDates) == 0 || !slices.IsSorted(got.ExposureDates) {
		t.Fatalf("exposureDates = %v, want some, in order", got.ExposureDates)
	}

	t.Run("the records' bounds", func(t *testing.T) {
		want := map[string]bool{}
		add := func(ds ...*string) {
			for _, d := range ds {
				if d != nil && from <= *d && *d <= to {
					want[*d] = true
				}
			}
		}
		var recs struct {
			Licences struct {
				PageInfo struct{ HasNextPage bool }
				Edges    []struct {
					Node struct{ ValidFrom, ValidUntil, RevokedOn *string }
				}
			}
			ExportControls []struct{ EffectiveFrom, SuspendedFrom, SuspendedUntil, LiftedOn *string }
			Companies      struct {
				PageInfo struct{ HasNextPage bool }
				Edges    []struct {
					Node struct {
						Suppliers struct {
							PageInfo struct{ HasNextPage bool }
							Edges    []struct {
								Node struct{ Since, Until *string }
							}
						}
					}
				}
			}
		}
		if err := json.Unmarshal(mustData(t, srv.URL, `{
			licences(first: 100) { pageInfo { hasNextPage } edges { node { validFrom validUntil revokedOn } } }
			exportControls { effectiveFrom suspendedFrom suspendedUntil liftedOn }
			companies(first: 100) { pageInfo { hasNextPage } edges { node {
				suppliers(first: 100) { pageInfo { hasNextPage } edges { node { since until } } } } } } }`), &recs); err != nil {
			t.Fatal(err)
		}
		if recs.Licences.PageInfo.HasNextPage || recs.Companies.PageInfo.HasNextPage {
			t.Fatal("the curated data outgrew one page: page through it here")
		}
		for _, e := range recs.Licences.Edges {
			l := e.Node
			var after *string
			if l.ValidUntil != nil {
				d := domain.MustDate(*l.ValidUntil).AddDays(1).String()
				after = &d
			}
			add(l.ValidFrom, after, l.RevokedOn)
		}
		for _, x := range recs.ExportControls {
			add(x.EffectiveFrom, x.SuspendedFrom, x.SuspendedUntil, x.LiftedOn)
		}
		for _, c := range recs.Companies.Edges {
			if c.Node.Suppliers.PageInfo.HasNextPage {
				t.Fatal("a company has more than 100 suppliers: page through them here")
			}
			for _, l := range c.Node.Suppliers.Edges {
				add(l.Node.Since, l.Node.Until)
			}
		}
		wantList := make([]string, 0, len(want))
		for d := range want {
			wantList = append(wantList, d)
		}
		slices.Sort(wantList)
		if !slices.Equal(got.ExposureDates, wantList) {
			t.Errorf("exposureDates = %v,\nthe records' bounds are %v", got.ExposureDates, wantList)
		}
	})

	t.Run("the exposed list changes only on them", func(t *testing.T) {
		on := map[string]bool{}
		for _, d := range got.ExposureDates {
			on[d] = true
		}
		exposed := func(d domain.Date) string {
			var v struct {
				ExposedCompanies struct {
					Edges []struct {
						Node struct{ Company struct{ ID string } }
					}
				}
			}
			if err := json.Unmarshal(mustData(t, srv.URL, `{ exposedCompanies(asOf: "`+d.String()+`", first: 100) { edges { node { company { id } } } } }`), &v); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range v.ExposedCompanies.Edges {
				ids = append(ids, e.Node.Company.ID)
			}
			return strings.Join(ids, ",")
		}
		changes := 0
		day := domain.MustDate("2025-06-01")
		prev := exposed(day)
		for end := domain.MustDate("2027-01-31"); !day.After(end); {
			day = day.AddDays(1)
			now := exposed(day)
			if now != prev {
				changes++
				if !on[day.String()] {
					t.Errorf("the exposed list changed on %s (%s → %s), not one of exposureDates", day, prev, now)
				}
			}
			prev = now
		}
		if changes == 0 {
			t.Error("the exposed list never changed over the span: the test proves nothing")
		}
	})

	t.Run("dates out of order", func(t *testing.T) {
		_, resp, raw := postQuery(t, srv.URL, `{ exposureDates(from: "2026-01-02", to: "2026-01-01") }`)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || resp.Errors[0].Extensions["field"] != "to" {
			t.Errorf("to before from: %s", raw)
		}
	})
}
