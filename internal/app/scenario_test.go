package app

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// exposureScenario end to end on the curated data: what a revocation and
// a grant would change on 2026-11-25 (when Bosch, Brose, GM, Stellantis
// and Volkswagen are exposed, docs/exposure.md), the hypothetical
// licences shown as the scenario has them, nothing written, and invalid
// changes refused with the path at fault.
func TestExposureScenarioOnCuratedData(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))
	exposedNow := func() []string {
		var got struct {
			ExposedCompanies struct {
				Edges []struct {
					Node struct{ Company struct{ ID string } }
				}
			}
		}
		if err := json.Unmarshal(mustData(t, srv.URL, `{ exposedCompanies(asOf: "2026-11-25", first: 100) { edges { node { company { id } } } } }`), &got); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range got.ExposedCompanies.Edges {
			ids = append(ids, e.Node.Company.ID)
		}
		return ids
	}
	before := exposedNow()

	type hop struct {
		Covered  bool
		Reason   *string
		Licences []struct {
			ID, Status string
			RevokedOn  *string
		}
	}
	var got struct {
		ExposureScenario struct {
			BaselineCount, ScenarioCount            int
			NewlyExposedCount, NoLongerExposedCount int
			NewlyExposed                            []struct {
				Company         struct{ ID string }
				MinDepth        int
				PathCount       int
				FirstHopReasons []string
				Paths           []struct {
					Hops []struct {
						Supplier, Customer struct{ ID string }
						Reason             *string
					}
				}
			}
			NoLongerExposed []struct{ Company struct{ ID string } }
			ChangedHops     []struct {
				Supplier, Customer struct{ ID string }
				Baseline, Scenario *hop
			}
		}
	}
	data := mustData(t, srv.URL, `{ exposureScenario(asOf: "2026-11-25", change: {
		revokeLicences: [{id: "gl-2025-12-ford-cn-magnet-suppliers", on: "2026-05-01"}]
		grantLicences: [{id: "what-if-vw", holder: "baotou-tianhe", clients: ["volkswagen"], materials: ["NdFeB"], validFrom: "2026-01-01", validUntil: "2026-12-31"}]
	}) {
		baselineCount scenarioCount newlyExposedCount noLongerExposedCount
		newlyExposed { company { id } minDepth pathCount firstHopReasons paths(first: 5) { hops { supplier { id } customer { id } reason } } }
		noLongerExposed { company { id } }
		changedHops { supplier { id } customer { id }
			baseline { covered reason licences { id status revokedOn } }
			scenario { covered reason licences { id status revokedOn } } }
	} }`)
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	s := got.ExposureScenario
	if s.BaselineCount != len(before) {
		t.Errorf("baselineCount %d, exposedCompanies lists %d", s.BaselineCount, len(before))
	}
	if len(s.NewlyExposed) != 1 || s.NewlyExposed[0].Company.ID != "ford" || s.NewlyExposedCount != 1 {
		t.Fatalf("newly exposed %+v, want ford alone (its suppliers' licence revoked)", s.NewlyExposed)
	}
	// Baotou Tianhe is Volkswagen's one Chinese supplier in the graph.
	if len(s.NoLongerExposed) != 1 || s.NoLongerExposed[0].Company.ID != "volkswagen" || s.NoLongerExposedCount != 1 {
		t.Errorf("no longer exposed %+v, want volkswagen alone (the hypothetical licence covers its one Chinese supplier)", s.NoLongerExposed)
	}
	ford := s.NewlyExposed[0]
	if ford.MinDepth != 1 || ford.PathCount == 0 || len(ford.Paths) == 0 || ford.Paths[0].Hops[0].Reason == nil ||
		!slices.Equal(ford.FirstHopReasons, []string{*ford.Paths[0].Hops[0].Reason}) {
		t.Errorf("ford in the scenario: %+v; want a path of depth 1 from its suppliers, with a reason, its one first hop's", ford)
	}
	if s.ScenarioCount != s.BaselineCount+s.NewlyExposedCount-s.NoLongerExposedCount {
		t.Errorf("counts do not add up: %+v", s)
	}
	var fordHop, vwHop bool
	for _, h := range s.ChangedHops {
		switch {
		case h.Supplier.ID == "ford-cn-magnet-suppliers" && h.Customer.ID == "ford":
			fordHop = true
			if h.Baseline == nil || !h.Baseline.Covered || h.Scenario == nil || h.Scenario.Covered || h.Scenario.Reason == nil {
				t.Fatalf("ford's hop: baseline %+v, scenario %+v; want covered, then not", h.Baseline, h.Scenario)
			}
			t.Logf("ford's hop in the scenario: %s", *h.Scenario.Reason)
			// Its suppliers also hold an older, expired licence for Ford
			// (tl-2025-06-…), which rule 4 may name first.
			if r := *h.Scenario.Reason; r != "REVOKED" && r != "EXPIRED" {
				t.Errorf("ford's hop in the scenario: reason %s, want REVOKED or EXPIRED", r)
			}
			status := func(ls []struct {
				ID, Status string
				RevokedOn  *string
			}) string {
				for _, l := range ls {
					if l.ID == "gl-2025-12-ford-cn-magnet-suppliers" {
						on := ""
						if l.RevokedOn != nil {
							on = " " + *l.RevokedOn
						}
						return l.Status + on
					}
				}
				return "absent"
			}
			if got := status(h.Scenario.Licences); got != "REVOKED 2026-05-01" {
				t.Errorf("ford's general licence in the scenario: %s; want it as revoked there (REVOKED 2026-05-01)", got)
			}
			if got := status(h.Baseline.Licences); got != "ACTIVE" {
				t.Errorf("ford's general licence as it stands: %s; want ACTIVE", got)
			}
		case h.Supplier.ID == "baotou-tianhe" && h.Customer.ID == "volkswagen":
			vwHop = true
			if h.Scenario == nil || !h.Scenario.Covered || !slices.ContainsFunc(h.Scenario.Licences, func(l struct {
				ID, Status string
				RevokedOn  *string
			}) bool {
				return l.ID == "what-if-vw" && l.Status == "ACTIVE"
			}) {
				t.Errorf("Tianhe → Volkswagen in the scenario %+v: want covered by the hypothetical licence what-if-vw", h.Scenario)
			}
		}
	}
	if !fordHop || !vwHop || len(s.ChangedHops) != 2 {
		t.Errorf("changed hops %+v: want Ford's and Tianhe → Volkswagen only", s.ChangedHops)
	}
	if after := exposedNow(); !slices.Equal(after, before) {
		t.Errorf("exposedCompanies after the scenario %v, before %v: a scenario must write nothing", after, before)
	}
	var licence struct{ Licence *struct{ ID string } }
	if err := json.Unmarshal(mustData(t, srv.URL, `{ licence(id: "what-if-vw") { id } }`), &licence); err != nil || licence.Licence != nil {
		t.Errorf("the hypothetical licence was written: %+v %v", licence, err)
	}

	for _, tc := range []struct{ name, change, field string }{
		{"nothing", `{}`, "change"},
		{"unknown licence", `{revokeLicences: [{id: "no-such-licence"}]}`, "change.revokeLicences[0].id"},
		{"unknown company", `{addLinks: [{supplier: "jl-mag", customer: "no-such-company", materials: ["NdFeB"]}]}`, "change.addLinks[0].customer"},
		{"unknown material", `{grantLicences: [{id: "x", holder: "jl-mag", clients: ["tesla"], materials: ["unobtainium"]}]}`, "change.grantLicences[0].materials"},
		{"invalid licence", `{grantLicences: [{id: "x", holder: "jl-mag", validFrom: "2026-05-01", validUntil: "2026-01-01"}]}`, "change.grantLicences[0].validUntil"},
		{"no such link", `{removeLinks: [{supplier: "volkswagen", customer: "jl-mag"}]}`, "change.removeLinks[0]"},
		{"unknown control", `{suspendControls: [{id: "no-such-control", from: "2026-01-01"}]}`, "change.suspendControls[0].id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, raw := postQuery(t, srv.URL, `{ exposureScenario(change: `+tc.change+`) { scenarioCount } }`)
			if len(resp.Errors) == 0 {
				t.Fatalf("accepted: %s", raw)
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["field"] != tc.field {
				t.Errorf("error %s; want BAD_USER_INPUT on %s", raw, tc.field)
			}
			if strings.Contains(raw, "MATCH") {
				t.Errorf("the error shows Cypher: %s", raw)
			}
		})
	}
}

// exposureScenario needs role READER, as every query.
func TestExposureScenarioNeedsReader(t *testing.T) {
	w := newAuthWorld(t, false)
	const q = `{ exposureScenario(change: {revokeLicences: [{id: "no-such-licence"}]}) { scenarioCount } }`
	resp, raw := w.post("", q, nil)
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %s; want UNAUTHENTICATED", raw)
	}
	resp, raw = w.post("reader-api-key", q, nil)
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("reader: %s; want the question answered (here BAD_USER_INPUT for the unknown licence)", raw)
	}
}

// Out-of-bounds sizes are refused on the field that takes them.
func TestExposureScenarioBounds(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))
	const change = `change: {revokeLicences: [{id: "gl-2025-12-ford-cn-magnet-suppliers", on: "2026-05-01"}]}`
	for _, tc := range []struct{ name, selection, path string }{
		{"companies", `newlyExposed(first: 5000) { company { id } }`, "newlyExposed"},
		{"paths", `newlyExposed { paths(first: 500) { depth } }`, "paths"},
		{"hops", `changedHops(first: -1) { supplier { id } }`, "changedHops"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, raw := postQuery(t, srv.URL, `{ exposureScenario(asOf: "2026-11-25", `+change+`) { `+tc.selection+` } }`)
			if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Fatalf("accepted or wrong code: %s", raw)
			}
			if p := resp.Errors[0].Path; len(p) == 0 || p[len(p)-1] != tc.path && (len(p) < 2 || p[len(p)-2] != tc.path) {
				t.Errorf("error path %v, want it to end at %s: %s", p, tc.path, raw)
			}
		})
	}
}
