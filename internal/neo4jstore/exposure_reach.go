package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Exposure at scale. Listing every exposure path of every company is
// exponential in maxDepth (3.3 million paths at depth 4 on a generated
// 100,000-company world), so the engine (internal/exposure) finds who is
// exposed with searches over distinct companies built from the
// statements below, and counts the paths of a page of companies only
// (ExposureDetails).

// Version identifies the committed state of the graph: the bookmark of a
// read transaction, which names the last transaction committed when it
// ran. Any write by any process changes it; the engine keys its caches
// on it.
func (s *Store) Version(ctx context.Context) (string, error) {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, DatabaseName: s.db})
	defer sess.Close(ctx)
	s.queries.Add(1)
	_, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, "RETURN 1", nil)
		if err != nil {
			return nil, err
		}
		return res.Consume(ctx)
	}, txTimeout(ctx)...)
	if err != nil {
		return "", s.convertErr(ctx, err)
	}
	return strings.Join(sess.LastBookmarks(), ","), nil
}

var uncoveredPairsCypher = uncoveredHopsCypher + `
RETURN s.id AS origin, collect(c.id) AS customers`

// UncoveredHops returns, for each company with an uncovered controlled hop
// on d, the customers of those hops: the first hops of exposure paths.
func (s *Store) UncoveredHops(ctx context.Context, d domain.Date) (map[string][]string, error) {
	res, err := s.read(ctx, uncoveredPairsCypher, map[string]any{"d": dateParam(d)})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(res.Records))
	for _, r := range res.Records {
		out[recordString(r, "origin")] = strs(r, "customers")
	}
	return out, nil
}

// nextLevelCypher binds f<n+1>: the distinct customers, over links current
// on $d, of the companies in f<n>.
var nextLevelCypher = `
CALL (f%[1]d) {
  UNWIND f%[1]d AS x
  MATCH (x)-[r:SUPPLIES]->(y)
  WHERE ` + current("r") + `
  RETURN collect(DISTINCT y) AS f%[2]d
}
`

// levelsCypher returns, for n from 1 to levels, the ids of the companies
// a walk of n-1 current links from a company of $ids reaches (the
// companies themselves first).
func levelsCypher(levels int) string {
	var b strings.Builder
	b.WriteString(`
MATCH (c:Company) WHERE c.id IN $ids
WITH collect(c) AS f1
`)
	names := []string{"[x IN f1 | x.id]"}
	for n := 1; n < levels; n++ {
		fmt.Fprintf(&b, nextLevelCypher, n, n+1)
		names = append(names, fmt.Sprintf("[x IN f%d | x.id]", n+1))
	}
	b.WriteString(`RETURN [` + strings.Join(names, ", ") + `] AS levels`)
	return b.String()
}

// WalkLevels returns, for n from 1 to levels, the companies reached from
// ids by walks of exactly n-1 links current on d (level 1 is ids that
// exist). A walk may repeat companies; each level lists a company once.
func (s *Store) WalkLevels(ctx context.Context, ids []string, d domain.Date, levels int) ([][]string, error) {
	if levels < 1 || levels > domain.MaxExposureDepth {
		return nil, fmt.Errorf("walk levels: %d out of range", levels)
	}
	res, err := s.read(ctx, levelsCypher(levels), map[string]any{"ids": ids, "d": dateParam(d)})
	if err != nil {
		return nil, err
	}
	out := make([][]string, levels)
	if len(res.Records) == 0 {
		return out, nil
	}
	v, _ := res.Records[0].Get("levels")
	list, _ := v.([]any)
	for i, level := range list {
		if i >= levels {
			break
		}
		ids, _ := level.([]any)
		for _, x := range ids {
			if id, ok := x.(string); ok {
				out[i] = append(out[i], id)
			}
		}
	}
	return out, nil
}

var propagateCypher = `
UNWIND $from AS f
MATCH (x:Company {id: f.id})-[r:SUPPLIES]->(y:Company)
WHERE ` + current("r") + ` AND y.id IN $to
UNWIND f.labels AS o
WITH y, o WHERE o <> y.id
WITH y, collect(DISTINCT o) AS labels
RETURN y.id AS id, labels[0..$max] AS labels`

// PropagateLabels carries labels one current link downstream: each
// company of to gets the labels of its suppliers in from, except its own
// id, at most max of them.
func (s *Store) PropagateLabels(ctx context.Context, from map[string][]string, to []string, d domain.Date, max int) (map[string][]string, error) {
	param := make([]map[string]any, 0, len(from))
	for id, labels := range from {
		param = append(param, map[string]any{"id": id, "labels": labels})
	}
	res, err := s.read(ctx, propagateCypher, map[string]any{"from": param, "to": to, "d": dateParam(d), "max": max})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(res.Records))
	for _, r := range res.Records {
		out[recordString(r, "id")] = strs(r, "labels")
	}
	return out, nil
}

// detailsCypher walks back from each company of $ids along current links
// to the customers c of uncovered controlled hops (judged once per c),
// and counts the simple paths that meet $minConf (countedPath).
func detailsCypher(maxDepth int) string {
	return controlledCypher + `
UNWIND $ids AS aid
MATCH (a:Company {id: aid})
MATCH path = ` + pathPattern("c", "a", "a", maxDepth-1) + `
WITH controlled, a, c, nodes(path) AS ns, relationships(path) AS rels
WHERE ` + simplePath("ns") + `
WITH controlled, a, c, collect({ns: ns, rels: rels}) AS paths
CALL (controlled, c) {
  MATCH (s:Company {country: 'CN'})-[r:SUPPLIES]->(c)
  WHERE c.country <> 'CN' AND ` + current("r") + `
    AND any(m IN coalesce(r.materials, []) WHERE m IN controlled)
  WITH s, r, c, controlled
` + classifyCypher + `
  WITH s, r WHERE size(uncovered) > 0
  RETURN collect({s: s, r: r}) AS firsts
}
UNWIND paths AS p
UNWIND firsts AS f
WITH a, f.s AS s, f.r AS r, p.ns AS ns, p.rels AS rels WHERE NOT s IN ns
WITH a, s, ns, ` + pathConfidence + ` AS conf
WHERE ` + countedPath + `
RETURN a.id AS id, min(size(ns)) AS minDepth, count(*) AS pathCount, collect(DISTINCT s.id) AS suppliers,
       max(conf) AS confidence`
}

// ExposureDetails returns, for each company of ids that is exposed on
// q.AsOf, its least depth, number of exposure paths and first suppliers.
func (s *Store) ExposureDetails(ctx context.Context, ids []string, q domain.ExposureQuery) (map[string]domain.ExposedCompany, error) {
	if err := checkDepth(q.MaxDepth); err != nil {
		return nil, err
	}
	out := make(map[string]domain.ExposedCompany, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	res, err := s.read(ctx, detailsCypher(q.MaxDepth), confidenceParams(q, map[string]any{"d": dateParam(q.AsOf), "ids": ids}))
	if err != nil {
		return nil, err
	}
	for _, r := range res.Records {
		e := domain.ExposedCompany{
			CompanyID:          recordString(r, "id"),
			MinDepth:           recordInt(r, "minDepth"),
			PathCount:          recordInt(r, "pathCount"),
			UncoveredSuppliers: strs(r, "suppliers"),
			Confidence:         recordFloat(r, "confidence"),
		}
		slices.Sort(e.UncoveredSuppliers)
		out[e.CompanyID] = e
	}
	return out, nil
}

var sectorMembersCypher = `MATCH ` + companiesInSector + `
RETURN collect(DISTINCT c.id) AS ids`

// SectorMembers returns the companies that operate in sector or a sector
// below it, sorted.
func (s *Store) SectorMembers(ctx context.Context, sector string) ([]string, error) {
	res, err := s.read(ctx, sectorMembersCypher, map[string]any{"sector": sector})
	if err != nil || len(res.Records) == 0 {
		return nil, err
	}
	out := strs(res.Records[0], "ids")
	slices.Sort(out)
	return out, nil
}

// CypherView is the exposure searches of this file and exposure.go, run in
// Neo4j, as an exposure.View of the graph's current version. The product
// answers from its in-memory projection (internal/projection); the
// benchmark replays these statements as the database-side baseline.
type CypherView struct {
	*Store
	version string
}

// CypherExposure returns a view at the graph's current version.
func (s *Store) CypherExposure(ctx context.Context) (*CypherView, error) {
	v, err := s.Version(ctx)
	if err != nil {
		return nil, err
	}
	return &CypherView{Store: s, version: v}, nil
}

// Version names the graph's state the view was taken at.
func (v *CypherView) Version() string { return v.version }

// Memo keeps nothing: every question computes afresh.
func (v *CypherView) Memo(create func() any) any { return create() }

// Release ends the view (it holds nothing).
func (v *CypherView) Release() {}
