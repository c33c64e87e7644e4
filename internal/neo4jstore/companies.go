package neo4jstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Companies: lookups by id and filtered pages, each filter a row of
// companyFilters.

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

// companyFilter is one filter of domain.CompanyFilter: whether a filter
// sets it, its parameter, and its condition on company c. The sector
// filter has no condition: its statements are planned around the sector's
// subtree (companiesStatement, countCompaniesStatement).
type companyFilter struct {
	param string
	value func(domain.CompanyFilter) string // "" when the filter does not set it
	cond  string
}

var companyFilters = []companyFilter{
	{"country", func(f domain.CompanyFilter) string { return f.Country }, `c.country = $country`},
	{"region", func(f domain.CompanyFilter) string { return string(f.Region) },
		`EXISTS { (c)-[:REGISTERED_IN]->(:Country {region: $region}) }`},
	{"role", func(f domain.CompanyFilter) string { return string(f.Role) }, `$role IN coalesce(c.roles, [])`},
	{"sector", func(f domain.CompanyFilter) string { return f.Sector }, ""},
	{"name", func(f domain.CompanyFilter) string { return strings.ToLower(strings.TrimSpace(f.NameContains)) },
		`(toLower(c.name) CONTAINS $name OR any(a IN coalesce(c.aliases, []) WHERE toLower(a) CONTAINS $name))`},
}

// filterSet is the set of companyFilters a request sets, one bit per row.
type filterSet int

func (fs filterSet) has(param string) bool {
	i := slices.IndexFunc(companyFilters, func(f companyFilter) bool { return f.param == param })
	return fs&(1<<i) != 0
}

// companyFilterParams returns the filters f sets and the parameters of
// every filter (null where unset: a statement names only its own).
func companyFilterParams(f domain.CompanyFilter) (filterSet, map[string]any) {
	var set filterSet
	params := make(map[string]any, len(companyFilters)+2)
	for i, cf := range companyFilters {
		v := cf.value(f)
		if v != "" {
			set |= 1 << i
		}
		params[cf.param] = nullable(v)
	}
	return set, params
}

// companyConditions returns the conditions of the filters in set (but
// the sector's).
func companyConditions(set filterSet) []string {
	var where []string
	for i, cf := range companyFilters {
		if set&(1<<i) != 0 && cf.cond != "" {
			where = append(where, cf.cond)
		}
	}
	return where
}

// The statements of every combination of filters, built once: a request
// picks one by its filterSet.
var companiesStatements, countCompaniesStatements = companyStatements()

func companyStatements() (page, count []string) {
	n := 1 << len(companyFilters)
	page, count = make([]string, n), make([]string, n)
	for set := range filterSet(n) {
		page[set], count[set] = companiesStatement(set), countCompaniesStatement(set)
	}
	return page, count
}

// Plan thresholds of sector-filtered lists, measured on the generated
// 100,000-company world (TestSectorFilterPlans checks both plans of each
// against a reference).
const (
	// walkRowCost: a page walks from the subtree's M memberships (~M rows)
	// or reads companies in id order testing each (~limit·N/M rows, each
	// this many times dearer); it walks when M² ≤ walkRowCost·limit·N.
	walkRowCost = 5
	// countWalkRatio: a count with a country walks the M memberships
	// (~1.3 µs each) or tests the country's C companies (~4.7 µs each);
	// it walks when M ≤ countWalkRatio·C.
	countWalkRatio = 4
)

// companiesStatement pages the companies the filters of set select in id
// order, after $after ("" for the first page). Without a sector it reads
// companies in id order from the unique index and stops at the page.
//
// With a sector, one of two plans, chosen inside the statement from the
// number of memberships M in the sector's subtree (node degrees, free) and
// the number of companies N (count store), by walkRowCost. Either plan
// alone took 40–70 ms on some (country, sector) pairs of the generated
// world; the pair takes 3–11 ms on all of them. Each branch runs inside
// its own CALL so that the branch not taken reads nothing (a guard beside
// the MATCH was planned after the index scan).
func companiesStatement(set filterSet) string {
	where := strings.Join(append([]string{"c.id > $after"}, companyConditions(set)...), " AND ")
	if !set.has("sector") {
		return `MATCH (c:Company) WHERE ` + where + `
WITH c ORDER BY c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS c`
	}
	return fill(sectorSubtree+`
WITH subtree, `+subtreeMembers+`,
     COUNT { (:Company) } AS companies
CALL (subtree, members, companies) {
  WITH subtree WHERE members * members <= {cost} * $limit * companies
  CALL (subtree) {
    UNWIND subtree AS s
    MATCH (s)<-[:OPERATES_IN]-(c:Company)
    WITH DISTINCT c WHERE {where}
    RETURN c ORDER BY c.id LIMIT $limit
  }
  RETURN c
  UNION
  WITH subtree WHERE members * members > {cost} * $limit * companies
  CALL (subtree) {
    MATCH (c:Company) WHERE {where}
    WITH subtree, c ORDER BY c.id
    WHERE `+inSubtree+`
    RETURN c LIMIT $limit
  }
  RETURN c
}
WITH c ORDER BY c.id
RETURN `+companyProjection("c")+` AS c`, "cost", strconv.Itoa(walkRowCost), "where", where)
}

// countCompaniesStatement counts them; without filters Neo4j answers from
// its count store.
//
// With a sector, the companies are counted from the subtree's memberships
// or, with a country, by testing each company of the country, whichever
// is cheaper by countWalkRatio. Testing every company with EXISTS, as the
// planner did from the sector filter alone, took 0.2–0.6 s with a country
// and 1.7 s without; these take 3–50 ms. Both end in sum(), so an unknown
// sector still gives one row (0).
func countCompaniesStatement(set filterSet) string {
	where := companyConditions(set)
	if !set.has("sector") {
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
	if !set.has("country") {
		return sectorSubtree + `
CALL (subtree) {` + walk("") + `
}
RETURN sum(n) AS n`
	}
	return fill(sectorSubtree+`
OPTIONAL MATCH (k:Country {code: $country})
WITH subtree, `+subtreeMembers+`,
     COUNT { (k)<-[:REGISTERED_IN]-() } AS inCountry
CALL (subtree, members, inCountry) {`+walk(`
  WITH subtree WHERE members <= {ratio} * inCountry`)+`
  UNION ALL
  WITH subtree WHERE members > {ratio} * inCountry
  MATCH (c:Company) WHERE `+strings.Join(append(slices.Clone(where), inSubtree), " AND ")+`
  RETURN count(c) AS n
}
RETURN sum(n) AS n`, "ratio", strconv.Itoa(countWalkRatio))
}

// Companies returns a page of the companies f selects, ordered by id.
func (s *Store) Companies(ctx context.Context, f domain.CompanyFilter, p domain.Page) ([]domain.Company, bool, error) {
	set, params := companyFilterParams(f)
	params["after"] = p.After
	params["limit"] = p.First + 1
	res, err := s.read(ctx, companiesStatements[set], params)
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
	set, params := companyFilterParams(f)
	return s.count(ctx, countCompaniesStatements[set], params)
}
