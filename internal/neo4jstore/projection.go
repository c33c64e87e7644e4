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

var companyPageCypher = `
MATCH (c:Company) WHERE c.id > $after
WITH c ORDER BY c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS c`

// CompanyPage returns up to limit companies after the id after, by id.
func (s *Store) CompanyPage(ctx context.Context, after string, limit int) ([]domain.Company, error) {
	res, err := s.read(ctx, companyPageCypher, map[string]any{"after": after, "limit": limit})
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "c", toCompany), nil
}

var linksOfSuppliersCypher = `
MATCH (s:Company) WHERE s.id > $after
WITH s ORDER BY s.id LIMIT $limit
WITH collect(s) AS suppliers
CALL (suppliers) {
  UNWIND suppliers AS s
  MATCH (s)-[r:SUPPLIES]->(c:Company)
  RETURN collect(` + linkProjection("r", "s", "c") + `) AS links
}
RETURN CASE WHEN size(suppliers) > 0 THEN last(suppliers).id ELSE '' END AS last, links`

// LinksOfSuppliers returns the supply links of up to limit suppliers
// after the company id after (companies without links count too), and
// the last company id read ("" when there were none).
func (s *Store) LinksOfSuppliers(ctx context.Context, after string, limit int) ([]domain.SupplyLink, string, error) {
	res, err := s.read(ctx, linksOfSuppliersCypher, map[string]any{"after": after, "limit": limit})
	if err != nil || len(res.Records) == 0 {
		return nil, "", err
	}
	return mapList(res.Records[0], "links", toLink), recordString(res.Records[0], "last"), nil
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

var allLicencesCypher = `MATCH (l:Licence) WITH l ORDER BY l.id RETURN ` + licenceProjection("l") + ` AS l`

// AllLicences returns every licence, by id.
func (s *Store) AllLicences(ctx context.Context) ([]domain.Licence, error) {
	res, err := s.read(ctx, allLicencesCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "l", toLicence), nil
}
