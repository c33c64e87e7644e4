package app

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// columnName is a seed-file column name (snake_case) in a message.
var columnName = regexp.MustCompile(`\b[a-z]+(_[a-z]+)+\b`)

// Mutation errors speak GraphQL: the fields they name, in extensions.field,
// the message and every extensions.invalid item, are the input's fields
// (validFrom), never the seed file's columns (valid_from), also where a
// message names a second field.
func TestMutationErrorsNameInputFieldsNotColumns(t *testing.T) {
	w := newAuthWorld(t, true)
	grant := `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`
	tests := []struct {
		name, query string
		vars        map[string]any
		field, in   string // extensions.field and a part of the message
	}{
		{"licence window backwards", grant,
			map[string]any{"in": map[string]any{"id": "L-x", "validFrom": "2026-02-01", "validUntil": "2026-01-01"}},
			"input.validUntil", "is before validFrom 2026-02-01"},
		{"revoked before issued, in the input", grant,
			map[string]any{"in": map[string]any{"id": "L-x", "issuedOn": "2026-02-01", "revokedOn": "2026-01-01", "status": "REVOKED"}},
			"input.revokedOn", "is before issuedOn 2026-02-01"},
		{"revoked before the stored issue date", `mutation { revokeLicence(id: "L-revoked", on: "2024-01-01") { id } }`, nil,
			"on", "is before issuedOn 2025-01-01"},
		{"an imported item's window backwards", `mutation($in: [LicenceInput!]!) { importLicences(input: $in) { id } }`,
			map[string]any{"in": []any{map[string]any{"id": "L-ok"}, map[string]any{"id": "L-x", "validFrom": "2026-02-01", "validUntil": "2026-01-01", "excludedSectors": []string{"space"}}}},
			"input[1].validUntil", "input[1].validUntil: 2026-01-01 is before validFrom 2026-02-01"},
		{"supply link ends before it starts", `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) { since } }`,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "us-oem", "since": "2026-02-01", "until": "2026-01-01"}},
			"input.until", "is before since"},
	}
	before := testutil.Dump(t, w.cfg)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, raw := w.post("editor-api-key", tc.query, tc.vars)
			var resp struct {
				Errors []struct {
					Message    string
					Extensions struct {
						Code    string
						Field   string
						Invalid []struct{ Field, Message string }
					}
				}
			}
			if err := json.Unmarshal([]byte(raw), &resp); err != nil || len(resp.Errors) != 1 {
				t.Fatalf("want one error: %s", raw)
			}
			e := resp.Errors[0]
			if e.Extensions.Code != "BAD_USER_INPUT" || e.Extensions.Field != tc.field {
				t.Errorf("code %s field %q, want BAD_USER_INPUT %q: %s", e.Extensions.Code, e.Extensions.Field, tc.field, raw)
			}
			texts := []string{e.Message, e.Extensions.Field}
			for _, inv := range e.Extensions.Invalid {
				texts = append(texts, inv.Field, inv.Message)
			}
			for _, s := range texts {
				if c := columnName.FindString(s); c != "" {
					t.Errorf("%q names the column %s: %s", s, c, raw)
				}
			}
			if !regexp.MustCompile(regexp.QuoteMeta(tc.in)).MatchString(e.Message) {
				t.Errorf("message %q does not say %q", e.Message, tc.in)
			}
		})
	}
	if !slices.Equal(before, testutil.Dump(t, w.cfg)) {
		t.Fatal("a refused mutation wrote")
	}
}
