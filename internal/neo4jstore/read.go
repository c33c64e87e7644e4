package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/countries"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// The read API (domain.ReadService): lookups, filtered pages, full-text
// search, supply-chain walks, and the batch reads behind the GraphQL
// dataloaders. Every statement is a constant (or assembled from constant
// fragments) with request values in parameters only.

var _ domain.ReadService = (*Store)(nil)

// Queries is the number of statements this store has sent to Neo4j through
// its read path: a cheap round-trip counter for tests and diagnostics.
func (s *Store) Queries() int64 { return s.queries.Load() }

// ---------------------------------------------------------------------------
// Projections: each returns a map the converters below read. Inner
// variables have prefixes of their own so they never capture an outer one.

func companyProjection(v string) string {
	return v + `{.id, .name, .aliases, .country, .roles, .lei, .website,
  sectors: [(` + v + `)-[:OPERATES_IN]->(rdcs:Sector) | rdcs.id]}`
}

// companyPropsProjection reads, besides the id, the properties whose
// parameter ($name, $aliases, …) is true; not the sector list.
func companyPropsProjection(v string) string {
	props := make([]string, len(companyPropParams))
	for i, p := range companyPropParams {
		props[i] = p.name + `: CASE WHEN $` + p.name + ` THEN ` + v + `.` + p.name + ` END`
	}
	return v + `{.id, ` + strings.Join(props, ", ") + `}`
}

// companyPropParams are the company properties a page of links reads on
// demand, each with its parameter of the same name.
var companyPropParams = []struct {
	name string
	prop domain.CompanyProps
}{
	{"name", domain.PropName}, {"aliases", domain.PropAliases}, {"country", domain.PropCountry},
	{"roles", domain.PropRoles}, {"lei", domain.PropLEI}, {"website", domain.PropWebsite},
}

func licenceProjection(v string) string {
	return licenceProjectionWithHolder(v, `head([(rdlh:Company)-[:HOLDS]->(`+v+`) | rdlh.id])`)
}

// licenceProjectionWithHolder takes the holder's id from an expression the
// statement already has.
func licenceProjectionWithHolder(v, holder string) string {
	return v + `{.*,
  holder: ` + holder + `,
  clients: [(` + v + `)-[:COVERS]->(rdlc:Company) | rdlc.id],
  materials: [(` + v + `)-[:FOR_MATERIAL]->(rdlm:Material) | rdlm.id],
  excluded: [(` + v + `)-[:EXCLUDES]->(rdls:Sector) | rdls.id],
  controls: [(` + v + `)-[:UNDER]->(rdlx:ExportControl) | rdlx.id],
  sources: [(` + v + `)-[:REPORTED_BY]->(rdlsrc:Source) | rdlsrc.url]}`
}

func sectorProjection(v string) string {
	return v + `{.id, .name, parent: head([(` + v + `)-[:PART_OF]->(rdsp:Sector) | rdsp.id])}`
}

func controlProjection(v string) string {
	return v + `{.*,
  materials: [(` + v + `)-[:CONTROLS]->(rdxm:Material) | rdxm.id],
  sources: [(` + v + `)-[:REPORTED_BY]->(rdxs:Source) | rdxs.url]}`
}

// linkProjection is a SUPPLIES relationship r from supplier sv to customer cv.
func linkProjection(r, sv, cv string) string {
	return r + `{.*, supplier: ` + sv + `.id, customer: ` + cv + `.id}`
}

// ---------------------------------------------------------------------------
// Licence date rules, for a licence `l` and a date expression.

func licenceInWindow(l, d string) string {
	return "(" + l + ".validFrom IS NULL OR " + l + ".validFrom <= " + d + ") AND (" +
		l + ".validUntil IS NULL OR " + l + ".validUntil >= " + d + ")"
}

func licenceRevokedBy(l, d string) string {
	return "(" + l + ".revokedOn IS NOT NULL AND " + l + ".revokedOn <= " + d + ")"
}

// licenceStatusOn is the status on a date: a passed revokedOn is REVOKED.
func licenceStatusOn(l, d string) string {
	return "CASE WHEN " + licenceRevokedBy(l, d) + " THEN 'REVOKED' ELSE " + l + ".status END"
}

// ---------------------------------------------------------------------------
// Companies

var companyByIDCypher = `MATCH (c:Company {id: $id}) RETURN ` + companyProjection("c") + ` AS c`

// Company returns the company with id, or nil.
func (s *Store) Company(ctx context.Context, id string) (*domain.Company, error) {
	res, err := s.read(ctx, companyByIDCypher, map[string]any{"id": id})
	if err != nil || len(res.Records) == 0 {
		return nil, err
	}
	c := toCompany(recordMap(res.Records[0], "c"))
	return &c, nil
}

var companiesByIDsCypher = `UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN ` + companyProjection("c") + ` AS c`

// CompaniesByIDs returns the companies that exist among ids.
func (s *Store) CompaniesByIDs(ctx context.Context, ids []string) (map[string]domain.Company, error) {
	res, err := s.read(ctx, companiesByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Company, len(res.Records))
	for _, r := range res.Records {
		c := toCompany(recordMap(r, "c"))
		out[c.ID] = c
	}
	return out, nil
}

// Company list statements are assembled from constant fragments, one per
// filter the request sets: the catch-all form (`$x IS NULL OR …`) kept the
// planner from reading companies in id order from the unique index, so an
// unfiltered page sorted all 100,000 companies (60 ms).
const (
	companyByCountry = `c.country = $country`
	companyByRegion  = `EXISTS { (c)-[:REGISTERED_IN]->(:Country {region: $region}) }`
	companyByRole    = `$role IN coalesce(c.roles, [])`
	companyByName    = `(toLower(c.name) CONTAINS $name OR any(a IN coalesce(c.aliases, []) WHERE toLower(a) CONTAINS $name))`
)

// companiesInSector binds c to each company operating in sector $sector or
// a sector below it.
const companiesInSector = `(:Sector {id: $sector})<-[:PART_OF*0..]-(:Sector)<-[:OPERATES_IN]-(c:Company)`

// Fragments of the sector-filtered list and count statements: the subtree
// of sector $sector, the number of its memberships (node degrees, free),
// and whether company c operates in it.
const (
	sectorSubtree = `MATCH (top:Sector {id: $sector})
WITH [(top)<-[:PART_OF*0..]-(s:Sector) | s] AS subtree`
	subtreeMembers = `reduce(n = 0, s IN subtree | n + COUNT { (s)<-[:OPERATES_IN]-() }) AS members`
	inSubtree      = `any(s IN [(c)-[:OPERATES_IN]->(x:Sector) | x] WHERE s IN subtree)`
)

// companyFilterConds are the filters in the bit order of a filter mask.
// The sector filter has none: its statements are planned around the
// sector's subtree (companiesStatement, countCompaniesStatement).
var companyFilterConds = [...]string{companyByCountry, companyByRegion, companyByRole, "", companyByName}

const (
	companyCountryBit = 1 << 0
	companySectorBit  = 1 << 3
)

// companyFilterMask says which filters f sets.
func companyFilterMask(f domain.CompanyFilter) int {
	mask := 0
	for i, set := range []bool{f.Country != "", f.Region != "", f.Role != "", f.Sector != "", strings.TrimSpace(f.NameContains) != ""} {
		if set {
			mask |= 1 << i
		}
	}
	return mask
}

// The statements of every combination of filters, built once: a request
// picks one by its filter mask.
var companiesStatements, countCompaniesStatements = companyStatements()

func companyStatements() (page, count [1 << len(companyFilterConds)]string) {
	for mask := range page {
		page[mask], count[mask] = companiesStatement(mask), countCompaniesStatement(mask)
	}
	return page, count
}

// companyConditions returns the conditions of the filters in mask (but
// the sector's).
func companyConditions(mask int) []string {
	var where []string
	for i, cond := range companyFilterConds {
		if mask&(1<<i) != 0 && cond != "" {
			where = append(where, cond)
		}
	}
	return where
}

// companiesStatement pages the companies the filters of mask select in id
// order, after $after ("" for the first page). Without a sector it reads
// companies in id order from the unique index and stops at the page.
//
// With a sector, one of two plans, chosen inside the statement from the
// number of memberships M in the sector's subtree (node degrees, free) and
// the number of companies N (count store): walking from the subtree's
// sectors to their companies costs ~M; reading companies in id order and
// testing each costs ~limit·N/M rows, each ~5 times dearer (measured on
// the generated 100,000-company world). So: walk when M² ≤ 5·limit·N, else
// scan. Either plan alone took 40–70 ms on some (country, sector) pairs
// there; the pair takes 3–11 ms on all of them. Each branch runs inside its
// own CALL so that the branch not taken reads nothing (a guard beside the
// MATCH was planned after the index scan).
func companiesStatement(mask int) string {
	if mask&companySectorBit != 0 {
		where := strings.Join(append([]string{"c.id > $after"}, companyConditions(mask)...), " AND ")
		return sectorSubtree + `
WITH subtree, ` + subtreeMembers + `,
     COUNT { (:Company) } AS companies
CALL (subtree, members, companies) {
  WITH subtree WHERE members * members <= 5 * $limit * companies
  CALL (subtree) {
    UNWIND subtree AS s
    MATCH (s)<-[:OPERATES_IN]-(c:Company)
    WITH DISTINCT c WHERE ` + where + `
    RETURN c ORDER BY c.id LIMIT $limit
  }
  RETURN c
  UNION
  WITH subtree WHERE members * members > 5 * $limit * companies
  CALL (subtree) {
    MATCH (c:Company) WHERE ` + where + `
    WITH subtree, c ORDER BY c.id
    WHERE ` + inSubtree + `
    RETURN c LIMIT $limit
  }
  RETURN c
}
WITH c ORDER BY c.id
RETURN ` + companyProjection("c") + ` AS c`
	}
	where := append([]string{"c.id > $after"}, companyConditions(mask)...)
	return `MATCH (c:Company) WHERE ` + strings.Join(where, " AND ") + `
WITH c ORDER BY c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS c`
}

// countCompaniesStatement counts them; without filters Neo4j answers from
// its count store.
//
// With a sector, the companies are counted from the subtree's memberships
// (M, ~1.3 µs each on the generated 100,000-company world) or, with a
// country, by testing each company of the country (C, its REGISTERED_IN
// degree, ~4.7 µs each), whichever is cheaper: walk when M ≤ 4·C. Testing
// every company with EXISTS, as the planner did from the sector filter
// alone, took 0.2–0.6 s with a country and 1.7 s without; these take
// 3–50 ms. Both end in sum(), so an unknown sector still gives one row (0).
func countCompaniesStatement(mask int) string {
	where := companyConditions(mask)
	if mask&companySectorBit == 0 {
		if len(where) == 0 {
			return `MATCH (c:Company) RETURN count(c) AS n`
		}
		return `MATCH (c:Company) WHERE ` + strings.Join(where, " AND ") + ` RETURN count(c) AS n`
	}
	walk := func(guard string) string {
		cypher := guard + `
  UNWIND subtree AS s
  MATCH (s)<-[:OPERATES_IN]-(c:Company)
  WITH DISTINCT c`
		if len(where) > 0 {
			cypher += ` WHERE ` + strings.Join(where, " AND ")
		}
		return cypher + `
  RETURN count(c) AS n`
	}
	if mask&companyCountryBit == 0 {
		return sectorSubtree + `
CALL (subtree) {` + walk("") + `
}
RETURN sum(n) AS n`
	}
	return sectorSubtree + `
OPTIONAL MATCH (k:Country {code: $country})
WITH subtree, ` + subtreeMembers + `,
     COUNT { (k)<-[:REGISTERED_IN]-() } AS inCountry
CALL (subtree, members, inCountry) {` + walk(`
  WITH subtree WHERE members <= 4 * inCountry`) + `
  UNION ALL
  WITH subtree WHERE members > 4 * inCountry
  MATCH (c:Company) WHERE ` + strings.Join(append(slices.Clone(where), inSubtree), " AND ") + `
  RETURN count(c) AS n
}
RETURN sum(n) AS n`
}

func companyFilterParams(f domain.CompanyFilter) (map[string]any, error) {
	if f.Country != "" {
		if _, ok := countries.Lookup(f.Country); !ok {
			return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "filter.country",
				Message: fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", f.Country)}
		}
	}
	return map[string]any{
		"country": nullable(f.Country),
		"region":  nullable(string(f.Region)),
		"role":    nullable(string(f.Role)),
		"sector":  nullable(f.Sector),
		"name":    nullable(strings.ToLower(strings.TrimSpace(f.NameContains))),
	}, nil
}

// Companies returns a page of the companies f selects, ordered by id.
func (s *Store) Companies(ctx context.Context, f domain.CompanyFilter, p domain.Page) ([]domain.Company, bool, error) {
	params, err := companyFilterParams(f)
	if err != nil {
		return nil, false, err
	}
	params["after"] = p.After
	params["limit"] = p.First + 1
	res, err := s.read(ctx, companiesStatements[companyFilterMask(f)], params)
	if err != nil {
		return nil, false, err
	}
	out := make([]domain.Company, 0, len(res.Records))
	for _, r := range res.Records {
		out = append(out, toCompany(recordMap(r, "c")))
	}
	return trimPage(out, p.First)
}

// CountCompanies counts the companies f selects.
func (s *Store) CountCompanies(ctx context.Context, f domain.CompanyFilter) (int, error) {
	params, err := companyFilterParams(f)
	if err != nil {
		return 0, err
	}
	return s.count(ctx, countCompaniesStatements[companyFilterMask(f)], params)
}

var searchCypher = `
CALL db.index.fulltext.queryNodes('company_names', $query) YIELD node, score
WITH node AS c, score ORDER BY score DESC, c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS c`

// SearchCompanies searches names and aliases, best score first. The text
// is matched as a phrase, or as words that each begin a word of a name.
func (s *Store) SearchCompanies(ctx context.Context, text string, limit int) ([]domain.Company, error) {
	if utf8.RuneCountInString(text) > maxSearchText {
		// Lucene refuses prefix terms over 1,000 characters ("input
		// automaton is too large"); no name is this long.
		return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "text",
			Message: fmt.Sprintf("the search text is longer than %d characters", maxSearchText)}
	}
	q := fulltextQuery(text)
	if q == "" {
		return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "text", Message: "the search text is empty"}
	}
	res, err := s.read(ctx, searchCypher, map[string]any{"query": q, "limit": limit})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Company, 0, len(res.Records))
	for _, r := range res.Records {
		out = append(out, toCompany(recordMap(r, "c")))
	}
	return out, nil
}

// maxSearchText bounds search texts.
const maxSearchText = 200

// fulltextQuery turns user text into a Lucene query with every special
// character escaped: the text as a phrase, OR all its words as prefixes.
func fulltextQuery(text string) string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return ""
	}
	prefixes := make([]string, len(words))
	for i, w := range words {
		prefixes[i] = escapeLucene(strings.ToLower(w)) + "*"
	}
	return `"` + escapeLucene(strings.Join(words, " ")) + `" OR (` + strings.Join(prefixes, " AND ") + ")"
}

// escapeLucene backslash-escapes Lucene's query syntax characters.
func escapeLucene(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`+-&|!(){}[]^"~*?:\/`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// Sectors, materials, export controls

var sectorsCypher = `MATCH (s:Sector) WITH s ORDER BY s.id RETURN ` + sectorProjection("s") + ` AS s`

// Sectors returns every sector, by id.
func (s *Store) Sectors(ctx context.Context) ([]domain.Sector, error) {
	res, err := s.read(ctx, sectorsCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "s", toSector), nil
}

// Sector returns the sector with id, or nil.
func (s *Store) Sector(ctx context.Context, id string) (*domain.Sector, error) {
	m, err := s.SectorsByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if sec, ok := m[id]; ok {
		return &sec, nil
	}
	return nil, nil
}

var sectorsByIDsCypher = `UNWIND $ids AS id MATCH (s:Sector {id: id}) RETURN ` + sectorProjection("s") + ` AS s`

// SectorsByIDs returns the sectors that exist among ids.
func (s *Store) SectorsByIDs(ctx context.Context, ids []string) (map[string]domain.Sector, error) {
	res, err := s.read(ctx, sectorsByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "s", toSector), func(x domain.Sector) string { return x.ID }), nil
}

var sectorChildrenCypher = `
UNWIND $ids AS id
MATCH (s:Sector)-[:PART_OF]->(:Sector {id: id})
WITH id, s ORDER BY s.id
RETURN id, collect(` + sectorProjection("s") + `) AS children`

// SectorChildren returns the direct children of each parent, by id.
func (s *Store) SectorChildren(ctx context.Context, parentIDs []string) (map[string][]domain.Sector, error) {
	return listsByID(ctx, s, sectorChildrenCypher, parentIDs, "children", toSector)
}

const materialsCypher = `MATCH (m:Material) WITH m ORDER BY m.id RETURN m{.id, .name, .kind} AS m`

// Materials returns every material, by id.
func (s *Store) Materials(ctx context.Context) ([]domain.Material, error) {
	res, err := s.read(ctx, materialsCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "m", toMaterial), nil
}

const materialsByIDsCypher = `UNWIND $ids AS id MATCH (m:Material {id: id}) RETURN m{.id, .name, .kind} AS m`

// MaterialsByIDs returns the materials that exist among ids.
func (s *Store) MaterialsByIDs(ctx context.Context, ids []string) (map[string]domain.Material, error) {
	res, err := s.read(ctx, materialsByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "m", toMaterial), func(x domain.Material) string { return x.ID }), nil
}

var controlsCypher = `MATCH (x:ExportControl) WITH x ORDER BY x.id RETURN ` + controlProjection("x") + ` AS x`

// ExportControls returns every export control, by id.
func (s *Store) ExportControls(ctx context.Context) ([]domain.ExportControl, error) {
	res, err := s.read(ctx, controlsCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "x", toControl), nil
}

var controlsByIDsCypher = `UNWIND $ids AS id MATCH (x:ExportControl {id: id}) RETURN ` + controlProjection("x") + ` AS x`

// ExportControlsByIDs returns the export controls that exist among ids.
func (s *Store) ExportControlsByIDs(ctx context.Context, ids []string) (map[string]domain.ExportControl, error) {
	res, err := s.read(ctx, controlsByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "x", toControl), func(x domain.ExportControl) string { return x.ID }), nil
}

// ---------------------------------------------------------------------------
// Licences

var licenceByIDCypher = `MATCH (l:Licence {id: $id}) RETURN ` + licenceProjection("l") + ` AS l`

var licencesByIDsCypher = `UNWIND $ids AS id MATCH (l:Licence {id: id}) RETURN ` + licenceProjection("l") + ` AS l`

// LicencesByIDs returns the licences that exist among ids.
func (s *Store) LicencesByIDs(ctx context.Context, ids []string) (map[string]domain.Licence, error) {
	res, err := s.read(ctx, licencesByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "l", toLicence), func(l domain.Licence) string { return l.ID }), nil
}

// Licence returns the licence with id, or nil.
func (s *Store) Licence(ctx context.Context, id string) (*domain.Licence, error) {
	res, err := s.read(ctx, licenceByIDCypher, map[string]any{"id": id})
	if err != nil || len(res.Records) == 0 {
		return nil, err
	}
	l := toLicence(recordMap(res.Records[0], "l"))
	return &l, nil
}

var licenceFilterCypher = `
MATCH (l:Licence)
WHERE ($holder IS NULL OR EXISTS { (:Company {id: $holder})-[:HOLDS]->(l) })
  AND ($client IS NULL OR EXISTS { (l)-[:COVERS]->(:Company {id: $client}) })
  AND ($status IS NULL OR l.status = $status)
  AND ($type IS NULL OR l.type = $type)
  AND ($material IS NULL OR EXISTS { (l)-[:FOR_MATERIAL]->(:Material {id: $material}) })
  AND ($validOn IS NULL OR (` + licenceInWindow("l", "$validOn") + ` AND NOT ` + licenceRevokedBy("l", "$validOn") + `))
`

var licencesCypher = licenceFilterCypher + `
  AND ($after IS NULL OR l.id > $after)
WITH l ORDER BY l.id LIMIT $limit
RETURN ` + licenceProjection("l") + ` AS l`

var countLicencesCypher = licenceFilterCypher + `RETURN count(l) AS n`

func licenceFilterParams(f domain.LicenceFilter) map[string]any {
	return map[string]any{
		"holder":   nullable(f.Holder),
		"client":   nullable(f.Client),
		"status":   nullable(string(f.Status)),
		"type":     nullable(string(f.Type)),
		"material": nullable(f.Material),
		"validOn":  dateOrNull(f.ValidOn),
	}
}

// Licences returns a page of the licences f selects, ordered by id.
func (s *Store) Licences(ctx context.Context, f domain.LicenceFilter, p domain.Page) ([]domain.Licence, bool, error) {
	params := licenceFilterParams(f)
	params["after"] = nullable(p.After)
	params["limit"] = p.First + 1
	res, err := s.read(ctx, licencesCypher, params)
	if err != nil {
		return nil, false, err
	}
	return trimPage(mapRecords(res.Records, "l", toLicence), p.First)
}

// CountLicences counts the licences f selects.
func (s *Store) CountLicences(ctx context.Context, f domain.LicenceFilter) (int, error) {
	return s.count(ctx, countLicencesCypher, licenceFilterParams(f))
}

// The licences held by $holders on $asOf, filtered by $status (null: any):
// one statement per (status, date, lists) the batch asks, normally one.
// Holders as a list of ids, not of key maps, and the holder taken from it,
// not read back from the graph: 20 % less time on 500 holders.
const licencesHeldMatch = `
UNWIND $holders AS holder
MATCH (:Company {id: holder})-[:HOLDS]->(l:Licence)
WHERE `

var licencesHeldWhere = licenceInWindow("l", "$asOf") + `
  AND ($status IS NULL OR ` + licenceStatusOn("l", "$asOf") + ` = $status)
WITH holder, l ORDER BY l.id
`

var (
	licencesHeldCypher = licencesHeldMatch + licencesHeldWhere + `RETURN holder, collect(` + licenceProjectionWithHolder("l", "holder") + `) AS licences`
	// licencesHeldBareCypher leaves the lists out (HeldKey.Lists false).
	licencesHeldBareCypher = licencesHeldMatch + licencesHeldWhere + `RETURN holder, collect(l{.*, holder: holder}) AS licences`
)

// LicencesHeld returns, for each key, the licences its holder holds whose
// validity window holds the date, filtered by their status on that date.
func (s *Store) LicencesHeld(ctx context.Context, keys []domain.HeldKey) (map[domain.HeldKey][]domain.Licence, error) {
	type group struct {
		status domain.LicenceStatus
		asOf   domain.Date
		lists  bool
	}
	holders := map[group][]string{}
	var order []group
	out := make(map[domain.HeldKey][]domain.Licence, len(keys))
	for _, k := range keys {
		g := group{k.Status, k.AsOf, k.Lists}
		if _, ok := holders[g]; !ok {
			order = append(order, g)
		}
		holders[g] = append(holders[g], k.Holder)
		out[k] = []domain.Licence{}
	}
	for _, g := range order {
		cypher := licencesHeldBareCypher
		if g.lists {
			cypher = licencesHeldCypher
		}
		res, err := s.read(ctx, cypher, map[string]any{"holders": holders[g], "status": nullable(string(g.status)), "asOf": dateOrNull(g.asOf)})
		if err != nil {
			return nil, err
		}
		for _, r := range res.Records {
			key := domain.HeldKey{Holder: recordString(r, "holder"), Status: g.status, AsOf: g.asOf, Lists: g.lists}
			out[key] = mapList(r, "licences", toLicence)
		}
	}
	return out, nil
}

var licencesCoveringCypher = `
UNWIND $keys AS k
MATCH (c:Company {id: k.client})<-[:COVERS]-(l:Licence)
WHERE l.status = 'ACTIVE'
  AND ` + licenceInWindow("l", "k.asOf") + `
  AND NOT ` + licenceRevokedBy("l", "k.asOf") + `
  AND NOT EXISTS { (c)-[:OPERATES_IN]->(:Sector)-[:PART_OF*0..]->(:Sector)<-[:EXCLUDES]-(l) }
WITH k, l ORDER BY l.id
RETURN k.i AS i, collect(` + licenceProjection("l") + `) AS licences`

// LicencesCovering returns, for each key, the licences in force on the date
// that name the client and do not exclude a sector it operates in.
func (s *Store) LicencesCovering(ctx context.Context, keys []domain.CoveringKey) (map[domain.CoveringKey][]domain.Licence, error) {
	rows := make([]map[string]any, len(keys))
	for i, k := range keys {
		rows[i] = map[string]any{"i": i, "client": k.Client, "asOf": dateOrNull(k.AsOf)}
	}
	return licenceLists(ctx, s, licencesCoveringCypher, rows, keys)
}

func licenceLists[K comparable](ctx context.Context, s *Store, cypher string, rows []map[string]any, keys []K) (map[K][]domain.Licence, error) {
	res, err := s.read(ctx, cypher, map[string]any{"keys": rows})
	if err != nil {
		return nil, err
	}
	out := make(map[K][]domain.Licence, len(keys))
	for _, k := range keys {
		out[k] = []domain.Licence{}
	}
	for _, r := range res.Records {
		i := recordInt(r, "i")
		if i >= 0 && i < len(keys) {
			out[keys[i]] = mapList(r, "licences", toLicence)
		}
	}
	return out, nil
}

var licenceClientsCypher = `
UNWIND $ids AS id
MATCH (:Licence {id: id})-[:COVERS]->(c:Company)
WITH id, c ORDER BY c.id
RETURN id, collect(` + companyProjection("c") + `) AS clients`

// LicenceClients returns the companies each licence COVERS, by id.
func (s *Store) LicenceClients(ctx context.Context, licenceIDs []string) (map[string][]domain.Company, error) {
	return listsByID(ctx, s, licenceClientsCypher, licenceIDs, "clients", toCompany)
}

// listsByID runs a statement that returns, per id of $ids, a list under
// key, and gives every id its list (empty when the statement has none).
func listsByID[T any](ctx context.Context, s *Store, cypher string, ids []string, key string, conv func(map[string]any) T) (map[string][]T, error) {
	res, err := s.read(ctx, cypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]T, len(ids))
	for _, id := range ids {
		out[id] = []T{}
	}
	for _, r := range res.Records {
		out[recordString(r, "id")] = mapList(r, key, conv)
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Supply links

// linkPageCypher pages one side of many companies' links at once; the
// other company's id orders the page (one link per ordered pair). What it
// projects beyond ids follows the key's LinkReads, passed as parameters
// ($links, $sectors, and $name, $aliases, … per company property): one
// statement, and Neo4j reads a property or a sector list only when asked.
func linkPageCypher(pattern, degree, otherVar, supplierVar, customerVar string) string {
	return `
UNWIND $ids AS id
MATCH (c:Company {id: id})
CALL (c) {
  MATCH ` + pattern + `
  WHERE $after IS NULL OR ` + otherVar + `.id > $after
  WITH r, ` + otherVar + ` ORDER BY ` + otherVar + `.id LIMIT $limit
  RETURN collect(CASE WHEN $links THEN ` + linkProjection("r", supplierVar, customerVar) + `
                 ELSE {supplier: ` + supplierVar + `.id, customer: ` + customerVar + `.id} END) AS links,
         collect(CASE WHEN $sectors THEN ` + companyProjection(otherVar) + `
                 ELSE ` + companyPropsProjection(otherVar) + ` END) AS others
}
RETURN id, links, others, COUNT { ` + degree + ` } AS total`
}

var (
	// total counts the links without looking at their other ends (only
	// companies supply companies), which Neo4j reads from the node's degree.
	supplierPageCypher = linkPageCypher("(c)<-[r:SUPPLIES]-(o:Company)", "(c)<-[:SUPPLIES]-()", "o", "o", "c")
	customerPageCypher = linkPageCypher("(c)-[r:SUPPLIES]->(o:Company)", "(c)-[:SUPPLIES]->()", "o", "c", "o")
)

// SupplierPages returns a page of each company's suppliers, by supplier id.
func (s *Store) SupplierPages(ctx context.Context, keys []domain.LinkPageKey) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
	return s.linkPages(ctx, supplierPageCypher, keys, true)
}

// CustomerPages returns a page of each company's customers, by customer id.
func (s *Store) CustomerPages(ctx context.Context, keys []domain.LinkPageKey) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
	return s.linkPages(ctx, customerPageCypher, keys, false)
}

// linkPageGroup is the keys one statement answers: the same page asked
// with the same reads (normally every company of a list asks the same).
type linkPageGroup struct {
	page  domain.Page
	reads domain.LinkReads
}

// linkPages runs one statement per distinct page request and reads;
// upstream: the other companies are the links' suppliers.
func (s *Store) linkPages(ctx context.Context, cypher string, keys []domain.LinkPageKey, upstream bool) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
	groups := map[linkPageGroup][]string{}
	var order []linkPageGroup
	for _, k := range keys {
		g := linkPageGroup{k.Page, k.Reads}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], k.Company)
	}
	out := make(map[domain.LinkPageKey]domain.SupplyLinkPage, len(keys))
	for _, k := range keys {
		out[k] = domain.SupplyLinkPage{Links: []domain.SupplyLink{}}
	}
	for _, g := range order {
		p := g.page
		params := map[string]any{"ids": groups[g], "after": nullable(p.After), "limit": p.First + 1,
			"links": g.reads.Links, "sectors": g.reads.Sectors}
		for _, cp := range companyPropParams {
			params[cp.name] = g.reads.Others.Has(cp.prop)
		}
		res, err := s.read(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		for _, r := range res.Records {
			links, more, _ := trimPage(mapList(r, "links", toLink), p.First)
			others, _, _ := trimPage(mapList(r, "others", toCompany), p.First)
			company := recordString(r, "id")
			for i := range min(len(links), len(others)) {
				if upstream {
					links[i].SupplierRead = &others[i]
				} else {
					links[i].CustomerRead = &others[i]
				}
			}
			key := domain.LinkPageKey{Company: company, Page: p, Reads: g.reads}
			out[key] = domain.SupplyLinkPage{Links: links, HasNext: more, Total: recordInt(r, "total"), Others: others}
		}
	}
	return out, nil
}

var (
	upstreamStepCypher = `
UNWIND $ids AS id
MATCH (c:Company {id: id})<-[r:SUPPLIES]-(o:Company)
RETURN ` + linkProjection("r", "o", "c") + ` AS link, ` + companyProjection("o") + ` AS other`
	downstreamStepCypher = `
UNWIND $ids AS id
MATCH (c:Company {id: id})-[r:SUPPLIES]->(o:Company)
RETURN ` + linkProjection("r", "c", "o") + ` AS link, ` + companyProjection("o") + ` AS other`
)

// supplyChainNodeCap is domain.MaxSupplyChainNodes; tests lower it.
var supplyChainNodeCap = domain.MaxSupplyChainNodes

// SupplyChain walks SUPPLIES links from a company, breadth first, up to
// maxDepth hops: to suppliers (UPSTREAM) or customers (DOWNSTREAM). Nodes
// are the companies reached (the start first, then by distance and id);
// links are every link walked, each once. More than
// domain.MaxSupplyChainNodes companies is BAD_USER_INPUT.
func (s *Store) SupplyChain(ctx context.Context, companyID string, dir domain.Direction, maxDepth int) (domain.SupplyGraph, error) {
	if maxDepth < 1 || maxDepth > domain.MaxSupplyChainDepth {
		return domain.SupplyGraph{}, &domain.Error{Code: domain.CodeBadUserInput, Field: "maxDepth",
			Message: fmt.Sprintf("maxDepth must be between 1 and %d", domain.MaxSupplyChainDepth)}
	}
	var step string
	switch dir {
	case domain.Upstream:
		step = upstreamStepCypher
	case domain.Downstream:
		step = downstreamStepCypher
	default:
		return domain.SupplyGraph{}, &domain.Error{Code: domain.CodeBadUserInput, Field: "direction",
			Message: fmt.Sprintf("%q is not a direction", dir)}
	}
	start, err := s.Company(ctx, companyID)
	if err != nil {
		return domain.SupplyGraph{}, err
	}
	if start == nil {
		return domain.SupplyGraph{}, &domain.Error{Code: domain.CodeNotFound, Field: "companyId",
			Message: fmt.Sprintf("no company %q", companyID)}
	}
	g := domain.SupplyGraph{Nodes: []domain.Company{*start}, Links: []domain.SupplyLink{}}
	seen := map[string]bool{start.ID: true}
	frontier := []string{start.ID}
	for depth := 1; depth <= maxDepth && len(frontier) > 0; depth++ {
		res, err := s.read(ctx, step, map[string]any{"ids": frontier})
		if err != nil {
			return domain.SupplyGraph{}, err
		}
		var next []domain.Company
		for _, r := range res.Records {
			g.Links = append(g.Links, toLink(recordMap(r, "link")))
			o := toCompany(recordMap(r, "other"))
			if !seen[o.ID] {
				seen[o.ID] = true
				next = append(next, o)
			}
		}
		if len(g.Nodes)+len(next) > supplyChainNodeCap {
			return domain.SupplyGraph{}, &domain.Error{Code: domain.CodeBadUserInput, Field: "maxDepth",
				Message: fmt.Sprintf("the supply chain within %d hops holds more than %d companies; lower maxDepth", depth, supplyChainNodeCap)}
		}
		slices.SortFunc(next, func(a, b domain.Company) int { return strings.Compare(a.ID, b.ID) })
		frontier = frontier[:0]
		for _, c := range next {
			g.Nodes = append(g.Nodes, c)
			frontier = append(frontier, c.ID)
		}
	}
	slices.SortFunc(g.Links, func(a, b domain.SupplyLink) int {
		return cmpPair(a.Supplier, a.Customer, b.Supplier, b.Customer)
	})
	return g, nil
}

func cmpPair(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// ---------------------------------------------------------------------------
// Helpers and converters: Neo4j values stop here.

func (s *Store) count(ctx context.Context, cypher string, params map[string]any) (int, error) {
	res, err := s.read(ctx, cypher, params)
	if err != nil {
		return 0, err
	}
	if len(res.Records) != 1 {
		return 0, domain.Wrap(domain.CodeInternal, fmt.Errorf("count: %d records", len(res.Records)), "internal error")
	}
	return recordInt(res.Records[0], "n"), nil
}

// trimPage cuts a list fetched with limit first+1 to first, reporting
// whether there was more.
func trimPage[T any](items []T, first int) ([]T, bool, error) {
	if len(items) > first {
		return items[:first], true, nil
	}
	return items, false, nil
}

func dateOrNull(d domain.Date) any {
	if d.IsZero() {
		return nil
	}
	return neo4j.DateOf(d.Time())
}

func byID[T any](items []T, id func(T) string) map[string]T {
	out := make(map[string]T, len(items))
	for _, x := range items {
		out[id(x)] = x
	}
	return out
}

func recordMap(r *neo4j.Record, key string) map[string]any {
	v, _ := r.Get(key)
	m, _ := v.(map[string]any)
	return m
}

func recordString(r *neo4j.Record, key string) string {
	v, _ := r.Get(key)
	s, _ := v.(string)
	return s
}

func recordInt(r *neo4j.Record, key string) int {
	v, _ := r.Get(key)
	n, _ := v.(int64)
	return int(n)
}

func mapRecords[T any](recs []*neo4j.Record, key string, conv func(map[string]any) T) []T {
	out := make([]T, 0, len(recs))
	for _, r := range recs {
		out = append(out, conv(recordMap(r, key)))
	}
	return out
}

func mapList[T any](r *neo4j.Record, key string, conv func(map[string]any) T) []T {
	v, _ := r.Get(key)
	list, _ := v.([]any)
	out := make([]T, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, conv(m))
		}
	}
	return out
}

func mString(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// mStrings reads a list of strings; the result is sorted when sorted is set
// (lists collected from relationships have no order of their own).
func mStrings(m map[string]any, key string, sorted bool) []string {
	list, _ := m[key].([]any)
	if len(list) == 0 {
		return []string{}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	if sorted {
		slices.Sort(out)
	}
	return out
}

func mDate(m map[string]any, key string) domain.Date {
	switch v := m[key].(type) {
	case neo4j.Date:
		return domain.DateOf(v.Time())
	case time.Time:
		return domain.DateOf(v)
	}
	return domain.Date{}
}

func mFloat(m map[string]any, key string) *float64 {
	switch v := m[key].(type) {
	case float64:
		return &v
	case int64:
		f := float64(v)
		return &f
	}
	return nil
}

func toCompany(m map[string]any) domain.Company {
	roleNames := mStrings(m, "roles", false)
	roles := make([]domain.Role, len(roleNames))
	for i, r := range roleNames {
		roles[i] = domain.Role(r)
	}
	return domain.Company{
		ID:      mString(m, "id"),
		Name:    mString(m, "name"),
		Aliases: mStrings(m, "aliases", false),
		Country: mString(m, "country"),
		Roles:   roles,
		Sectors: mStrings(m, "sectors", true),
		LEI:     mString(m, "lei"),
		Website: mString(m, "website"),
	}
}

func toSector(m map[string]any) domain.Sector {
	return domain.Sector{ID: mString(m, "id"), Name: mString(m, "name"), Parent: mString(m, "parent")}
}

func toMaterial(m map[string]any) domain.Material {
	return domain.Material{ID: mString(m, "id"), Name: mString(m, "name"), Kind: domain.MaterialKind(mString(m, "kind"))}
}

func toControl(m map[string]any) domain.ExportControl {
	return domain.ExportControl{
		ID:             mString(m, "id"),
		Title:          mString(m, "title"),
		Authority:      mString(m, "authority"),
		AnnouncedOn:    mDate(m, "announcedOn"),
		EffectiveFrom:  mDate(m, "effectiveFrom"),
		SuspendedFrom:  mDate(m, "suspendedFrom"),
		SuspendedUntil: mDate(m, "suspendedUntil"),
		LiftedOn:       mDate(m, "liftedOn"),
		Materials:      mStrings(m, "materials", true),
		Sources:        mStrings(m, "sources", true),
	}
}

func toLicence(m map[string]any) domain.Licence {
	return domain.Licence{
		ID:               mString(m, "id"),
		Type:             domain.LicenceType(mString(m, "type")),
		Status:           domain.LicenceStatus(mString(m, "status")),
		Holder:           mString(m, "holder"),
		Clients:          mStrings(m, "clients", true),
		Materials:        mStrings(m, "materials", true),
		ExcludedSectors:  mStrings(m, "excluded", true),
		IssuedOn:         mDate(m, "issuedOn"),
		ValidFrom:        mDate(m, "validFrom"),
		ValidUntil:       mDate(m, "validUntil"),
		RevokedOn:        mDate(m, "revokedOn"),
		RevocationReason: mString(m, "revocationReason"),
		Reference:        mString(m, "reference"),
		Sources:          mStrings(m, "sources", true),
		Controls:         mStrings(m, "controls", true),
	}
}

func toLink(m map[string]any) domain.SupplyLink {
	return domain.SupplyLink{
		Supplier:   mString(m, "supplier"),
		Customer:   mString(m, "customer"),
		Materials:  mStrings(m, "materials", false),
		Since:      mDate(m, "since"),
		Until:      mDate(m, "until"),
		Confidence: mFloat(m, "confidence"),
		Sources:    mStrings(m, "sources", false),
	}
}
