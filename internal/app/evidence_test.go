package app

import (
	"encoding/json"
	"testing"
)

// Evidence end to end: notes, licence confidence and cited sources written
// through the mutations are read back by every path that returns the
// records (the mutation itself, lookups, link pages, licence lists), and a
// licence's standing follows the exposure rules' tests on each date.
func TestEvidenceThroughTheAPI(t *testing.T) {
	w := newAuthWorld(t, true)
	const editor = "editor-api-key"
	mutations := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"upsertCompany", `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id note } }`,
			map[string]any{"in": map[string]any{"id": "de-oem", "name": "Auto Werke", "country": "DE", "sectors": []string{"automotive"},
				"note": "country: as registered"}},
			`{"upsertCompany":{"id":"de-oem","note":"country: as registered"}}`},
		{"upsertSupplyLink", `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) {
				confidence note sources reportedBy { ref url publisher publishedOn title } } }`,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "de-oem", "materials": []string{"NdFeB"}, "confidence": 0.3,
				"note": "[L] one secondary source", "sources": []string{"Reuters ,2025-06-12,  Magnet makers, named", "https://example.org/s2"}}},
			`{"upsertSupplyLink":{"confidence":0.3,"note":"[L] one secondary source",` +
				`"sources":["Reuters, 2025-06-12, Magnet makers, named","https://example.org/s2"],"reportedBy":[` +
				`{"ref":"Reuters, 2025-06-12, Magnet makers, named","url":null,"publisher":"Reuters","publishedOn":"2025-06-12","title":"Magnet makers, named"},` +
				`{"ref":"https://example.org/s2","url":"https://example.org/s2","publisher":null,"publishedOn":null,"title":null}]}}`},
		{"grantLicence", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id confidence note sources } }`,
			map[string]any{"in": map[string]any{"id": "L-cited", "holder": "cn-mag", "clients": []string{"de-oem"}, "materials": []string{"NdFeB"},
				"validFrom": "2025-06-09", "validUntil": "2025-12-08", "confidence": 0.7, "note": "validity: six months from about 2025-06-09",
				"sources": []string{"Reuters via Ford Authority, 2025-06-09"}}},
			`{"grantLicence":{"id":"L-cited","confidence":0.7,"note":"validity: six months from about 2025-06-09","sources":["Reuters via Ford Authority, 2025-06-09"]}}`},
		// revokeLicence rewrites the licence from what is stored: the
		// note, the confidence and the sources stay.
		{"revokeLicence keeps the evidence", `mutation { revokeLicence(id: "L-cited", on: "2025-10-01", reason: "test") {
				status confidence note reportedBy { publisher } } }`, nil,
			`{"revokeLicence":{"status":"REVOKED","confidence":0.7,"note":"validity: six months from about 2025-06-09","reportedBy":[{"publisher":"Reuters via Ford Authority"}]}}`},
	}
	for _, m := range mutations {
		resp, raw := w.post(editor, m.query, m.vars)
		if len(resp.Errors) > 0 || string(resp.Data) != m.want {
			t.Fatalf("%s:\n got  %s\n want %s", m.name, raw, `{"data":`+m.want+`}`)
		}
	}

	reads := []struct{ name, query, want string }{
		{"company", `{ company(id: "de-oem") { note } }`, `{"company":{"note":"country: as registered"}}`},
		{"a company's suppliers page", `{ company(id: "de-oem") { suppliers { edges { node { supplier { id } note confidence reportedBy { publisher } } } } } }`,
			`{"company":{"suppliers":{"edges":[{"node":{"supplier":{"id":"cn-mag"},"note":"[L] one secondary source","confidence":0.3,"reportedBy":[{"publisher":"Reuters"},{"publisher":null}]}},` +
				`{"node":{"supplier":{"id":"jp-parts"},"note":null,"confidence":null,"reportedBy":[]}}]}}}`},
		{"the other company's note on a page", `{ company(id: "cn-mag") { customers { edges { node { customer { id note } } } } } }`,
			`{"company":{"customers":{"edges":[{"node":{"customer":{"id":"de-oem","note":"country: as registered"}}},` +
				`{"node":{"customer":{"id":"fr-def","note":null}}},{"node":{"customer":{"id":"jp-parts","note":null}}}]}}}`},
		{"licencesHeld with sources", `{ company(id: "cn-mag") { licencesHeld(asOf: "2025-07-01") { id reportedBy { ref } } } }`,
			`{"company":{"licencesHeld":[{"id":"L-active","reportedBy":[{"ref":"https://example.org/l1"}]},` +
				`{"id":"L-cited","reportedBy":[{"ref":"Reuters via Ford Authority, 2025-06-09"}]},` +
				`{"id":"L-excl","reportedBy":[]},{"id":"L-pending","reportedBy":[]},{"id":"L-revoked","reportedBy":[]}]}}`},
		{"an export control's sources and note", `{ exportControls { id note reportedBy { url } } }`,
			`{"exportControls":[{"id":"X1","note":null,"reportedBy":[{"url":"https://example.org/x1"}]}]}`},
	}
	for _, r := range reads {
		data := mustData(t, w.url, r.query)
		if r.want != "" && string(data) != r.want {
			t.Errorf("%s:\n got  %s\n want %s", r.name, data, r.want)
		}
	}

	// Standing on dates: the status test first, then the dates.
	standings := []struct{ id, asOf, want string }{
		{"L-active", "2024-12-31", "NOT_YET_VALID"},
		{"L-active", "2025-01-01", "VALID"},
		{"L-active", "2025-12-31", "VALID"},
		{"L-active", "2026-01-01", "EXPIRED"},
		{"L-revoked", "2025-05-31", "VALID"},
		{"L-revoked", "2025-06-01", "REVOKED"},
		{"L-pending", "2025-06-01", "PENDING"},
		{"L-cited", "2025-09-30", "REVOKED"}, // revoked above: recorded REVOKED whatever the date
	}
	for _, s := range standings {
		data := mustData(t, w.url, `{ licence(id: "`+s.id+`") { status standing(asOf: "`+s.asOf+`") } }`)
		var got struct {
			Licence struct{ Status, Standing string }
		}
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if got.Licence.Standing != s.want {
			t.Errorf("%s on %s: standing %s, want %s", s.id, s.asOf, got.Licence.Standing, s.want)
		}
	}
	// Without asOf: today. L-active's window (2025) is over, and its
	// recorded status is still ACTIVE.
	if got := string(mustData(t, w.url, `{ licence(id: "L-active") { status standing } }`)); got != `{"licence":{"status":"ACTIVE","standing":"EXPIRED"}}` {
		t.Errorf("L-active today: %s", got)
	}

	// An invalid citation is BAD_USER_INPUT on the input field.
	resp, raw := w.post(editor, `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) { note } }`,
		map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "de-oem", "sources": []string{"Reuters, June 2025"}}})
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || resp.Errors[0].Extensions["field"] != "input.sources" {
		t.Fatalf("invalid citation: %s", raw)
	}
}
