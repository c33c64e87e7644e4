package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// TestConcurrentWritersConverge: writers racing on the same supply link or
// the same company leave one record, entirely one writer's (licences:
// TestConcurrentGrantsLeaveOneLicence).
func TestConcurrentWritersConverge(t *testing.T) {
	w := newAuthWorld(t, true)
	editor := &faultClient{url: w.url, token: "editor-api-key", http: &http.Client{Timeout: time.Minute}}
	materials := [][]string{{"NdFeB"}, {"Dy"}, {"NdFeB", "Dy"}}
	sectors := [][]string{{"automotive-oem"}, {"defence"}, {"ev-motors", "defence"}}
	const n = 12
	for round := range 3 {
		var wg sync.WaitGroup
		codes := make([]string, 2*n)
		for i := range n {
			wg.Go(func() {
				codes[i] = editor.do(context.Background(), upsertLinkMutation, map[string]any{"in": map[string]any{
					"supplier": "cn-mag", "customer": "us-oem", "materials": materials[i%len(materials)],
					"confidence": float64(i) / 100, "sources": []string{fmt.Sprintf("https://example.org/race/%d", i)}}}).code
			})
			wg.Go(func() {
				codes[n+i] = editor.do(context.Background(), `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`,
					map[string]any{"in": map[string]any{"id": "it-race", "name": fmt.Sprintf("Race %d", i), "country": "IT",
						"sectors": sectors[i%len(sectors)]}}).code
			})
		}
		wg.Wait()
		for i, c := range codes {
			if c != "" {
				t.Errorf("round %d, writer %d: %s", round, i, c)
			}
		}
		links := testutil.Run(t, w.cfg, `MATCH (:Company {id: "cn-mag"})-[r:SUPPLIES]->(:Company {id: "us-oem"})
			RETURN r.confidence, r.materials, r.sources`, nil)
		if len(links) != 1 {
			t.Fatalf("round %d: %d links cn-mag → us-oem, want 1: %v", round, len(links), links)
		}
		i := int(links[0][0].(float64)*100 + 0.5)
		if got, want := fmt.Sprint(links[0][1], links[0][2]), fmt.Sprint(anySlice(materials[i%len(materials)]), []any{fmt.Sprintf("https://example.org/race/%d", i)}); got != want {
			t.Errorf("round %d: link with confidence of writer %d has %s, want %s: two writes mixed", round, i, got, want)
		}
		companies := testutil.Run(t, w.cfg, `MATCH (c:Company {id: "it-race"})
			RETURN c.name, [(c)-[:OPERATES_IN]->(s) | s.id], COUNT { (c)-[:REGISTERED_IN]->() }`, nil)
		if len(companies) != 1 {
			t.Fatalf("round %d: %d companies it-race", round, len(companies))
		}
		var j int
		fmt.Sscanf(companies[0][0].(string), "Race %d", &j)
		got := fmt.Sprint(companies[0][1])
		want := sectors[j%len(sectors)]
		if len(companies[0][1].([]any)) != len(want) || companies[0][2].(int64) != 1 {
			t.Errorf("round %d: company named by writer %d has sectors %s (want %v) and %d countries", round, j, got, want, companies[0][2])
		}
		for _, s := range want {
			if !strings.Contains(got, s) {
				t.Errorf("round %d: company named by writer %d has sectors %s, want %v: two writes mixed", round, j, got, want)
			}
		}
	}
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestRetriedWritesAreIdempotent: a caller that did not get the answer of a
// write (its commit may or may not have happened) sends it again; the
// second time changes nothing in the graph. Each mutation is sent twice
// and the dumps after the first and the second are compared. (Dump leaves
// the audit trail out; TestNoOpWritesRecordNothing shows the second
// attempt records nothing there.)
func TestRetriedWritesAreIdempotent(t *testing.T) {
	w := newAuthWorld(t, true)
	editor := &faultClient{url: w.url, token: "editor-api-key", http: &http.Client{Timeout: time.Minute}}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		second      string // the code of the second answer: "" (data) unless the first removed the record
	}{
		{"upsertCompany", `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "it-retry", "name": "Retry SpA", "country": "IT", "sectors": []string{"automotive-oem"}, "aliases": []string{"R"}}}, ""},
		{"upsertSupplyLink", upsertLinkMutation,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "us-oem", "materials": []string{"NdFeB", "Dy"}, "sources": []string{"https://example.org/retry"}}}, ""},
		{"grantLicence", grantMutation,
			map[string]any{"in": map[string]any{"id": "L-retry", "holder": "cn-mag", "clients": []string{"us-oem", "de-oem"}, "materials": []string{"NdFeB"}, "excludedSectors": []string{"defence"}}}, ""},
		{"importLicences", `mutation($in: [LicenceInput!]!) { importLicences(input: $in) { id } }`,
			map[string]any{"in": []any{map[string]any{"id": "L-retry-1", "holder": "cn-mag", "clients": []string{"jp-parts"}}, map[string]any{"id": "L-retry-2", "status": "PENDING"}}}, ""},
		{"revokeLicence", `mutation { revokeLicence(id: "L-active", on: "2025-07-01", reason: "retry") { id } }`, nil, ""},
		{"setLicenceExclusions", `mutation { setLicenceExclusions(id: "L-active", sectorIds: ["defence"]) { id } }`, nil, ""},
		{"removeSupplyLink", `mutation { removeSupplyLink(supplier: "cn-mine", customer: "cn-mag") { supplier { id } } }`, nil, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := testutil.Dump(t, w.cfg)
			if o := editor.do(context.Background(), tc.query, tc.vars); o.code != "" {
				t.Fatalf("first: %s", o.code)
			}
			once := testutil.Dump(t, w.cfg)
			if slices.Equal(before, once) {
				t.Fatalf("the first write changed nothing: the case tests nothing")
			}
			if o := editor.do(context.Background(), tc.query, tc.vars); o.code != tc.second {
				t.Fatalf("second: code %q, want %q", o.code, tc.second)
			}
			sameDumpAs(t, testutil.Dump(t, w.cfg), once)
		})
	}
}

// sameDumpAs fails with the first differences between two dumps.
func sameDumpAs(t *testing.T, got, want []string) {
	t.Helper()
	sameDump(t, "after the retry", got, want)
}
