package neo4jstore

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

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
  AND ($validOn IS NULL OR (` + licenceInWindow("l", "$validOn") + ` AND NOT ` + licenceRevoked("l", "$validOn") + `))
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
WHERE ` + licenceInForce("l", "k.asOf") + `
  AND NOT ` + sectorExcluded("l", "c") + `
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
