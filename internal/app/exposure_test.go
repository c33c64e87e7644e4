package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The exposure API end to end on the curated data (seed/), whose answers
// docs/exposure.md works through. The rules themselves are pinned in
// internal/exposure (rule tests and a property test against a reference).
func TestExposureAPIOnCuratedData(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))

	ids := func(raw json.RawMessage, path ...string) []string {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		var out []string
		for _, e := range v.([]any) {
			m := e.(map[string]any)
			if n, ok := m["node"]; ok {
				m = n.(map[string]any)
			}
			out = append(out, m["company"].(map[string]any)["id"].(string))
		}
		return out
	}

	t.Run("exposedCompanies by date", func(t *testing.T) {
		tests := []struct {
			asOf string
			want []string
		}{
			// Before the December 2025 general licences.
			{"2025-05-01", []string{"bosch", "brose", "ford", "gm", "rivian", "siemens-gamesa", "stellantis", "toyota"}},
			// Between the per-shipment licence's end (its 45-day rule,
			// seed/README.md) and the general licences', Volkswagen and
			// GM's and Stellantis' (six-month licences expired) are exposed.
			{"2026-11-25", []string{"bosch", "brose", "gm", "stellantis", "volkswagen"}},
			// The general licences lapsed on 2026-12-01.
			{"2026-12-05", []string{"bosch", "brose", "ford", "gm", "rivian", "siemens-gamesa", "stellantis", "toyota", "volkswagen"}},
		}
		for _, tc := range tests {
			data := mustData(t, srv.URL, `{ exposedCompanies(asOf: "`+tc.asOf+`", first: 100) {
				totalCount edges { node { company { id } minDepth pathCount uncoveredSuppliers { id } } } } }`)
			if got := ids(data, "exposedCompanies", "edges"); !slices.Equal(got, tc.want) {
				t.Errorf("%s: exposed %v, want %v", tc.asOf, got, tc.want)
			}
		}
	})

	t.Run("sector filter through the tree and paging", func(t *testing.T) {
		all := mustData(t, srv.URL, `{ exposedCompanies(asOf: "2026-12-05", sector: "automotive", first: 100) { totalCount edges { node { company { id } } } } }`)
		got := ids(all, "exposedCompanies", "edges")
		if slices.Contains(got, "siemens-gamesa") || !slices.Contains(got, "gm") || !slices.Contains(got, "bosch") {
			t.Fatalf("automotive exposed = %v (siemens-gamesa is wind, gm an automaker, bosch a parts maker)", got)
		}
		var seen []string
		after := ""
		for range 10 {
			q := `{ exposedCompanies(asOf: "2026-12-05", sector: "automotive", first: 2` + after + `) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { company { id } } } } }`
			var page struct {
				ExposedCompanies struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			data := mustData(t, srv.URL, q)
			json.Unmarshal(data, &page)
			seen = append(seen, ids(data, "exposedCompanies", "edges")...)
			if page.ExposedCompanies.TotalCount != len(got) {
				t.Fatalf("totalCount %d, want %d", page.ExposedCompanies.TotalCount, len(got))
			}
			if !page.ExposedCompanies.PageInfo.HasNextPage {
				break
			}
			after = `, after: "` + page.ExposedCompanies.PageInfo.EndCursor + `"`
		}
		if !slices.Equal(seen, got) {
			t.Fatalf("paged %v, want %v", seen, got)
		}
	})

	t.Run("why GM is exposed today", func(t *testing.T) {
		data := mustData(t, srv.URL, `{ exposurePaths(companyId: "gm", asOf: "2026-11-25") {
			depth hops { supplier { id } customer { id } materials { id } controlledMaterials { id }
			             controlled covered reason licences { id validUntil } } } }`)
		want := `{"exposurePaths":[{"depth":1,"hops":[{"supplier":{"id":"gm-cn-magnet-suppliers"},"customer":{"id":"gm"},` +
			`"materials":[{"id":"NdFeB"}],"controlledMaterials":[{"id":"NdFeB"}],"controlled":true,"covered":false,"reason":"EXPIRED",` +
			`"licences":[{"id":"tl-2025-06-gm-cn-magnet-suppliers","validUntil":"2025-12-08"}]}]}]}`
		if string(data) != want {
			t.Fatalf("got  %s\nwant %s", data, want)
		}
	})

	// firstHops are the distinct first hops of the paths exposurePaths
	// lists (the curated companies have fewer than 100), by supplier then
	// customer, and firstHopReasons their reasons; asked twice, the
	// second answer (kept per version) is the same.
	t.Run("first hops are those of the paths", func(t *testing.T) {
		type hop struct {
			Supplier, Customer struct{ ID string }
			Reason             string
		}
		for _, asOf := range []string{"2025-05-01", "2026-11-25", "2026-12-05"} {
			var page struct {
				ExposedCompanies struct {
					Edges []struct {
						Node struct {
							Company         struct{ ID string }
							FirstHops       []hop
							FirstHopReasons []string
						}
					}
				}
			}
			q := `{ exposedCompanies(asOf: "` + asOf + `", first: 100) { edges { node { company { id }
				firstHops { supplier { id } customer { id } reason } firstHopReasons } } } }`
			data := mustData(t, srv.URL, q)
			if again := mustData(t, srv.URL, q); string(again) != string(data) {
				t.Errorf("%s: asked again:\n%s\nfirst:\n%s", asOf, again, data)
			}
			if err := json.Unmarshal(data, &page); err != nil {
				t.Fatal(err)
			}
			if len(page.ExposedCompanies.Edges) == 0 {
				t.Fatalf("%s: nobody exposed: the test proves nothing", asOf)
			}
			for _, e := range page.ExposedCompanies.Edges {
				n := e.Node
				var paths struct{ ExposurePaths []struct{ Hops []hop } }
				if err := json.Unmarshal(mustData(t, srv.URL, `{ exposurePaths(companyId: "`+n.Company.ID+`", asOf: "`+asOf+`", first: 100) {
					hops { supplier { id } customer { id } reason } } }`), &paths); err != nil {
					t.Fatal(err)
				}
				var want []hop
				var reasons []string
				for _, p := range paths.ExposurePaths {
					if !slices.Contains(want, p.Hops[0]) {
						want = append(want, p.Hops[0])
						reasons = append(reasons, p.Hops[0].Reason)
					}
				}
				slices.SortFunc(want, func(a, b hop) int {
					return strings.Compare(a.Supplier.ID+"\x00"+a.Customer.ID, b.Supplier.ID+"\x00"+b.Customer.ID)
				})
				slices.Sort(reasons)
				if !slices.Equal(n.FirstHops, want) {
					t.Errorf("%s %s: firstHops %+v, want those of its paths %+v", asOf, n.Company.ID, n.FirstHops, want)
				}
				if !slices.Equal(n.FirstHopReasons, slices.Compact(reasons)) {
					t.Errorf("%s %s: firstHopReasons %v, want %v", asOf, n.Company.ID, n.FirstHopReasons, slices.Compact(reasons))
				}
			}
		}
	})

	t.Run("a producer's client coverage", func(t *testing.T) {
		data := mustData(t, srv.URL, `{ company(id: "baotou-tianhe") { clientCoverage(asOf: "2026-11-25") {
			client { id } materials { id } controlled covered reason licences { id } } } }`)
		want := `{"company":{"clientCoverage":[` +
			`{"client":{"id":"bosch"},"materials":[{"id":"NdFeB"}],"controlled":true,"covered":false,"reason":"NO_LICENCE","licences":[]},` +
			`{"client":{"id":"brose"},"materials":[{"id":"NdFeB"}],"controlled":true,"covered":false,"reason":"NO_LICENCE","licences":[]},` +
			`{"client":{"id":"volkswagen"},"materials":[{"id":"NdFeB"}],"controlled":true,"covered":false,"reason":"EXPIRED","licences":[{"id":"ps-2025-04-baotou-tianhe-volkswagen"}]}]}}`
		if string(data) != want {
			t.Fatalf("got  %s\nwant %s", data, want)
		}
	})

	// A licence's standing and a hop's reason come from the same tests:
	// Tianhe's per-shipment licence for Volkswagen on the days around its
	// 45 days (2025-04-30 … 2025-06-13).
	t.Run("standing agrees with the hop's reason", func(t *testing.T) {
		tests := []struct{ asOf, standing, coverage string }{
			{"2025-04-29", "NOT_YET_VALID", `"covered":false,"reason":"NOT_YET_VALID"`},
			{"2025-04-30", "VALID", `"covered":true,"reason":null`},
			{"2025-06-13", "VALID", `"covered":true,"reason":null`},
			{"2025-06-14", "EXPIRED", `"covered":false,"reason":"EXPIRED"`},
		}
		for _, tc := range tests {
			data := string(mustData(t, srv.URL, `{ licence(id: "ps-2025-04-baotou-tianhe-volkswagen") { status standing(asOf: "`+tc.asOf+`") }
				company(id: "baotou-tianhe") { clientCoverage(asOf: "`+tc.asOf+`") { client { id } covered reason } } }`))
			if !strings.Contains(data, `"standing":"`+tc.standing+`"`) || !strings.Contains(data, `"status":"ACTIVE"`) ||
				!strings.Contains(data, `{"client":{"id":"volkswagen"},`+tc.coverage+`}`) {
				t.Errorf("%s: %s\nwant standing %s and volkswagen %s", tc.asOf, data, tc.standing, tc.coverage)
			}
		}
	})

	t.Run("what changes when the general licences lapse", func(t *testing.T) {
		data := mustData(t, srv.URL, `{ exposureChanges(from: "2026-11-25", to: "2026-12-05") {
			from to newlyExposed { company { id } licences { id } controls { id } } noLongerExposed { company { id } } } }`)
		var got struct {
			ExposureChanges struct {
				From, To     string
				NewlyExposed []struct {
					Company  struct{ ID string }
					Licences []struct{ ID string }
				}
				NoLongerExposed []struct{ Company struct{ ID string } }
			}
		}
		json.Unmarshal(data, &got)
		c := got.ExposureChanges
		var newly []string
		for _, n := range c.NewlyExposed {
			var lics []string
			for _, l := range n.Licences {
				lics = append(lics, l.ID)
			}
			newly = append(newly, n.Company.ID+":"+strings.Join(lics, ","))
		}
		want := []string{"ford:gl-2025-12-ford-cn-magnet-suppliers", "rivian:gl-2025-12-jl-mag", "siemens-gamesa:gl-2025-12-jl-mag", "toyota:gl-2025-12-jl-mag"}
		if c.From != "2026-11-25" || c.To != "2026-12-05" || !slices.Equal(newly, want) || len(c.NoLongerExposed) != 0 {
			t.Fatalf("changes = %s\nnewly %v, want %v", data, newly, want)
		}
	})

	t.Run("argument errors", func(t *testing.T) {
		tests := []struct{ name, query, code, field string }{
			{"depth over the cap", `{ exposedCompanies(maxDepth: 7) { totalCount } }`, "BAD_USER_INPUT", "maxDepth"},
			{"depth zero", `{ exposurePaths(companyId: "gm", maxDepth: 0) { depth } }`, "BAD_USER_INPUT", "maxDepth"},
			{"too many paths", `{ exposurePaths(companyId: "gm", first: 1000) { depth } }`, "BAD_USER_INPUT", "first"},
			{"unknown company", `{ exposurePaths(companyId: "nobody") { depth } }`, "NOT_FOUND", "companyId"},
			{"to before from", `{ exposureChanges(from: "2026-12-05", to: "2026-11-25") { from } }`, "BAD_USER_INPUT", "to"},
			{"bad date", `{ exposedCompanies(asOf: "2026-02-30") { totalCount } }`, "BAD_USER_INPUT", "asOf"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, resp, raw := postQuery(t, srv.URL, tc.query)
				if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != tc.code || resp.Errors[0].Extensions["field"] != tc.field {
					t.Fatalf("want %s on %s: %s", tc.code, tc.field, raw)
				}
			})
		}
	})
}

// Exposure answers are cached per graph version; a write — here a seed load
// adding a customer of an exposed automaker — changes the next answer at
// once, on the same server.
func TestExposureFollowsWrites(t *testing.T) {
	a, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))
	const q = `{ exposedCompanies(asOf: "2026-11-25", first: 100) { totalCount edges { node { company { id } minDepth } } } }`
	before := string(mustData(t, srv.URL, q))
	if again := string(mustData(t, srv.URL, q)); again != before {
		t.Fatalf("same question, different answers without a write:\n%s\n%s", before, again)
	}
	if strings.Contains(before, `"test-dealer"`) {
		t.Fatal("test-dealer exposed before it exists")
	}
	dir := t.TempDir()
	files := map[string]string{
		"companies.yaml": "- id: test-dealer\n  name: Test Dealer\n  country: US\n",
		"supply.yaml":    "- supplier: gm\n  customer: test-dealer\n  since: 2020-01-01\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := seed.New(a.Store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), []string{dir}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	after := string(mustData(t, srv.URL, q))
	if !strings.Contains(after, `{"company":{"id":"test-dealer"},"minDepth":2}`) {
		t.Fatalf("after the load, test-dealer is not exposed at depth 2 (GM is at 1):\n%s", after)
	}
}
