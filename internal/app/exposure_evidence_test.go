package app

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The evidence of exposure answers end to end on the curated data:
// confidence, minConfidence, since, timelines, what explains a change and
// the link behind each hop (docs/exposure.md works the same example).
func TestExposureEvidenceOnCuratedData(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))

	t.Run("confidence and since of each exposed company", func(t *testing.T) {
		data := mustData(t, srv.URL, `{ exposedCompanies(asOf: "2026-12-06", first: 100) { totalCount
			edges { node { company { id } confidence since } } } }`)
		want := `{"exposedCompanies":{"totalCount":9,"edges":[` +
			`{"node":{"company":{"id":"bosch"},"confidence":0.5,"since":"2025-04-04"}},` +
			`{"node":{"company":{"id":"brose"},"confidence":0.5,"since":"2025-04-04"}},` +
			`{"node":{"company":{"id":"ford"},"confidence":0.9,"since":"2026-12-02"}},` +
			`{"node":{"company":{"id":"gm"},"confidence":0.7,"since":"2025-12-09"}},` +
			`{"node":{"company":{"id":"rivian"},"confidence":0.7,"since":"2026-12-02"}},` +
			`{"node":{"company":{"id":"siemens-gamesa"},"confidence":0.3,"since":"2026-12-02"}},` +
			`{"node":{"company":{"id":"stellantis"},"confidence":0.7,"since":"2025-12-09"}},` +
			`{"node":{"company":{"id":"toyota"},"confidence":0.5,"since":"2026-12-02"}},` +
			`{"node":{"company":{"id":"volkswagen"},"confidence":0.9,"since":"2025-06-14"}}]}}`
		if string(data) != want {
			t.Fatalf("got  %s\nwant %s", data, want)
		}
	})

	t.Run("minConfidence leaves out the lead JL MAG to Siemens Gamesa", func(t *testing.T) {
		data := string(mustData(t, srv.URL, `{ exposedCompanies(asOf: "2026-12-06", minConfidence: 0.5, first: 100) {
			totalCount edges { node { company { id } } } } }`))
		if !strings.Contains(data, `"totalCount":8`) || strings.Contains(data, "siemens-gamesa") || !strings.Contains(data, "toyota") {
			t.Fatalf("with minConfidence 0.5: %s", data)
		}
		if data := string(mustData(t, srv.URL, `{ exposurePaths(companyId: "siemens-gamesa", asOf: "2026-12-06", minConfidence: 0.5) { depth } }`)); data != `{"exposurePaths":[]}` {
			t.Fatalf("paths of siemens-gamesa with minConfidence 0.5: %s", data)
		}
	})

	t.Run("the link behind a hop", func(t *testing.T) {
		data := string(mustData(t, srv.URL, `{ exposurePaths(companyId: "siemens-gamesa", asOf: "2026-12-06") {
			confidence hops { link { supplier { id } customer { id } since until confidence materials { id } reportedBy { publisher } note } } } }`))
		for _, want := range []string{`"confidence":0.3,"hops":[{"link":{"supplier":{"id":"jl-mag"},"customer":{"id":"siemens-gamesa"},"since":null,"until":null,"confidence":0.3,"materials":[{"id":"NdFeB"}]`,
			`{"publisher":"Reuters"}`, `"note":"[L] facts.md rates this pair [L]`} {
			if !strings.Contains(data, want) {
				t.Fatalf("path of siemens-gamesa: %s\nwant it to contain %s", data, want)
			}
		}
	})

	t.Run("Volkswagen's timeline", func(t *testing.T) {
		data := mustData(t, srv.URL, `{ exposureTimeline(companyId: "volkswagen", from: "2025-01-01", to: "2026-12-31") {
			from to exposed uncoveredSuppliers { id } licences { id } controls { id } } }`)
		want := `{"exposureTimeline":[` +
			`{"from":"2025-01-01","to":"2025-04-03","exposed":false,"uncoveredSuppliers":[],"licences":[],"controls":[{"id":"MOFCOM-2025-18"}]},` +
			`{"from":"2025-04-04","to":"2025-04-29","exposed":true,"uncoveredSuppliers":[{"id":"baotou-tianhe"}],"licences":[{"id":"ps-2025-04-baotou-tianhe-volkswagen"}],"controls":[{"id":"MOFCOM-2025-18"}]},` +
			`{"from":"2025-04-30","to":"2025-06-13","exposed":false,"uncoveredSuppliers":[],"licences":[{"id":"ps-2025-04-baotou-tianhe-volkswagen"}],"controls":[]},` +
			`{"from":"2025-06-14","to":"2026-12-31","exposed":true,"uncoveredSuppliers":[{"id":"baotou-tianhe"}],"licences":[{"id":"ps-2025-04-baotou-tianhe-volkswagen"}],"controls":[]}]}`
		if string(data) != want {
			t.Fatalf("got  %s\nwant %s", data, want)
		}
	})

	t.Run("changes cite only controls that altered a hop's materials", func(t *testing.T) {
		// MOFCOM-2025-61 has dates in this window but was suspended
		// throughout and controls no material of these hops (NdFeB).
		data := string(mustData(t, srv.URL, `{ exposureChanges(from: "2025-11-01", to: "2026-12-05") {
			newlyExposed { company { id } controls { id } } noLongerExposed { company { id } controls { id } } } }`))
		if !strings.Contains(data, `{"company":{"id":"gm"},"controls":[]}`) || strings.Contains(data, "MOFCOM") {
			t.Fatalf("changes 2025-11-01 … 2026-12-05: %s", data)
		}
		// MOFCOM-2025-18 made NdFeB controlled on 2025-04-04.
		var got struct {
			ExposureChanges struct {
				NewlyExposed []struct {
					Company  struct{ ID string }
					Controls []struct{ ID string }
				}
			}
		}
		raw := mustData(t, srv.URL, `{ exposureChanges(from: "2025-03-01", to: "2025-05-01") { newlyExposed { company { id } controls { id } } } }`)
		if err := json.Unmarshal(raw, &got); err != nil || len(got.ExposureChanges.NewlyExposed) != 8 {
			t.Fatalf("changes 2025-03-01 … 2025-05-01: %s (%v)", raw, err)
		}
		for _, c := range got.ExposureChanges.NewlyExposed {
			if len(c.Controls) != 1 || c.Controls[0].ID != "MOFCOM-2025-18" {
				t.Errorf("%s newly exposed, explained by controls %v; want MOFCOM-2025-18", c.Company.ID, c.Controls)
			}
		}
	})

	t.Run("argument errors", func(t *testing.T) {
		tests := []struct{ name, query, code, field string }{
			{"minConfidence zero", `{ exposedCompanies(minConfidence: 0) { totalCount } }`, "BAD_USER_INPUT", "minConfidence"},
			{"minConfidence over one", `{ exposurePaths(companyId: "gm", minConfidence: 1.5) { depth } }`, "BAD_USER_INPUT", "minConfidence"},
			{"minConfidence negative", `{ exposureChanges(from: "2025-01-01", to: "2025-02-01", minConfidence: -0.1) { from } }`, "BAD_USER_INPUT", "minConfidence"},
			{"timeline too long", `{ exposureTimeline(companyId: "gm", from: "2025-01-01", to: "2028-01-02") { from } }`, "BAD_USER_INPUT", "to"},
			{"timeline backwards", `{ exposureTimeline(companyId: "gm", from: "2025-02-01", to: "2025-01-01") { from } }`, "BAD_USER_INPUT", "to"},
			{"timeline minConfidence", `{ exposureTimeline(companyId: "gm", from: "2025-01-01", to: "2025-02-01", minConfidence: 0) { from } }`, "BAD_USER_INPUT", "minConfidence"},
			{"timeline of nobody", `{ exposureTimeline(companyId: "nobody", from: "2025-01-01", to: "2025-02-01") { from } }`, "NOT_FOUND", "companyId"},
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

// The links of a page of paths are read in one batch: a company's paths
// with every hop's link cost the graph's version and one statement, not
// one per hop.
func TestHopLinksInOneBatch(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: 300, Seed: 1}, dir); err != nil {
		t.Fatal(err)
	}
	a, srv := loadedServer(t, dir)
	// An automaker with paths of several hops.
	var list struct {
		ExposedCompanies struct {
			Edges []struct {
				Node struct {
					Company   struct{ ID string }
					PathCount int
				}
			}
		}
	}
	raw := mustData(t, srv.URL, `{ exposedCompanies(asOf: "2026-06-01", sector: "automotive-oem", first: 100) { edges { node { company { id } pathCount } } } }`)
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	oem, most := "", 0
	for _, e := range list.ExposedCompanies.Edges {
		if e.Node.PathCount > most {
			oem, most = e.Node.Company.ID, e.Node.PathCount
		}
	}
	if most < 10 {
		t.Fatalf("no automaker with 10 paths: %s", raw)
	}
	q := fmt.Sprintf(`{ exposurePaths(companyId: %q, asOf: "2026-06-01", first: 20) { confidence hops { supplier { id } link { since confidence sources } } } }`, oem)
	mustData(t, srv.URL, q) // the projection catches up; the query is parsed
	best := int64(-1)
	for attempt := 0; attempt < 3 && best != 2; attempt++ {
		before := a.Store.Queries()
		data := mustData(t, srv.URL, q)
		got := a.Store.Queries() - before
		if hops := strings.Count(string(data), `"link":{`); hops < 20 {
			t.Fatalf("%d hops in 20 paths of %s: the page does not exercise batching", hops, oem)
		}
		if best < 0 || got < best {
			best = got
		}
	}
	// The graph's version (the projection), then the links.
	if best > 2 {
		t.Errorf("%d round trips for a page of paths with their links, want 2", best)
	}
}
