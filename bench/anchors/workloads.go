package anchors

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/bench/measure"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
)

// Issue 6's workloads, as each target asks them. licencegraph's queries
// use our schema; the library's use the schema @neo4j/graphql generates
// from libraryNodes (where, limit, sort on relationship fields). The
// exposure queries of the library are generated from the engine's
// statements (libraryExposureQuery).

const (
	lgCompanyPage = `query W1($id: ID!, $asOf: Date) { company(id: $id) { id name sectors { id }
  suppliers(first: 10) { edges { node { supplier { id name licencesHeld(asOf: $asOf) { id status }
    suppliers(first: 10) { edges { node { supplier { id name licencesHeld(asOf: $asOf) { id status } } } } } } } } } } }`
	libCompanyPage = `query W1($id: ID!, $held: LicenceWhere) { companies(where: {id: {eq: $id}}) { id name sectors { id }
  suppliers(limit: 10, sort: [{id: ASC}]) { id name licencesHeld(where: $held) { id status }
    suppliers(limit: 10, sort: [{id: ASC}]) { id name licencesHeld(where: $held) { id status } } } } }`

	lgFilteredList = `query W2($country: String!, $sector: ID!, $asOf: Date) {
  companies(filter: {country: $country, sector: $sector}, first: 50) { edges { node { id name
    suppliers(first: 10) { edges { node { supplier { id name licencesHeld(asOf: $asOf) { id status } } } } } } } } }`
	libFilteredList = `query W2($country: String!, $sector: ID!, $held: LicenceWhere) {
  companies(where: {country: {eq: $country}, sectors: {some: {id: {eq: $sector}}}}, limit: 50, sort: [{id: ASC}]) { id name
    suppliers(limit: 10, sort: [{id: ASC}]) { id name licencesHeld(where: $held) { id status } } } }`

	lgExposed = `query W3($asOf: Date) { exposedCompanies(sector: "automotive", maxDepth: 4, asOf: $asOf, first: 20) {
  totalCount edges { node { company { id } minDepth pathCount uncoveredSuppliers { id } } } } }`

	lgPaths = `query W4($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, maxDepth: 4, first: 10) {
  depth hops { supplier { id } customer { id } controlled covered reason licences { id } } } }`

	lgSearch  = `query W5($text: String!) { search(text: $text, first: 20) { id name } }`
	libSearch = `query W5($phrase: String!) { searchCompanies(phrase: $phrase, first: 20) { edges { node { id name } } } }`
)

// heldOn is licencesHeld(asOf)'s window as the library's filter: an absent
// bound is open.
func heldOn(asOf string) map[string]any {
	return map[string]any{"AND": []any{
		map[string]any{"OR": []any{map[string]any{"validFrom": map[string]any{"eq": nil}}, map[string]any{"validFrom": map[string]any{"lte": asOf}}}},
		map[string]any{"OR": []any{map[string]any{"validUntil": map[string]any{"eq": nil}}, map[string]any{"validUntil": map[string]any{"gte": asOf}}}},
	}}
}

// Bench-owned statements that draw variables from the data.
const (
	pickCompaniesCypher = `
MATCH (c:Company) WHERE COUNT { (c)<-[:SUPPLIES]-() } >= 3
WITH c ORDER BY c.id WITH collect(c.id) AS ids
RETURN [i IN range(0, $k - 1) | ids[i * size(ids) / $k]] AS ids`
	pickListsCypher = `
MATCH (c:Company)-[:OPERATES_IN]->(s:Sector) WHERE NOT EXISTS { (:Sector)-[:PART_OF]->(s) }
RETURN c.country AS country, s.id AS sector, count(*) AS n ORDER BY n DESC, country, sector LIMIT $k`
	pickOEMsCypher  = `MATCH (c:Company) WHERE 'OEM' IN c.roles RETURN c.id AS id ORDER BY id LIMIT 40`
	pickNamesCypher = `
MATCH (c:Company) WITH c ORDER BY c.id WITH collect(c.name) AS names
RETURN [i IN range(0, $k - 1) | names[i * size(names) / $k + 7]] AS names`
)

// samplesPerWorkload is how many variable sets W1, W2 and W5 rotate through.
const samplesPerWorkload = 8

func (a *Anchors) workloads(ctx context.Context, driver neo4j.DriverWithContext, db string, client *http.Client, lgURL string) ([]*workload, error) {
	query := func(cypher string, params map[string]any) ([]*neo4j.Record, error) {
		res, err := neo4j.ExecuteQuery(ctx, driver, cypher, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db))
		if err != nil {
			return nil, err
		}
		return res.Records, nil
	}
	body := func(q string, vars map[string]any) []byte {
		return mustJSON(map[string]any{"query": q, "variables": vars})
	}
	held := heldOn(a.AsOf)

	w1 := &workload{WorkloadInfo: WorkloadInfo{Name: "W1 company page",
		Description: "`company(id)` with its sectors, its first 10 suppliers (by id), theirs (2 levels) and every supplier's licences held on the date; 8 companies with at least 3 suppliers"},
		lgQuery: lgCompanyPage, libQuery: libCompanyPage,
		compare: func(lg, lib any) (bool, string) { return SameTree(Dig(lg, "company"), Dig(lib, "companies", "0")) }}
	recs, err := query(pickCompaniesCypher, map[string]any{"k": samplesPerWorkload})
	if err != nil {
		return nil, fmt.Errorf("choosing companies: %w", err)
	}
	for _, id := range recordStrings(recs, "ids") {
		w1.samples = append(w1.samples, &sample{label: id,
			lgBody:  body(lgCompanyPage, map[string]any{"id": id, "asOf": a.AsOf}),
			libBody: body(libCompanyPage, map[string]any{"id": id, "held": held})})
	}

	w2 := &workload{WorkloadInfo: WorkloadInfo{Name: "W2 filtered list",
		Description: "`companies(filter: {country, sector}, first: 50)` with each company's first 10 suppliers and their licences held on the date; the 8 largest (country, leaf sector) pairs (leaf sectors, so that the library's one-level sector filter means the same as our sector-and-below)"},
		lgQuery: lgFilteredList, libQuery: libFilteredList,
		compare: func(lg, lib any) (bool, string) { return SameTree(Dig(lg, "companies"), Dig(lib, "companies")) }}
	recs, err = query(pickListsCypher, map[string]any{"k": samplesPerWorkload})
	if err != nil {
		return nil, fmt.Errorf("choosing lists: %w", err)
	}
	for _, r := range recs {
		country, _ := r.Get("country")
		sector, _ := r.Get("sector")
		w2.samples = append(w2.samples, &sample{label: fmt.Sprintf("%v/%v", country, sector),
			lgBody:  body(lgFilteredList, map[string]any{"country": country, "sector": sector, "asOf": a.AsOf}),
			libBody: body(libFilteredList, map[string]any{"country": country, "sector": sector, "held": held})})
	}

	w3 := &workload{WorkloadInfo: WorkloadInfo{Name: "W3 exposedCompanies",
		Description: "`exposedCompanies(sector: \"automotive\", maxDepth: 4, first: 20)`: totalCount and the first 20 with minDepth, pathCount, uncoveredSuppliers; the library runs the engine's statement as a `@cypher` field (its rows paged the same way)"},
		lgQuery: lgExposed, compare: compareExposed, costly: true}
	w3.samples = []*sample{{label: "automotive", lgBody: body(lgExposed, map[string]any{"asOf": a.AsOf})}}
	if d, err := domain.ParseDate(a.AsOf); err == nil {
		w3.cold = func(ctx context.Context, e domain.ExposureService) {
			_, _, _, _ = e.ExposedCompanyPage(ctx, domain.ExposureQuery{AsOf: d, MaxDepth: 4, Sector: "automotive"}, domain.Page{First: 20}, domain.ExposedFields{Details: true})
		}
	}

	w4 := &workload{WorkloadInfo: WorkloadInfo{Name: "W4 exposurePaths",
		Description: "`exposurePaths(companyId, maxDepth: 4, first: 10)` of one exposed OEM, every hop judged; the library runs the engine's path statement as a `@cypher` field (the hop judgments, a second statement fed by the first, have no place in it, so the library does less work here)"},
		lgQuery: lgPaths, compare: comparePaths, costly: true}
	recs, err = query(pickOEMsCypher, nil)
	if err != nil {
		return nil, fmt.Errorf("choosing an OEM: %w", err)
	}
	probe := `query($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, maxDepth: 2, first: 1) { depth } }`
	for _, r := range recs {
		id, _ := r.Get("id")
		pctx, cancel := context.WithTimeout(ctx, a.Cell.Timeout)
		data, err := measure.Post(pctx, client, lgURL, body(probe, map[string]any{"id": id, "asOf": a.AsOf}))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("choosing an exposed OEM: %w", err)
		}
		if paths, _ := Dig(data, "exposurePaths").([]any); len(paths) > 0 {
			w4.samples = []*sample{{label: fmt.Sprint(id), lgBody: body(lgPaths, map[string]any{"id": id, "asOf": a.AsOf})}}
			if d, err := domain.ParseDate(a.AsOf); err == nil {
				oem := fmt.Sprint(id)
				w4.cold = func(ctx context.Context, e domain.ExposureService) {
					_, _ = e.ExposurePaths(ctx, domain.PathsQuery{CompanyID: oem, ExposureQuery: domain.ExposureQuery{AsOf: d, MaxDepth: 4}, First: 10})
				}
			}
			break
		}
	}

	w5 := &workload{WorkloadInfo: WorkloadInfo{Name: "W5 search",
		Description: "`search(text, first: 20)` (full-text on names and aliases) for 8 name fragments; the library's `@fulltext` query gets the Lucene query our store builds from the same text"},
		lgQuery: lgSearch, libQuery: libSearch,
		afterRecord: func(s *sample, stmts []neo4jstore.Statement) {
			for _, st := range stmts {
				if st.Method == "SearchCompanies" {
					s.libBody = mustJSON(map[string]any{"query": libSearch, "variables": map[string]any{"phrase": st.Params["query"]}})
				}
			}
		}}
	recs, err = query(pickNamesCypher, map[string]any{"k": samplesPerWorkload})
	if err != nil {
		return nil, fmt.Errorf("choosing names: %w", err)
	}
	for _, name := range recordStrings(recs, "names") {
		words := strings.Fields(name)
		text := strings.Join(words[1:min(4, len(words))], " ")
		w5.samples = append(w5.samples, &sample{label: text,
			lgBody:  body(lgSearch, map[string]any{"text": text}),
			libBody: body(libSearch, map[string]any{"phrase": text})})
	}

	out := []*workload{w1, w2, w3}
	if len(w4.samples) > 0 {
		out = append(out, w4)
	}
	return append(out, w5), nil
}

func recordStrings(recs []*neo4j.Record, key string) []string {
	var out []string
	for _, r := range recs {
		v, _ := r.Get(key)
		list, _ := v.([]any)
		for _, x := range list {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// compareExposed compares W3: the same totalCount, and page rows holding
// the same values (company, minDepth, pathCount, suppliers) in order.
func compareExposed(lg, lib any) (bool, string) {
	lgc, libc := Dig(lg, "exposedCompanies"), Dig(lib, "exposedCompanies")
	a, b := Scalars(Dig(lgc, "totalCount")), Scalars(Dig(libc, "totalCount"))
	if strings.Join(a, ",") != strings.Join(b, ",") {
		return false, fmt.Sprintf("totalCount %v vs %v", a, b)
	}
	edges, _ := Dig(lgc, "edges").([]any)
	rows, _ := Dig(libc, "rows").([]any)
	if len(edges) != len(rows) {
		return false, fmt.Sprintf("%d rows vs %d", len(edges), len(rows))
	}
	for i := range edges {
		if !SameScalars(Dig(edges[i], "node"), rows[i]) {
			return false, fmt.Sprintf("row %d: %s vs %s", i, short(Dig(edges[i], "node")), short(rows[i]))
		}
	}
	return true, ""
}

// comparePaths compares W4: the same paths (the companies along each, from
// the source), in the same order.
func comparePaths(lg, lib any) (bool, string) {
	paths, _ := Dig(lg, "exposurePaths").([]any)
	rows, _ := Dig(lib, "exposurePaths").([]any)
	if len(paths) != len(rows) {
		return false, fmt.Sprintf("%d paths vs %d", len(paths), len(rows))
	}
	for i, p := range paths {
		hops, _ := Dig(p, "hops").([]any)
		var ids []string
		for j, h := range hops {
			if j == 0 {
				ids = append(ids, Scalars(Dig(h, "supplier", "id"))...)
			}
			ids = append(ids, Scalars(Dig(h, "customer", "id"))...)
		}
		if got := Scalars(rows[i]); strings.Join(ids, ">") != strings.Join(got, ">") {
			return false, fmt.Sprintf("path %d: %v vs %v", i, ids, got)
		}
	}
	return true, ""
}
