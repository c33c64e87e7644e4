package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The read API end to end: the real handler on the real Neo4j, fixtures
// loaded through the seed loader. testdata/readapi is a small world whose
// answers are known exactly; the curated seed/ is used for search.

// loadedServer resets the graph, loads paths with the seed loader and
// starts a server on it.
func loadedServer(t *testing.T, paths ...string) (*App, *httptest.Server) {
	t.Helper()
	cfg := testutil.Config(t)
	a, srv := newTestApp(t, cfg)
	ctx := context.Background()
	if _, err := a.Store.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	testutil.ResetGraph(t, cfg)
	if _, err := seed.New(a.Store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, paths); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return a, srv
}

// postVars posts a query with variables.
func postVars(t *testing.T, url, query string, vars map[string]any) (gqlResponse, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, buf.String())
	}
	return out, buf.String()
}

// mustData posts a query, fails on any error and returns the data.
func mustData(t *testing.T, url, query string) json.RawMessage {
	t.Helper()
	status, resp, raw := postQuery(t, url, query)
	if status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("query %s\nstatus %d: %s", query, status, raw)
	}
	return resp.Data
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("bad JSON %s: %v", raw, err)
	}
	return v
}

// checkData compares a query's data with want (JSON).
func checkData(t *testing.T, url, query, want string) {
	t.Helper()
	got := mustData(t, url, query)
	if !reflect.DeepEqual(decode(t, got), decode(t, []byte(want))) {
		t.Errorf("query %s\n got %s\nwant %s", query, got, want)
	}
}

type errorCase struct {
	name, query string
	vars        map[string]any
	code, field string
	// namesField: the message itself names the argument (scalar errors).
	namesField bool
}

func checkErrors(t *testing.T, url string, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := postVars(t, url, tc.query, tc.vars)
			if len(resp.Errors) != 1 {
				t.Fatalf("want one error: %s", raw)
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != tc.code {
				t.Errorf("code = %v, want %s: %s", e.Extensions["code"], tc.code, raw)
			}
			if tc.field != "" && e.Extensions["field"] != tc.field {
				t.Errorf("field = %v, want %s: %s", e.Extensions["field"], tc.field, raw)
			}
			if tc.namesField && !strings.HasPrefix(e.Message, tc.field+": ") {
				t.Errorf("message %q does not name %s", e.Message, tc.field)
			}
		})
	}
}

func readAPIWorld(t *testing.T) *httptest.Server {
	t.Helper()
	_, srv := loadedServer(t, filepath.Join("testdata", "readapi"))
	return srv
}

func TestReadLookups(t *testing.T) {
	srv := readAPIWorld(t)
	tests := []struct{ name, query, want string }{
		{"company", `{ company(id: "de-oem") { id name aliases country { code name region } roles sectors { id name } lei website } }`,
			`{"company": {"id": "de-oem", "name": "Auto Werke", "aliases": [], "country": {"code": "DE", "name": "Germany", "region": "EUROPE"},
			  "roles": ["OEM"], "sectors": [{"id": "automotive-oem", "name": "Vehicle makers"}], "lei": "529900T8BM49AURSDO55", "website": "https://auto.example"}}`},
		{"company absent fields are null", `{ company(id: "cn-mag") { aliases lei website } }`,
			`{"company": {"aliases": ["磁材厂", "MagWorks"], "lei": null, "website": null}}`},
		{"unknown company", `{ company(id: "nope") { id } }`, `{"company": null}`},
		{"sector tree", `{ sector(id: "automotive-components") { id name parent { id parent { id } } children { id children { id } } } }`,
			`{"sector": {"id": "automotive-components", "name": "Components", "parent": {"id": "automotive", "parent": null},
			  "children": [{"id": "ev-motors", "children": []}]}}`},
		{"sectors", `{ sectors { id parent { id } children { id } } }`,
			`{"sectors": [
			  {"id": "automotive", "parent": null, "children": [{"id": "automotive-components"}, {"id": "automotive-oem"}]},
			  {"id": "automotive-components", "parent": {"id": "automotive"}, "children": [{"id": "ev-motors"}]},
			  {"id": "automotive-oem", "parent": {"id": "automotive"}, "children": []},
			  {"id": "defence", "parent": null, "children": []},
			  {"id": "ev-motors", "parent": {"id": "automotive-components"}, "children": []},
			  {"id": "rare-earths", "parent": null, "children": []}]}`},
		{"unknown sector", `{ sector(id: "nope") { id } }`, `{"sector": null}`},
		{"materials", `{ materials { id name kind } }`,
			`{"materials": [{"id": "Dy", "name": "Dysprosium", "kind": "ELEMENT"}, {"id": "NdFeB", "name": "NdFeB magnets", "kind": "MAGNET"}]}`},
		{"export controls", `{ exportControls { id title authority announcedOn effectiveFrom suspendedFrom suspendedUntil liftedOn materials { id } sources } }`,
			`{"exportControls": [{"id": "X1", "title": "Control of Dy", "authority": "MOFCOM", "announcedOn": "2025-04-04", "effectiveFrom": "2025-04-04",
			  "suspendedFrom": null, "suspendedUntil": null, "liftedOn": null, "materials": [{"id": "Dy"}], "sources": ["https://example.org/x1"]}]}`},
		{"licence", `{ licence(id: "L-active") { id type status issuedOn validFrom validUntil revokedOn reference holder { id }
			clients { id } materials { id } excludedSectors { id } controls { id } sources } }`,
			`{"licence": {"id": "L-active", "type": "GENERAL", "status": "ACTIVE", "issuedOn": null, "validFrom": "2025-01-01", "validUntil": "2025-12-31",
			  "revokedOn": null, "reference": "REF-1", "holder": {"id": "cn-mag"}, "clients": [{"id": "de-oem"}, {"id": "jp-parts"}],
			  "materials": [{"id": "NdFeB"}], "excludedSectors": [], "controls": [{"id": "X1"}], "sources": ["https://example.org/l1"]}}`},
		{"licence exclusions and revocation", `{ licence(id: "L-excl") { excludedSectors { id } } r: licence(id: "L-revoked") { type revokedOn issuedOn } }`,
			`{"licence": {"excludedSectors": [{"id": "automotive"}]}, "r": {"type": "TEMPORARY", "revokedOn": "2025-06-01", "issuedOn": "2025-01-01"}}`},
		{"unknown licence", `{ licence(id: "nope") { id } }`, `{"licence": null}`},
		{"supply links", `{ company(id: "jp-parts") { suppliers { totalCount edges { node { supplier { id } customer { id } materials { id } since until confidence sources } } }
			customers { totalCount edges { node { customer { id } until confidence } } } } }`,
			`{"company": {"suppliers": {"totalCount": 1, "edges": [{"node": {"supplier": {"id": "cn-mag"}, "customer": {"id": "jp-parts"}, "materials": [{"id": "NdFeB"}],
			    "since": "2024-01-01", "until": null, "confidence": 0.8, "sources": ["https://example.org/s1"]}}]},
			  "customers": {"totalCount": 2, "edges": [{"node": {"customer": {"id": "de-oem"}, "until": null, "confidence": null}},
			    {"node": {"customer": {"id": "us-oem"}, "until": "2030-01-01", "confidence": null}}]}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkData(t, srv.URL, tc.query, tc.want) })
	}
}

// ids runs a connection query and returns the ids of its nodes, in order.
func ids(t *testing.T, url, query string) []string {
	t.Helper()
	var data map[string]struct {
		Edges []struct{ Node struct{ ID string } }
	}
	if err := json.Unmarshal(mustData(t, url, query), &data); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, conn := range data {
		for _, e := range conn.Edges {
			out = append(out, e.Node.ID)
		}
	}
	return out
}

func TestReadFilters(t *testing.T) {
	srv := readAPIWorld(t)
	tests := []struct {
		name, field, filter string
		want                []string
	}{
		{"all companies", "companies", `{}`, []string{"cn-mag", "cn-mine", "de-oem", "fr-def", "jp-parts", "us-oem"}},
		{"country", "companies", `{country: "CN"}`, []string{"cn-mag", "cn-mine"}},
		{"region", "companies", `{region: EUROPE}`, []string{"de-oem", "fr-def"}},
		{"role", "companies", `{role: OEM}`, []string{"de-oem", "us-oem"}},
		{"sector with sub-sectors", "companies", `{sector: "automotive"}`, []string{"de-oem", "jp-parts", "us-oem"}},
		{"leaf-ward sector", "companies", `{sector: "automotive-components"}`, []string{"jp-parts"}},
		{"name contains, any case", "companies", `{nameContains: "MOTOR"}`, []string{"us-oem"}},
		{"name contains an alias", "companies", `{nameContains: "magworks"}`, []string{"cn-mag"}},
		{"filters combine", "companies", `{country: "US", role: MINER}`, nil},
		{"filters combine (hit)", "companies", `{region: AMERICAS, sector: "automotive-oem"}`, []string{"us-oem"}},
		{"holder", "licences", `{holder: "cn-mag"}`, []string{"L-active", "L-excl", "L-old", "L-pending", "L-revoked"}},
		{"client", "licences", `{client: "de-oem"}`, []string{"L-active", "L-old"}},
		{"status", "licences", `{status: PENDING}`, []string{"L-pending"}},
		{"type", "licences", `{type: TEMPORARY}`, []string{"L-revoked"}},
		{"material", "licences", `{material: "Dy"}`, []string{"L-old"}},
		{"valid on, before revocation", "licences", `{validOn: "2025-03-01"}`, []string{"L-active", "L-excl", "L-pending", "L-revoked"}},
		{"valid on, revocation day", "licences", `{validOn: "2025-06-01"}`, []string{"L-active", "L-excl", "L-pending"}},
		{"valid on, old window", "licences", `{validOn: "2023-06-01", type: GENERAL}`, []string{"L-excl", "L-old"}},
		{"valid until is inclusive", "licences", `{validOn: "2025-12-31", holder: "cn-mag", client: "jp-parts", status: ACTIVE}`, []string{"L-active", "L-excl"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := fmt.Sprintf(`{ %s(filter: %s, first: 100) { totalCount edges { node { id } } } }`, tc.field, tc.filter)
			got := ids(t, srv.URL, q)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s(filter: %s) = %v, want %v", tc.field, tc.filter, got, tc.want)
			}
			var data map[string]struct{ TotalCount int }
			json.Unmarshal(mustData(t, srv.URL, q), &data)
			if data[tc.field].TotalCount != len(tc.want) {
				t.Errorf("totalCount = %d, want %d", data[tc.field].TotalCount, len(tc.want))
			}
		})
	}
	checkErrors(t, srv.URL, []errorCase{
		{name: "unknown country", query: `{ companies(filter: {country: "XX"}) { totalCount } }`, code: "BAD_USER_INPUT", field: "filter.country"},
		{name: "unknown enum", query: `{ companies(filter: {role: BANK}) { totalCount } }`, code: "GRAPHQL_VALIDATION_FAILED"},
	})
}

type pageResult struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID string }
	}
}

func TestReadPaging(t *testing.T) {
	srv := readAPIWorld(t)

	t.Run("cursor round trip", func(t *testing.T) {
		for _, field := range []string{"companies", "licences"} {
			all := ids(t, srv.URL, fmt.Sprintf(`{ %s(first: 100) { edges { node { id } } } }`, field))
			var got []string
			after := "null"
			for page := 0; ; page++ {
				var data map[string]pageResult
				json.Unmarshal(mustData(t, srv.URL, fmt.Sprintf(`{ %s(first: 2, after: %s) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, field, after)), &data)
				p := data[field]
				if p.TotalCount != len(all) {
					t.Errorf("%s page %d: totalCount %d, want %d", field, page, p.TotalCount, len(all))
				}
				for _, e := range p.Edges {
					got = append(got, e.Node.ID)
				}
				if len(p.Edges) == 0 || p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor {
					t.Fatalf("%s page %d: endCursor is not the last edge's cursor: %+v", field, page, p)
				}
				wantMore := len(got) < len(all)
				if p.PageInfo.HasNextPage != wantMore {
					t.Fatalf("%s page %d: hasNextPage %v, want %v", field, page, p.PageInfo.HasNextPage, wantMore)
				}
				if !wantMore {
					break
				}
				after = fmt.Sprintf("%q", *p.PageInfo.EndCursor)
			}
			if !reflect.DeepEqual(got, all) {
				t.Errorf("%s pages = %v, want %v", field, got, all)
			}
		}
	})

	t.Run("default page size and empty pages", func(t *testing.T) {
		checkData(t, srv.URL, `{ companies(first: 0) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } } }`,
			`{"companies": {"totalCount": 6, "pageInfo": {"hasNextPage": true, "endCursor": null}, "edges": []}}`)
		if got := ids(t, srv.URL, `{ companies { edges { node { id } } } }`); len(got) != 6 {
			t.Errorf("default page: %v", got)
		}
		checkData(t, srv.URL, `{ companies(filter: {country: "BR"}) { totalCount pageInfo { hasNextPage endCursor } } }`,
			`{"companies": {"totalCount": 0, "pageInfo": {"hasNextPage": false, "endCursor": null}}}`)
	})

	t.Run("nested connection", func(t *testing.T) {
		var data struct {
			Company struct{ Suppliers pageResult }
		}
		json.Unmarshal(mustData(t, srv.URL, `{ company(id: "de-oem") { suppliers(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { supplier { id } } } } } }`), &data)
		p := data.Company.Suppliers
		if p.TotalCount != 2 || !p.PageInfo.HasNextPage || p.PageInfo.EndCursor == nil {
			t.Fatalf("first page: %+v", p)
		}
		checkData(t, srv.URL, fmt.Sprintf(`{ company(id: "de-oem") { suppliers(first: 1, after: %q) { totalCount pageInfo { hasNextPage } edges { node { supplier { id } } } } } }`, *p.PageInfo.EndCursor),
			`{"company": {"suppliers": {"totalCount": 2, "pageInfo": {"hasNextPage": false}, "edges": [{"node": {"supplier": {"id": "jp-parts"}}}]}}}`)
	})

	checkErrors(t, srv.URL, []errorCase{
		{name: "first above the maximum", query: `{ companies(first: 101) { totalCount } }`, code: "BAD_USER_INPUT", field: "first"},
		{name: "negative first", query: `{ licences(first: -1) { totalCount } }`, code: "BAD_USER_INPUT", field: "first"},
		{name: "nested first above the maximum", query: `{ company(id: "de-oem") { suppliers(first: 1000) { totalCount } } }`, code: "BAD_USER_INPUT", field: "first"},
		{name: "bad cursor", query: `{ companies(after: "***") { totalCount } }`, code: "BAD_USER_INPUT", field: "after"},
		{name: "search first above the maximum", query: `{ search(text: "x", first: 500) { id } }`, code: "BAD_USER_INPUT", field: "first"},
	})
}

func TestReadLicencesOfACompany(t *testing.T) {
	srv := readAPIWorld(t)
	tests := []struct {
		name, company, field string
		want                 []string
	}{
		{"held on a date, any status", "cn-mag", `licencesHeld(asOf: "2025-03-01")`, []string{"L-active", "L-excl", "L-pending", "L-revoked"}},
		{"held and active", "cn-mag", `licencesHeld(status: ACTIVE, asOf: "2025-03-01")`, []string{"L-active", "L-excl", "L-revoked"}},
		{"held, revoked by then", "cn-mag", `licencesHeld(status: REVOKED, asOf: "2025-07-01")`, []string{"L-revoked"}},
		{"held, active after revocation", "cn-mag", `licencesHeld(status: ACTIVE, asOf: "2025-07-01")`, []string{"L-active", "L-excl"}},
		{"held in an old window", "cn-mag", `licencesHeld(status: ACTIVE, asOf: "2023-06-01")`, []string{"L-excl", "L-old", "L-revoked"}},
		{"held, asOf defaults to today", "cn-mag", `licencesHeld`, []string{"L-excl", "L-pending", "L-revoked"}},
		{"a client holds none", "jp-parts", `licencesHeld(asOf: "2025-03-01")`, nil},
		{"covering: active, in window, sector not excluded", "jp-parts", `licencesCovering(asOf: "2025-03-01")`, []string{"L-active", "L-revoked"}},
		{"covering after revocation", "jp-parts", `licencesCovering(asOf: "2025-07-01")`, []string{"L-active"}},
		{"covering a company outside the exclusion", "fr-def", `licencesCovering(asOf: "2025-03-01")`, []string{"L-excl"}},
		{"covering in an old window", "de-oem", `licencesCovering(asOf: "2023-06-01")`, []string{"L-old"}},
		{"covering, asOf defaults to today", "de-oem", `licencesCovering`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var data struct {
				Company map[string][]struct{ ID string }
			}
			q := fmt.Sprintf(`{ company(id: %q) { list: %s { id } } }`, tc.company, tc.field)
			json.Unmarshal(mustData(t, srv.URL, q), &data)
			var got []string
			for _, l := range data.Company["list"] {
				got = append(got, l.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s.%s = %v, want %v", tc.company, tc.field, got, tc.want)
			}
		})
	}
}

func TestReadSupplyChain(t *testing.T) {
	srv := readAPIWorld(t)
	graph := func(nodes []string, links ...string) string {
		var b strings.Builder
		b.WriteString(`{"supplyChain": {"nodes": [`)
		for i, n := range nodes {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id": %q}`, n)
		}
		b.WriteString(`], "links": [`)
		for i, l := range links {
			s, c, _ := strings.Cut(l, ">")
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"supplier": {"id": %q}, "customer": {"id": %q}}`, s, c)
		}
		b.WriteString("]}}")
		return b.String()
	}
	tests := []struct{ name, args, want string }{
		{"upstream, one hop", `companyId: "de-oem", direction: UPSTREAM, maxDepth: 1`,
			graph([]string{"de-oem", "cn-mag", "jp-parts"}, "cn-mag>de-oem", "jp-parts>de-oem")},
		{"upstream, default depth", `companyId: "us-oem", direction: UPSTREAM`,
			graph([]string{"us-oem", "jp-parts", "cn-mag", "cn-mine"}, "cn-mag>jp-parts", "cn-mine>cn-mag", "jp-parts>us-oem")},
		{"upstream, depth 2 stops short", `companyId: "us-oem", direction: UPSTREAM, maxDepth: 2`,
			graph([]string{"us-oem", "jp-parts", "cn-mag"}, "cn-mag>jp-parts", "jp-parts>us-oem")},
		{"downstream", `companyId: "cn-mine", direction: DOWNSTREAM, maxDepth: 2`,
			graph([]string{"cn-mine", "cn-mag", "de-oem", "fr-def", "jp-parts"}, "cn-mag>de-oem", "cn-mag>fr-def", "cn-mag>jp-parts", "cn-mine>cn-mag")},
		{"downstream, deep: each link once", `companyId: "cn-mine", direction: DOWNSTREAM, maxDepth: 6`,
			graph([]string{"cn-mine", "cn-mag", "de-oem", "fr-def", "jp-parts", "us-oem"},
				"cn-mag>de-oem", "cn-mag>fr-def", "cn-mag>jp-parts", "cn-mine>cn-mag", "jp-parts>de-oem", "jp-parts>us-oem")},
		{"nothing downstream", `companyId: "us-oem", direction: DOWNSTREAM`, graph([]string{"us-oem"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkData(t, srv.URL, `{ supplyChain(`+tc.args+`) { nodes { id } links { supplier { id } customer { id } } } }`, tc.want)
		})
	}
	checkErrors(t, srv.URL, []errorCase{
		{name: "depth 0", query: `{ supplyChain(companyId: "de-oem", direction: UPSTREAM, maxDepth: 0) { nodes { id } } }`, code: "BAD_USER_INPUT", field: "maxDepth"},
		{name: "depth 7", query: `{ supplyChain(companyId: "de-oem", direction: UPSTREAM, maxDepth: 7) { nodes { id } } }`, code: "BAD_USER_INPUT", field: "maxDepth"},
		{name: "unknown company", query: `{ supplyChain(companyId: "nope", direction: UPSTREAM) { nodes { id } } }`, code: "NOT_FOUND", field: "companyId"},
	})
}

func TestReadDateScalar(t *testing.T) {
	srv := readAPIWorld(t)
	const q = `query($d: Date) { company(id: "cn-mag") { licencesHeld(status: REVOKED, asOf: $d) { id revokedOn } } }`
	for _, tc := range []struct {
		vars map[string]any
		want string
	}{
		{nil, `{"company":{"licencesHeld":[{"id":"L-revoked","revokedOn":"2025-06-01"}]}}`}, // today
		{map[string]any{"d": nil}, `{"company":{"licencesHeld":[{"id":"L-revoked","revokedOn":"2025-06-01"}]}}`},
		{map[string]any{"d": "2025-05-31"}, `{"company":{"licencesHeld":[]}}`},
		{map[string]any{"d": "2025-06-01"}, `{"company":{"licencesHeld":[{"id":"L-revoked","revokedOn":"2025-06-01"}]}}`},
	} {
		resp, raw := postVars(t, srv.URL, q, tc.vars)
		if len(resp.Errors) > 0 || string(resp.Data) != tc.want {
			t.Errorf("asOf %v: %s, want data %s", tc.vars, raw, tc.want)
		}
	}
	checkErrors(t, srv.URL, []errorCase{
		{name: "bad month", query: `{ company(id: "cn-mag") { licencesHeld(asOf: "2025-13-01") { id } } }`, code: "BAD_USER_INPUT", field: "asOf", namesField: true},
		{name: "not a date", query: `{ company(id: "cn-mag") { licencesCovering(asOf: "yesterday") { id } } }`, code: "BAD_USER_INPUT", field: "asOf", namesField: true},
		{name: "a number", query: `{ company(id: "cn-mag") { licencesCovering(asOf: 20250101) { id } } }`, code: "BAD_USER_INPUT", field: "asOf", namesField: true},
		{name: "datetime", query: `{ licences(filter: {validOn: "2025-01-01T00:00:00Z"}) { totalCount } }`, code: "BAD_USER_INPUT", field: "filter.validOn", namesField: true},
		{name: "in a variable", query: `query($d: Date) { company(id: "cn-mag") { licencesHeld(asOf: $d) { id } } }`,
			vars: map[string]any{"d": "01/02/2025"}, code: "BAD_USER_INPUT", field: "asOf", namesField: true},
	})
}

func TestReadSearch(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))
	first := func(text string) string {
		t.Helper()
		var data struct{ Search []struct{ ID string } }
		json.Unmarshal(mustData(t, srv.URL, fmt.Sprintf(`{ search(text: %q, first: 5) { id } }`, text)), &data)
		if len(data.Search) == 0 {
			return ""
		}
		return data.Search[0].ID
	}
	tests := []struct{ name, text, want string }{
		{"Chinese alias", "金力永磁", "jl-mag"},
		{"full Chinese name", "江西金力永磁科技股份有限公司", "jl-mag"},
		{"latin alias, any case", "jl mag", "jl-mag"},
		{"word prefix", "Volkswag", "volkswagen"},
		{"ticker with Lucene syntax", "300748.SZ", "jl-mag"},
		{"Lucene syntax is literal", `a:b (c) "d ~ * \ / [x TO y]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := first(tc.text); got != tc.want {
				t.Errorf("search(%q) first hit = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	checkErrors(t, srv.URL, []errorCase{
		{name: "blank text", query: `{ search(text: "   ") { id } }`, code: "BAD_USER_INPUT", field: "text"},
	})
}
