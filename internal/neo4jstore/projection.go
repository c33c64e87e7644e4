package neo4jstore

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Reads for the in-process projection (internal/projection): the graph's
// version, the audit trail after a version, and whole-graph reads in
// pages of keys, so a million companies load without one huge answer.

const graphVersionCypher = `OPTIONAL MATCH (v:GraphVersion {id: 'graph'}) RETURN v.epoch AS epoch, v.seq AS seq`

// GraphVersion returns the graph's version (the zero value when nothing
// was ever written).
func (s *Store) GraphVersion(ctx context.Context) (domain.GraphVersion, error) {
	res, err := s.read(ctx, graphVersionCypher, nil)
	if err != nil || len(res.Records) == 0 {
		return domain.GraphVersion{}, err
	}
	seq, _ := res.Records[0].Get("seq")
	n, _ := seq.(int64)
	return domain.GraphVersion{Epoch: recordString(res.Records[0], "epoch"), Seq: n}, nil
}

const versionSinceCypher = `
OPTIONAL MATCH (v:GraphVersion {id: 'graph'})
CALL (v) {
  OPTIONAL MATCH (c:Change)
  WHERE v.epoch = $epoch AND v.seq > $seq AND c.epoch = $epoch AND c.seq > $seq
  WITH c ORDER BY c.seq LIMIT $limit
  RETURN collect(c {.id, .at, .actor, .operation, .ids, .count, .seq}) AS changes
}
RETURN v.epoch AS epoch, v.seq AS seq, changes`

// VersionSince returns the graph's version and, when it is of since's
// epoch and past it, up to limit of the changes after since, in Seq
// order: one round trip for the common question "has anything changed,
// and what?".
func (s *Store) VersionSince(ctx context.Context, since domain.GraphVersion, limit int) (domain.GraphVersion, []domain.Change, error) {
	res, err := s.read(ctx, versionSinceCypher, map[string]any{"epoch": since.Epoch, "seq": since.Seq, "limit": limit})
	if err != nil || len(res.Records) == 0 {
		return domain.GraphVersion{}, nil, err
	}
	r := res.Records[0]
	seq, _ := r.Get("seq")
	n, _ := seq.(int64)
	changes := mapList(r, "changes", func(m map[string]any) domain.Change { return toChange(m) })
	return domain.GraphVersion{Epoch: recordString(r, "epoch"), Seq: n}, changes, nil
}

const changesSinceCypher = `
MATCH (c:Change) WHERE c.seq > $seq AND c.epoch = $epoch
WITH c ORDER BY c.seq LIMIT $limit
RETURN c {.id, .at, .actor, .operation, .ids, .count, .seq} AS c`

// ChangesSince returns up to limit changes of v's epoch with a Seq above
// v's, in Seq order.
func (s *Store) ChangesSince(ctx context.Context, v domain.GraphVersion, limit int) ([]domain.Change, error) {
	res, err := s.read(ctx, changesSinceCypher, map[string]any{"seq": v.Seq, "epoch": v.Epoch, "limit": limit})
	if err != nil {
		return nil, err
	}
	return toChanges(res.Records), nil
}

const companyPageCypher = `
MATCH (c:Company) WHERE c.id > $after
WITH c ORDER BY c.id LIMIT $limit
RETURN c.id AS id, c.country AS country, [(c)-[:OPERATES_IN]->(s:Sector) | s.id] AS sectors`

// CompanyPage returns up to limit companies after the id after, by id,
// with their id, country and sectors only (what the projection holds).
func (s *Store) CompanyPage(ctx context.Context, after string, limit int) ([]domain.Company, error) {
	res, err := s.read(ctx, companyPageCypher, map[string]any{"after": after, "limit": limit})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Company, len(res.Records))
	for i, r := range res.Records {
		out[i] = domain.Company{ID: recordString(r, "id"), Country: recordString(r, "country"), Sectors: strs(r, "sectors")}
	}
	return out, nil
}

// linksOfSuppliersCypher reads, per supplier of a page, its links as
// [customer, materials, since, until, confidence]: lists decode faster
// than maps.
const linksOfSuppliersCypher = `
MATCH (s:Company) WHERE s.id > $after
WITH s ORDER BY s.id LIMIT $limit
RETURN s.id AS supplier, [(s)-[r:SUPPLIES]->(c:Company) | [c.id, r.materials, r.since, r.until, r.confidence]] AS links`

// LinksOfSuppliers returns the supply links of up to limit suppliers
// after the company id after (companies without links count too), with
// their materials, dates and confidence only, and the last company id
// read ("" when there were none).
func (s *Store) LinksOfSuppliers(ctx context.Context, after string, limit int) ([]domain.SupplyLink, string, error) {
	res, err := s.read(ctx, linksOfSuppliersCypher, map[string]any{"after": after, "limit": limit})
	if err != nil || len(res.Records) == 0 {
		return nil, "", err
	}
	var out []domain.SupplyLink
	for _, r := range res.Records {
		supplier := recordString(r, "supplier")
		v, _ := r.Get("links")
		links, _ := v.([]any)
		for _, x := range links {
			row, _ := x.([]any)
			if len(row) != 5 {
				continue
			}
			customer, _ := row[0].(string)
			l := domain.SupplyLink{Supplier: supplier, Customer: customer, Materials: anyStrings(row[1]),
				Since: anyDate(row[2]), Until: anyDate(row[3])}
			l.Confidence = anyFloat(row[4])
			out = append(out, l)
		}
	}
	return out, recordString(res.Records[len(res.Records)-1], "supplier"), nil
}

var linksByPairsCypher = `
UNWIND $pairs AS p
MATCH (s:Company {id: p[0]})-[r:SUPPLIES]->(c:Company {id: p[1]})
RETURN ` + linkProjection("r", "s", "c") + ` AS l`

// LinksByPairs returns the links that exist among supplier→customer
// pairs.
func (s *Store) LinksByPairs(ctx context.Context, pairs [][2]string) ([]domain.SupplyLink, error) {
	param := make([][]string, len(pairs))
	for i, p := range pairs {
		param[i] = []string{p[0], p[1]}
	}
	res, err := s.read(ctx, linksByPairsCypher, map[string]any{"pairs": param})
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "l", toLink), nil
}

// SupplyLinksByPairs implements domain.ReadService: LinksByPairs, by
// pair.
func (s *Store) SupplyLinksByPairs(ctx context.Context, pairs [][2]string) (map[[2]string]domain.SupplyLink, error) {
	links, err := s.LinksByPairs(ctx, pairs)
	if err != nil {
		return nil, err
	}
	out := make(map[[2]string]domain.SupplyLink, len(links))
	for _, l := range links {
		out[[2]string{l.Supplier, l.Customer}] = l
	}
	return out, nil
}

var allLicencesCypher = `MATCH (l:Licence) WITH l ORDER BY l.id RETURN ` + licenceProjection("l") + ` AS l`

// AllLicences returns every licence, by id.
func (s *Store) AllLicences(ctx context.Context) ([]domain.Licence, error) {
	res, err := s.read(ctx, allLicencesCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "l", toLicence), nil
}
