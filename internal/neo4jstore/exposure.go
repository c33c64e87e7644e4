package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// The exposure rules (docs/exposure.md) in Cypher: judging hops and listing
// one company's exposure paths. The statements are assembled from the
// fragments of cypher.go and below; only parameters carry request values.
// The one number spliced in is a path-length quantifier (Cypher does not
// take parameters there), held to 0..MaxExposureDepth-1 by checkDepth.

// controlledCypher binds `controlled` (exposure rule 1) on $d.
var controlledCypher = controlledOn("$d")

// current is rule 2's "link current on D" for a relationship, on $d.
func current(rel string) string { return linkCurrentOn(rel, "$d") }

// classifyCypher judges the link s-[r]->c (rules 2–4), given `controlled`.
// It binds: mats (all materials of the link), cm (its controlled
// materials, empty unless the hop is controlled), lics (the licences s
// holds that COVER c, by id, with the stage each passes), uncovered (the
// controlled materials no licence covers) and best (the reason of the
// licence that gets furthest, or NO_LICENCE).
var classifyTemplate = `
WITH s, r, c, controlled{{carry}}, coalesce(r.materials, []) AS mats,
     s.country = 'CN' AND c.country <> 'CN' AND ` + current("r") + ` AS crossBorderCurrent
WITH s, r, c{{carry}}, mats, CASE WHEN crossBorderCurrent THEN [m IN mats WHERE m IN controlled] ELSE [] END AS cm
CALL (s, c) {
  OPTIONAL MATCH (s)-[:HOLDS]->(l:Licence)-[:COVERS]->(c)
  WITH c, l ORDER BY l.id
  RETURN collect(CASE WHEN l IS NULL THEN null ELSE {
    id: l.id,
    status: l.status,
    stage: CASE WHEN NOT (l.status = 'ACTIVE' AND NOT ` + licenceRevoked("l", "$d") + `) THEN 1
                WHEN NOT ` + licenceStarted("l", "$d") + ` THEN 2
                WHEN NOT ` + licenceNotExpired("l", "$d") + ` THEN 3
                ELSE 4 END,
    mats: [(l)-[:FOR_MATERIAL]->(lm:Material) | lm.id],
    excluded: ` + sectorExcluded("l", "c") + `
  } END) AS lics
}
WITH s, r, c{{carry}}, mats, cm, lics,
     reduce(acc = [], li IN lics |
       CASE WHEN li.stage = 4 AND NOT li.excluded
            THEN acc + [m IN li.mats WHERE m IN cm AND NOT m IN acc] ELSE acc END) AS coveredMats
WITH s, r, c{{carry}}, mats, cm, lics, [m IN cm WHERE NOT m IN coveredMats] AS uncovered
// Each licence's failing test, ranked by how far the licence got: stage
// times ten; at the status stage, ties go in the order of
// docs/exposure.md (PENDING, DENIED, REVOKED).
WITH s, r, c{{carry}}, mats, cm, lics, uncovered,
     [li IN lics | CASE
        WHEN li.stage = 1 THEN CASE
          WHEN li.status = 'PENDING' THEN {rank: 13, reason: 'PENDING'}
          WHEN li.status = 'DENIED' THEN {rank: 12, reason: 'DENIED'}
          ELSE {rank: 11, reason: 'REVOKED'} END
        WHEN li.stage = 2 THEN {rank: 20, reason: 'NOT_YET_VALID'}
        WHEN li.stage = 3 THEN {rank: 30, reason: 'EXPIRED'}
        WHEN any(m IN uncovered WHERE NOT m IN li.mats) THEN {rank: 40, reason: 'MATERIAL_NOT_COVERED'}
        ELSE {rank: 50, reason: 'SECTOR_EXCLUDED'} END] AS failures
WITH s, r, c{{carry}}, mats, cm, lics, uncovered,
     reduce(best = {rank: 0, reason: 'NO_LICENCE'}, li IN failures |
       CASE WHEN li.rank > best.rank THEN li ELSE best END) AS best
`

// classify returns classifyCypher carrying the extra variables carry
// (", ns") through its WITH clauses.
func classify(carry string) string { return strings.ReplaceAll(classifyTemplate, "{{carry}}", carry) }

var classifyCypher = classify("")

// uncoveredHopsCypher binds s and c for every uncovered controlled hop on
// $d: the first hops of exposure paths.
var uncoveredHopsCypher = controlledCypher + `
MATCH (s:Company {country: 'CN'})-[r:SUPPLIES]->(c:Company)
WHERE c.country <> 'CN' AND ` + current("r") + `
  AND any(m IN coalesce(r.materials, []) WHERE m IN controlled)
WITH s, r, c, controlled
` + classifyCypher + `
WITH s, c WHERE size(uncovered) > 0
`

func simplePath(nodes string) string {
	return fmt.Sprintf("all(i IN range(0, size(%[1]s) - 2) WHERE NOT %[1]s[i] IN %[1]s[i + 1..])", nodes)
}

// pathPattern is a path from `from` to `to` along current links of at most
// extra hops; bound names whichever of the two is already bound. Cypher
// rejects the quantifier {0,0}, so extra == 0 is the single-node path.
func pathPattern(from, to, bound string, extra int) string {
	if extra == 0 {
		other := from
		if bound == from {
			other = to
		}
		return fmt.Sprintf("(%[1]s) WHERE %[1]s = %[2]s", other, bound)
	}
	return fmt.Sprintf("(%s) ((qa)-[qx:SUPPLIES]->(qb) WHERE %s){0,%d} (%s)", from, current("qx"), extra, to)
}

// checkDepth guards the quantifier spliced into path statements. Questions
// are validated before they reach the store (domain.ExposureQuery); a
// depth out of range here is a bug, not bad input.
func checkDepth(maxDepth int) error {
	if maxDepth < 1 || maxDepth > domain.MaxExposureDepth {
		return fmt.Errorf("exposure statement: maxDepth %d out of range", maxDepth)
	}
	return nil
}

// pathConfidence is the confidence of a path whose first hop is r and
// whose other links are rels, in order: the product of their
// confidences, null when one has none; countedPath keeps it when it meets
// $minConf (null: no minimum) within $tol.
const (
	pathConfidence = "reduce(x = r.confidence, rel IN rels | x * rel.confidence)"
	countedPath    = "$minConf IS NULL OR conf >= $minConf - $tol"
)

func pathsCypher(maxDepth int) string {
	return controlledCypher + `
MATCH (a:Company {id: $id})
MATCH path = ` + pathPattern("c", "a", "a", maxDepth-1) + `
WITH controlled, c, nodes(path) AS ns, relationships(path) AS rels
WHERE ` + simplePath("ns") + `
MATCH (s:Company {country: 'CN'})-[r:SUPPLIES]->(c)
WHERE NOT s IN ns AND c.country <> 'CN' AND ` + current("r") + `
  AND any(m IN coalesce(r.materials, []) WHERE m IN controlled)
WITH s, r, c, controlled, ns, rels
` + classify(", ns, rels") + `
WITH s, r, ns, rels WHERE size(uncovered) > 0
WITH s, ns, ` + pathConfidence + ` AS conf
WHERE ` + countedPath + `
WITH [s.id] + [n IN ns | n.id] AS ids, conf
RETURN ids, conf ORDER BY size(ids), ids LIMIT $limit`
}

// confidenceParams are the parameters of countedPath for q.
func confidenceParams(q domain.ExposureQuery, params map[string]any) map[string]any {
	params["minConf"], params["tol"] = nil, domain.ConfidenceTolerance
	if q.MinConfidence != nil {
		params["minConf"] = *q.MinConfidence
	}
	return params
}

// ExposurePaths returns up to q.First exposure paths ending at q.CompanyID, by
// depth then by the ids along the path, each hop judged.
func (s *Store) ExposurePaths(ctx context.Context, q domain.PathsQuery) ([]domain.ExposurePath, error) {
	if err := checkDepth(q.MaxDepth); err != nil {
		return nil, err
	}
	res, err := s.read(ctx, pathsCypher(q.MaxDepth), confidenceParams(q.ExposureQuery, map[string]any{
		"d": dateParam(q.AsOf), "id": q.CompanyID, "limit": q.First,
	}))
	if err != nil {
		return nil, err
	}
	var idPaths [][]string
	pairSet := map[[2]string]bool{}
	var pairs [][2]string
	out := make([]domain.ExposurePath, len(res.Records))
	for i, r := range res.Records {
		ids := strs(r, "ids")
		idPaths = append(idPaths, ids)
		out[i].Confidence = recordFloat(r, "conf")
		for i := 0; i+1 < len(ids); i++ {
			p := [2]string{ids[i], ids[i+1]}
			if !pairSet[p] {
				pairSet[p] = true
				pairs = append(pairs, p)
			}
		}
	}
	hops, err := s.ClassifyHops(ctx, pairs, q.AsOf)
	if err != nil {
		return nil, err
	}
	byPair := make(map[[2]string]domain.SupplyHop, len(hops))
	for _, h := range hops {
		byPair[[2]string{h.Supplier, h.Customer}] = h
	}
	for i, ids := range idPaths {
		for j := 0; j+1 < len(ids); j++ {
			out[i].Hops = append(out[i].Hops, byPair[[2]string{ids[j], ids[j+1]}])
		}
	}
	return out, nil
}

var classifyPairsCypher = controlledCypher + `
UNWIND $pairs AS p
MATCH (s:Company {id: p[0]})-[r:SUPPLIES]->(c:Company {id: p[1]})
WITH s, r, c, controlled
` + classifyCypher + `
RETURN s.id AS supplier, c.id AS customer, mats, cm, size(cm) > 0 AS controlled,
       size(cm) > 0 AND size(uncovered) = 0 AS covered,
       CASE WHEN size(uncovered) > 0 THEN best.reason END AS reason,
       [li IN lics | li.id] AS licences`

// ClassifyHops judges the given supplier→customer links on d; pairs with
// no link are left out of the result.
func (s *Store) ClassifyHops(ctx context.Context, pairs [][2]string, d domain.Date) ([]domain.SupplyHop, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	param := make([][]string, len(pairs))
	for i, p := range pairs {
		param[i] = []string{p[0], p[1]}
	}
	res, err := s.read(ctx, classifyPairsCypher, map[string]any{"d": dateParam(d), "pairs": param})
	if err != nil {
		return nil, err
	}
	out := make([]domain.SupplyHop, 0, len(res.Records))
	for _, r := range res.Records {
		h := domain.SupplyHop{
			Supplier:            recordString(r, "supplier"),
			Customer:            recordString(r, "customer"),
			Materials:           strs(r, "mats"),
			ControlledMaterials: strs(r, "cm"),
			Controlled:          boolean(r, "controlled"),
			Covered:             boolean(r, "covered"),
			Reason:              domain.ExposureReason(recordString(r, "reason")),
			Licences:            strs(r, "licences"),
		}
		slices.Sort(h.Materials)
		slices.Sort(h.ControlledMaterials)
		out = append(out, h)
	}
	return out, nil
}

// CompanyExists reports whether a company with id is in the graph.
func (s *Store) CompanyExists(ctx context.Context, id string) (bool, error) {
	found, err := s.ExistingIDs(ctx, domain.KindCompany, []string{id})
	return found[id], err
}

var foreignClientsCypher = `
MATCH (p:Company {id: $id})-[r:SUPPLIES]->(c:Company)
WHERE c.country <> p.country AND ` + current("r") + `
RETURN c.id AS id ORDER BY id`

// ForeignClients lists the customers of producer registered in another
// country, over links current on d, by id.
func (s *Store) ForeignClients(ctx context.Context, producer string, d domain.Date) ([]string, error) {
	res, err := s.read(ctx, foreignClientsCypher, map[string]any{"id": producer, "d": dateParam(d)})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Records))
	for _, r := range res.Records {
		out = append(out, recordString(r, "id"))
	}
	return out, nil
}

var changedLicencesCypher = `
UNWIND $suppliers AS sid
MATCH (:Company {id: sid})-[:HOLDS]->(l:Licence)
WHERE ($from < l.validFrom AND l.validFrom <= $to)
   OR ($from <= l.validUntil AND l.validUntil < $to)
   OR ($from < l.revokedOn AND l.revokedOn <= $to)
RETURN sid, collect(DISTINCT l.id) AS licences`

var changedControlsCypher = `
MATCH (x:ExportControl)
WHERE any(d IN [x.effectiveFrom, x.suspendedFrom, x.suspendedUntil, x.liftedOn] WHERE $from < d AND d <= $to)
RETURN collect(x.id) AS controls`

// DatedChanges returns, for each supplier, its licences whose validity
// starts, ends or is revoked between from (exclusive) and to, and the
// controls with a date in that window: what can explain a change of
// exposure.
func (s *Store) DatedChanges(ctx context.Context, suppliers []string, from, to domain.Date) (map[string][]string, []string, error) {
	params := map[string]any{"suppliers": suppliers, "from": dateParam(from), "to": dateParam(to)}
	res, err := s.read(ctx, changedLicencesCypher, params)
	if err != nil {
		return nil, nil, err
	}
	bySupplier := make(map[string][]string, len(res.Records))
	for _, r := range res.Records {
		bySupplier[recordString(r, "sid")] = strs(r, "licences")
	}
	res, err = s.read(ctx, changedControlsCypher, params)
	if err != nil {
		return nil, nil, err
	}
	var controls []string
	if len(res.Records) > 0 {
		controls = strs(res.Records[0], "controls")
	}
	slices.Sort(controls)
	return bySupplier, controls, nil
}
