package neo4jstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Reads for exports (internal/export): every record of a kind, in pages
// of keys read through the key's unique index, so a graph of a million
// companies is written out without being held. Each page is its own
// managed read; internal/export compares the graph's version before and
// after to know the pages saw one state.

// exportPageCypher per kind: the records after the key $after, by key,
// at most $limit of them, each as the projection its decoder reads.
var exportPageCypher = map[domain.Kind]string{
	domain.KindSector: `MATCH (s:Sector) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $limit
RETURN ` + sectorProjection("s") + ` AS r`,
	domain.KindMaterial: `MATCH (m:Material) WHERE m.id > $after WITH m ORDER BY m.id LIMIT $limit
RETURN ` + materialProjection + ` AS r`,
	domain.KindControl: `MATCH (x:ExportControl) WHERE x.id > $after WITH x ORDER BY x.id LIMIT $limit
RETURN ` + controlProjection("x") + ` AS r`,
	domain.KindCompany: `MATCH (c:Company) WHERE c.id > $after WITH c ORDER BY c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS r`,
	domain.KindLicence: `MATCH (l:Licence) WHERE l.id > $after WITH l ORDER BY l.id LIMIT $limit
RETURN ` + licenceProjection("l") + ` AS r`,
	// Supply links by (supplier, customer), after the pair $after,
	// $afterCustomer: the index gives the suppliers in order, and a
	// partial sort orders each supplier's links, so a page is $limit links
	// whatever the degree of a supplier.
	domain.KindSupply: `MATCH (s:Company) WHERE s.id >= $after WITH s ORDER BY s.id
MATCH (s)-[r:SUPPLIES]->(c:Company)
WHERE s.id > $after OR c.id > $afterCustomer
WITH s, r, c ORDER BY s.id, c.id LIMIT $limit
RETURN ` + linkProjection("r", "s", "c") + ` AS r`,
}

// ExportPage returns the records of kind (domain.Sector, domain.Company,
// …, domain.SupplyLink) after the key after, in key order, at most limit
// of them, and the key to continue after ("" when there are no more). A
// supply link's key is "supplier\ncustomer" (ids hold no newline).
func (s *Store) ExportPage(ctx context.Context, kind domain.Kind, after string, limit int) ([]any, string, error) {
	cypher, ok := exportPageCypher[kind]
	if !ok {
		return nil, "", fmt.Errorf("ExportPage: unknown kind %q", kind)
	}
	params := map[string]any{"after": after, "limit": limit}
	if kind == domain.KindSupply {
		supplier, customer, _ := strings.Cut(after, "\n")
		params["after"], params["afterCustomer"] = supplier, customer
	}
	res, err := s.read(ctx, cypher, params)
	if err != nil || len(res.Records) == 0 {
		return nil, "", err
	}
	out := make([]any, 0, len(res.Records))
	conv := exportDecoders[kind]
	for _, r := range res.Records {
		out = append(out, conv(recordMap(r, "r")))
	}
	if len(out) < limit {
		return out, "", nil
	}
	next := seedKey(out[len(out)-1])
	if l, ok := out[len(out)-1].(domain.SupplyLink); ok {
		next = l.Supplier + "\n" + l.Customer
	}
	return out, next, nil
}

var exportDecoders = map[domain.Kind]func(map[string]any) any{
	domain.KindSector:   func(m map[string]any) any { return toSector(m) },
	domain.KindMaterial: func(m map[string]any) any { return toMaterial(m) },
	domain.KindControl:  func(m map[string]any) any { return toControl(m) },
	domain.KindCompany:  func(m map[string]any) any { return toCompany(m) },
	domain.KindLicence:  func(m map[string]any) any { return toLicence(m) },
	domain.KindSupply:   func(m map[string]any) any { return toLink(m) },
}

const unexportedSourcesCypher = `MATCH (s:Source) WHERE NOT ()-[:REPORTED_BY]->(s) RETURN count(s) AS n`

// UncitedSources counts the Source nodes nothing cites any more (a
// record that cited them was rewritten without them; sources are never
// deleted): no record holds them, so no seed file can.
func (s *Store) UncitedSources(ctx context.Context) (int, error) {
	return s.count(ctx, unexportedSourcesCypher, nil)
}
