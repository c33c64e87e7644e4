package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Cypher injection (docs/security.md): classic payloads in every string
// argument, filter field and cursor of the read API, in mutation inputs
// and in seed-file cells are data or BAD_USER_INPUT, never Cypher. Reads
// leave the graph as it was; writes store the payload verbatim and touch
// nothing else. (TestCypherIsNeverBuiltFromInput in neo4jstore shows why.)

func injectionPayloads(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "injection-payloads.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	if err := json.Unmarshal(raw, &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

// Every read operation with a string (or ID, Date, cursor) argument; $p
// is the payload.
var injectionReads = []string{
	`query($p: ID!) { company(id: $p) { id } }`,
	`query($p: String) { companies(filter: { nameContains: $p }) { totalCount } }`,
	`query($p: ID) { companies(filter: { sector: $p }) { totalCount } }`,
	`query($p: String) { companies(filter: { country: $p }) { totalCount } }`,
	`query($p: String) { companies(after: $p) { totalCount } }`,
	`query($p: String!) { search(text: $p) { id } }`,
	`query($p: ID!) { sector(id: $p) { id } }`,
	`query($p: ID!) { licence(id: $p) { id } }`,
	`query($p: ID) { licences(filter: { holder: $p }) { totalCount } }`,
	`query($p: ID) { licences(filter: { client: $p }) { totalCount } }`,
	`query($p: ID) { licences(filter: { material: $p }) { totalCount } }`,
	`query($p: String) { licences(after: $p) { totalCount } }`,
	`query($p: Date) { licences(filter: { validOn: $p }) { totalCount } }`,
	`query($p: ID) { exposedCompanies(sector: $p) { totalCount } }`,
	`query($p: String) { exposedCompanies(after: $p) { totalCount } }`,
	`query($p: Date) { exposedCompanies(asOf: $p) { totalCount } }`,
	`query($p: ID!) { exposurePaths(companyId: $p) { depth } }`,
	`query($p: ID!) { supplyChain(companyId: $p, direction: UPSTREAM) { nodes { id } } }`,
	`query($p: ID) { exposureChanges(from: "2025-01-01", to: "2026-01-01", sector: $p) { newlyExposed { company { id } } } }`,
	`query($p: String) { company(id: "de-oem") { suppliers(after: $p) { totalCount } customers(after: $p) { totalCount } } }`,
	`query($p: Date) { company(id: "cn-mag") { licencesHeld(asOf: $p) { id } clientCoverage(asOf: $p) { covered } } }`,
	`query($p: String) { changes(after: $p) { totalCount } }`,
}

// allowedCodes: what a payload may earn besides data.
var allowedCodes = []string{"BAD_USER_INPUT", "NOT_FOUND"}

func checkInjectionAnswer(t *testing.T, what string, resp gqlResponse, raw string) {
	t.Helper()
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if !slices.Contains(allowedCodes, code) {
			t.Errorf("%s: error %s: %.300s", what, code, raw)
		}
	}
}

func TestInjectionCorpus(t *testing.T) {
	w := newAuthWorld(t, true)
	payloads := injectionPayloads(t)
	before := testutil.Dump(t, w.cfg)
	token := "editor-api-key" // role editor (and so reader)

	t.Run("reads", func(t *testing.T) {
		for _, q := range injectionReads {
			for i, p := range payloads {
				resp, raw := w.post(token, q, map[string]any{"p": p})
				checkInjectionAnswer(t, fmt.Sprintf("%s with payload %d", q, i), resp, raw)
			}
		}
		// Inline in the document too: the GraphQL lexer's escapes.
		for i, p := range payloads {
			lit, _ := json.Marshal(p)
			resp, raw := w.post(token, fmt.Sprintf(`{ search(text: %s) { id } companies(filter: { nameContains: %s }) { totalCount } }`, lit, lit), nil)
			if len(resp.Errors) > 0 && resp.Errors[0].Extensions["code"] == "GRAPHQL_PARSE_FAILED" {
				continue // a payload GraphQL cannot hold inline (a NUL, a lone surrogate): refused by the parser
			}
			checkInjectionAnswer(t, fmt.Sprintf("inline payload %d", i), resp, raw)
		}
		if after := testutil.Dump(t, w.cfg); !slices.Equal(before, after) {
			t.Fatalf("reads changed the graph")
		}
	})

	// Writes keep a payload as data: read back byte for byte, and nothing
	// but the record written changes.
	t.Run("mutations", func(t *testing.T) {
		stored := 0
		for i, p := range payloads {
			id := fmt.Sprintf("inj-%d", i)
			in := map[string]any{"id": id, "name": p, "aliases": []string{p}, "country": "de", "lei": p}
			resp, raw := w.post(token, `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`, map[string]any{"in": in})
			checkInjectionAnswer(t, fmt.Sprintf("upsertCompany with payload %d", i), resp, raw)
			if len(resp.Errors) == 0 {
				// Accepted: read back as data. The lei check may refuse
				// it, so send it without.
				stored++
			} else {
				delete(in, "lei")
				resp, raw = w.post(token, `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`, map[string]any{"in": in})
				checkInjectionAnswer(t, fmt.Sprintf("upsertCompany (no lei) with payload %d", i), resp, raw)
				if len(resp.Errors) == 0 {
					stored++
				}
			}
			if len(resp.Errors) == 0 {
				got, raw := w.post(token, `query($id: ID!) { company(id: $id) { name aliases } }`, map[string]any{"id": id})
				var data struct {
					Company struct {
						Name    string
						Aliases []string
					}
				}
				if err := json.Unmarshal(got.Data, &data); err != nil || data.Company.Name != p || !slices.Equal(data.Company.Aliases, []string{p}) {
					t.Errorf("payload %d not stored verbatim: %.300s", i, raw)
				}
			}
			// As an id: refused by the id rules.
			resp, raw = w.post(token, `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"id": p, "name": "x", "country": "de"}})
			if len(resp.Errors) == 0 && !validID(p) {
				t.Errorf("payload %d accepted as an id: %.300s", i, raw)
			}
			checkInjectionAnswer(t, fmt.Sprintf("upsertCompany id payload %d", i), resp, raw)
			resp, raw = w.post(token, `mutation($p: String!) { revokeLicence(id: "L-active", on: "2025-07-01", reason: $p) { revocationReason } }`, map[string]any{"p": p})
			checkInjectionAnswer(t, fmt.Sprintf("revokeLicence reason payload %d", i), resp, raw)
			if len(resp.Errors) == 0 && !strings.Contains(raw, `"revocationReason"`) {
				t.Errorf("revokeLicence payload %d: %.300s", i, raw)
			}
			resp, raw = w.post(token, `mutation($p: ID!) { setLicenceExclusions(id: $p, sectorIds: [$p]) { id } }`, map[string]any{"p": p})
			checkInjectionAnswer(t, fmt.Sprintf("setLicenceExclusions payload %d", i), resp, raw)
		}
		if stored < len(payloads)/2 {
			t.Errorf("only %d of %d payloads stored as names: the test is not exercising writes", stored, len(payloads))
		}
		if got, want := untouched(testutil.Dump(t, w.cfg)), untouched(before); !slices.Equal(got, want) {
			t.Fatalf("writes changed more than their own records")
		}
	})

	// Seed-file cells: CSV and YAML companies with payload names and
	// aliases load verbatim; as ids they are refused, and a refused file
	// writes nothing.
	t.Run("seed cells", func(t *testing.T) {
		w.reset()
		before := testutil.Dump(t, w.cfg)
		loader := seed.New(w.app.Store, seed.Options{Logger: testutil.Logger(t)})
		for i, p := range payloads {
			if strings.ContainsAny(p, "\x00\r\n") || strings.TrimSpace(p) != p || strings.Contains(p, ";") {
				continue // CSV and YAML cells trim and split: checked as data by the mutations above
			}
			for _, format := range []string{"csv", "yaml"} {
				dir := t.TempDir()
				id := fmt.Sprintf("inj-%s-%d", format, i)
				var body string
				lit, _ := json.Marshal(p)
				switch format {
				case "csv":
					body = "id,name,aliases,country\n" + id + "," + csvCell(p) + "," + csvCell(p) + ",DE\n"
				case "yaml":
					body = fmt.Sprintf("- id: %s\n  name: %s\n  aliases: [%s]\n  country: DE\n", id, lit, lit)
				}
				if err := os.WriteFile(filepath.Join(dir, "companies."+format), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				if _, err := loader.Load(context.Background(), []string{dir}); err != nil {
					if len(p) < 200 {
						t.Errorf("%s payload %d refused: %v", format, i, err)
					}
					continue
				}
				got, raw := w.post(token, `query($id: ID!) { company(id: $id) { name aliases } }`, map[string]any{"id": id})
				if !strings.Contains(string(got.Data), string(lit)) {
					t.Errorf("%s payload %d not stored verbatim: %.300s", format, i, raw)
				}
				// The payload as an id: the whole file is refused.
				bad := "id,name,country\n" + csvCell(p) + ",x,DE\n"
				if format == "yaml" {
					bad = fmt.Sprintf("- id: %s\n  name: x\n  country: DE\n", lit)
				}
				if err := os.WriteFile(filepath.Join(dir, "companies."+format), []byte(bad), 0o600); err != nil {
					t.Fatal(err)
				}
				if _, err := loader.Load(context.Background(), []string{dir}); err == nil && !validID(p) {
					t.Errorf("%s payload %d accepted as an id", format, i)
				}
			}
		}
		if got, want := untouched(testutil.Dump(t, w.cfg)), untouched(before); !slices.Equal(got, want) {
			t.Fatalf("seed files changed more than their own records")
		}
	})
}

// untouched drops the dump lines of the records the test writes.
func untouched(dump []string) []string {
	return slices.DeleteFunc(slices.Clone(dump), func(l string) bool {
		return strings.Contains(l, "inj-") || strings.Contains(l, "L-active")
	})
}

func validID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i, c := range s {
		ok := c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && strings.ContainsRune("._:/+-", c))
		if !ok {
			return false
		}
	}
	return true
}

func csvCell(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
