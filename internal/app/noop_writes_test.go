package app

import (
	"context"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// A mutation that changes nothing — the same values sent again — records
// nothing and announces nothing: each mutation is sent four times; the
// first adds one audit-trail entry and moves the graph version, the other
// three neither. A licenceEvents subscriber sees exactly one event per
// mutation, in order, and then the event of a marker grant: an event of a
// repeat would come before it.
func TestNoOpWritesRecordNothing(t *testing.T) {
	w := newAuthWorld(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reader := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
	reader.subscribe("s", "")
	time.Sleep(300 * time.Millisecond) // the subscription has taken its starting point

	trail := func() (entries, seq int64) {
		r := testutil.Run(t, w.cfg, `MATCH (v:GraphVersion {id: 'graph'}) RETURN COUNT { (:Change) } AS n, v.seq AS seq`, nil)
		return r[0][0].(int64), r[0][1].(int64)
	}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		licences    bool // announced to licenceEvents
	}{
		{"setLicenceExclusions", `mutation { setLicenceExclusions(id: "L-active", sectorIds: ["defence", "automotive"]) { id } }`, nil, true},
		{"grantLicence", grantMutation, map[string]any{"in": map[string]any{"id": "L-noop", "holder": "cn-mag", "clients": []string{"us-oem", "de-oem"},
			"materials": []string{"NdFeB"}, "excludedSectors": []string{"defence"}, "sources": []string{"https://example.org/noop"}, "confidence": 0.5}}, true},
		{"importLicences", `mutation($in: [LicenceInput!]!) { importLicences(input: $in) { id } }`,
			map[string]any{"in": []any{map[string]any{"id": "L-noop-1", "holder": "cn-mag", "clients": []string{"jp-parts"}}, map[string]any{"id": "L-noop-2", "status": "PENDING"}}}, true},
		{"revokeLicence", `mutation { revokeLicence(id: "L-pending", on: "2025-07-01", reason: "noop") { id } }`, nil, true},
		{"upsertCompany", `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "it-noop", "name": "Noop SpA", "country": "IT", "sectors": []string{"automotive-oem"}, "aliases": []string{"N"}}}, false},
		{"upsertSupplyLink", upsertLinkMutation,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "us-oem", "materials": []string{"NdFeB", "Dy"}, "sources": []string{"https://example.org/noop"}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, seq := trail()
			for i := range 4 {
				resp, raw := w.post("editor-api-key", tc.query, tc.vars)
				if len(resp.Errors) > 0 {
					t.Fatalf("send %d: %s", i+1, raw)
				}
				e, s := trail()
				want := int64(0)
				if i == 0 {
					want = 1 // the first changes the graph
				}
				if e-entries != want || s-seq != want {
					t.Errorf("after send %d: %d audit entries and %d versions more, want %d", i+1, e-entries, s-seq, want)
				}
				entries, seq = e, s
			}
			if tc.licences {
				if ev := reader.event("s", 5*time.Second); ev.Operation != tc.name {
					t.Fatalf("event of %s, want %s", ev.Operation, tc.name)
				}
			}
		})
	}
	resp, raw := w.post("editor-api-key", `mutation { grantLicence(input: {id: "L-marker"}) { id } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("marker: %s", raw)
	}
	if ev := reader.event("s", 5*time.Second); len(ev.LicenceIDs) != 1 || ev.LicenceIDs[0] != "L-marker" {
		t.Fatalf("next event %+v, want the marker's: a repeated write was announced", ev)
	}
}
