package neo4jstore

import (
	"context"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Companies filtered by sector take one of two plans inside their
// statement (companiesStatement, walkRowCost), and so do their counts
// (countCompaniesStatement, countWalkRatio). On a generated world, every
// sector, with and without a country, paged at sizes that take each plan,
// must give exactly the companies a reference computed here from the
// unfiltered list finds; the world must exercise both plans of each.
func TestSectorFilterPlans(t *testing.T) {
	s := migratedEmptyStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Companies: 300, Seed: 3}, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.New(s, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{dir}); err != nil {
		t.Fatalf("seed: %v", err)
	}

	sectors, err := s.Sectors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parent := map[string]string{}
	for _, sec := range sectors {
		parent[sec.ID] = sec.Parent
	}
	under := func(sec, top string) bool {
		for ; sec != ""; sec = parent[sec] {
			if sec == top {
				return true
			}
		}
		return false
	}
	all := readAll(t, func(p domain.Page) ([]domain.Company, bool, error) {
		return s.Companies(ctx, domain.CompanyFilter{}, p)
	})

	walked, scanned, countWalked, countScanned := 0, 0, 0, 0
	for _, top := range sectors {
		members := 0 // memberships in the subtree, as the statements count them
		for _, c := range all {
			for _, sec := range c.Sectors {
				if under(sec, top.ID) {
					members++
				}
			}
		}
		for _, country := range []string{"", "CN", "DE"} {
			var want []string
			inCountry := 0
			for _, c := range all {
				if c.Country == country {
					inCountry++
				}
				if country != "" && c.Country != country {
					continue
				}
				if slices.ContainsFunc(c.Sectors, func(sec string) bool { return under(sec, top.ID) }) {
					want = append(want, c.ID)
				}
			}
			if country == "" || members <= countWalkRatio*inCountry {
				countWalked++
			} else {
				countScanned++
			}
			f := domain.CompanyFilter{Sector: top.ID, Country: country}
			if n, err := s.CountCompanies(ctx, f); err != nil || n != len(want) {
				t.Errorf("CountCompanies(%+v) = %d, %v; want %d", f, n, err, len(want))
			}
			for _, first := range []int{1, 7, 50} {
				if members*members <= walkRowCost*(first+1)*len(all) {
					walked++
				} else {
					scanned++
				}
				got := companyIDsOf(readAll(t, func(p domain.Page) ([]domain.Company, bool, error) {
					p.First = first
					return s.Companies(ctx, f, p)
				}))
				if !slices.Equal(got, want) && len(got)+len(want) > 0 {
					t.Errorf("Companies(%+v) in pages of %d:\n got %v\nwant %v", f, first, got, want)
				}
			}
		}
	}
	if walked == 0 || scanned == 0 || countWalked == 0 || countScanned == 0 {
		t.Fatalf("the world takes only one plan (pages: walk %d, scan %d; counts: walk %d, scan %d): it does not test both",
			walked, scanned, countWalked, countScanned)
	}
	t.Logf("cases by plan: pages walk %d, scan %d; counts walk %d, scan %d", walked, scanned, countWalked, countScanned)
}

// readAll pages through a list to its end.
func readAll(t *testing.T, page func(domain.Page) ([]domain.Company, bool, error)) []domain.Company {
	t.Helper()
	var out []domain.Company
	for p := (domain.Page{First: domain.MaxPageSize}); ; {
		items, more, err := page(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if !more || len(items) == 0 {
			return out
		}
		p.After = items[len(items)-1].ID
	}
}

// Filters are rows of companyFilters: each sets its own parameter, and a
// filter set names exactly the filters a request sets.
func TestCompanyFilterParams(t *testing.T) {
	tests := []struct {
		f    domain.CompanyFilter
		want []string
	}{
		{domain.CompanyFilter{}, nil},
		{domain.CompanyFilter{Country: "DE"}, []string{"country"}},
		{domain.CompanyFilter{Region: domain.RegionAsia, Role: domain.Role("OEM")}, []string{"region", "role"}},
		{domain.CompanyFilter{Sector: "automotive", NameContains: "  Bosch "}, []string{"sector", "name"}},
		{domain.CompanyFilter{NameContains: "   "}, nil},
	}
	for _, tc := range tests {
		set, params := companyFilterParams(tc.f)
		var got []string
		for _, cf := range companyFilters {
			if set.has(cf.param) {
				got = append(got, cf.param)
				if params[cf.param] == nil {
					t.Errorf("%+v: %s set but its parameter is null", tc.f, cf.param)
				}
			} else if params[cf.param] != nil {
				t.Errorf("%+v: %s not set but its parameter is %v", tc.f, cf.param, params[cf.param])
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v sets %v, want %v", tc.f, got, tc.want)
		}
	}
	if params := func() map[string]any {
		_, p := companyFilterParams(domain.CompanyFilter{NameContains: " Bosch "})
		return p
	}(); params["name"] != "bosch" {
		t.Errorf("name parameter = %v, want the trimmed lower-case text", params["name"])
	}
}
